// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/normalize/outlier_filter.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "hd/common/config.hpp"
#include "hd/common/error.hpp"

#include "number_text.hpp"

namespace hd::normalize {

std::string_view reason_code(Reason reason) {
  static constexpr std::array<std::string_view, kNumReasons> codes{
      "nonfinite", "discharge_current", "thrust", "potential_min", "potential_max", "nu_an_max", "nu_an_min"};
  return codes[static_cast<std::size_t>(reason)];
}

namespace {

using hd::config::Range;
using hd::config::Table;

std::array<double, 2> open_interval(const Table& t, std::string_view key, std::array<double, 2> fallback) {
  const auto v = t.get_doubles_or(key, {fallback[0], fallback[1]}, Range::positive());
  if (v.size() != 2 || !(v[0] < v[1])) t.fail(key, "must be [low, high] with low < high");
  return {v[0], v[1]};
}

std::size_t channel_index(const std::vector<std::string>& channels, const std::string& name,
                          std::string_view rules) {
  const auto it = std::find(channels.begin(), channels.end(), name);
  if (it == channels.end()) {
    throw Error("outlier filter: the " + std::string(rules) + " rules need a `" + name +
                "` channel, which the dataset does not have; add it to the generated channels");
  }
  return static_cast<std::size_t>(it - channels.begin());
}

bool strictly_inside(double v, const std::array<double, 2>& range) {
  return range[0] < v && v < range[1];
}

std::string interval_text(const std::array<double, 2>& range) {
  std::ostringstream text;
  text << '(' << range[0] << ", " << range[1] << ')';
  return text.str();
}

}  // namespace

OutlierThresholds read_outlier_thresholds(const Table& t) {
  OutlierThresholds th;
  th.discharge_current_limit_a =
      t.get_double_or("discharge_current_limit_a", th.discharge_current_limit_a, Range::positive());
  th.thrust_limit_n = t.get_double_or("thrust_limit_n", th.thrust_limit_n, Range::positive());
  th.potential_min_limit_vd =
      t.get_double_or("potential_min_limit_vd", th.potential_min_limit_vd, Range::positive());
  th.potential_max_limit_vd =
      t.get_double_or("potential_max_limit_vd", th.potential_max_limit_vd, Range::positive());
  th.nu_an_max_range_hz = open_interval(t, "nu_an_max_range_hz", th.nu_an_max_range_hz);
  th.nu_an_min_range_hz = open_interval(t, "nu_an_min_range_hz", th.nu_an_min_range_hz);
  return th;
}

OutlierFilter::OutlierFilter(const OutlierThresholds& thresholds, std::vector<std::string> channels)
    : thresholds_(thresholds),
      channels_(std::move(channels)),
      phi_(channel_index(channels_, "phi", "potential")),
      nu_an_(channel_index(channels_, "nu_an", "anomalous collision frequency")) {}

std::optional<Rejection> OutlierFilter::nonfinite(const SimulationView& s) const {
  const auto found = [](const std::string& what, double v) {
    return std::optional<Rejection>(Rejection{Reason::nonfinite, what + " = " + number_text(v)});
  };
  if (!std::isfinite(s.discharge_voltage_v)) return found("discharge voltage", s.discharge_voltage_v);
  if (!std::isfinite(s.discharge_current_a)) return found("mean discharge current", s.discharge_current_a);
  if (!std::isfinite(s.thrust_n)) return found("mean thrust", s.thrust_n);
  const std::size_t length = s.fields.size() / channels_.size();
  for (std::size_t i = 0; i < s.fields.size(); ++i) {
    if (!std::isfinite(s.fields[i])) {
      return found(channels_[i / length] + " at cell " + std::to_string(i % length), s.fields[i]);
    }
  }
  for (std::size_t i = 0; i < s.scalars.size(); ++i) {
    if (!std::isfinite(s.scalars[i])) return found("scalar " + std::to_string(i), s.scalars[i]);
  }
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    if (!std::isfinite(s.params[i])) return found("parameter " + std::to_string(i), s.params[i]);
  }
  return std::nullopt;
}

std::optional<Rejection> OutlierFilter::check(const SimulationView& s) const {
  if (s.fields.empty() || s.fields.size() % channels_.size() != 0) {
    throw Error("outlier filter: " + std::to_string(s.fields.size()) + " field values do not form [" +
                std::to_string(channels_.size()) + ", L] for the filter's channels");
  }
  if (auto rejection = nonfinite(s)) return rejection;
  const auto reject = [](Reason reason, std::string detail) {
    return std::optional<Rejection>(Rejection{reason, std::move(detail)});
  };
  const OutlierThresholds& th = thresholds_;
  if (s.discharge_current_a > th.discharge_current_limit_a) {
    return reject(Reason::discharge_current, "mean discharge current " + number_text(s.discharge_current_a) +
                                                 " A > " + number_text(th.discharge_current_limit_a) + " A");
  }
  if (s.thrust_n > th.thrust_limit_n) {
    return reject(Reason::thrust,
                  "mean thrust " + number_text(s.thrust_n) + " N > " + number_text(th.thrust_limit_n) + " N");
  }

  const std::size_t length = s.fields.size() / channels_.size();
  const auto phi = s.fields.subspan(phi_ * length, length);
  const double vd = s.discharge_voltage_v;
  const auto [phi_min, phi_max] = std::minmax_element(phi.begin(), phi.end());
  const double phi_abs_max = std::max(std::abs(*phi_min), std::abs(*phi_max));
  if (std::abs(*phi_min) > th.potential_min_limit_vd * vd) {
    return reject(Reason::potential_min, "|min phi| = " + number_text(std::abs(*phi_min)) + " V > " +
                                             number_text(th.potential_min_limit_vd) +
                                             " Vd = " + number_text(th.potential_min_limit_vd * vd) + " V");
  }
  if (phi_abs_max > th.potential_max_limit_vd * vd) {
    return reject(Reason::potential_max, "max |phi| = " + number_text(phi_abs_max) + " V > " +
                                             number_text(th.potential_max_limit_vd) +
                                             " Vd = " + number_text(th.potential_max_limit_vd * vd) + " V");
  }

  const auto nu_an = s.fields.subspan(nu_an_ * length, length);
  const auto [lowest, highest] = std::minmax_element(nu_an.begin(), nu_an.end());
  if (!strictly_inside(*highest, th.nu_an_max_range_hz)) {
    return reject(Reason::nu_an_max, "max nu_an = " + number_text(*highest) + " 1/s is outside " +
                                         interval_text(th.nu_an_max_range_hz));
  }
  if (!strictly_inside(*lowest, th.nu_an_min_range_hz)) {
    return reject(Reason::nu_an_min, "min nu_an = " + number_text(*lowest) + " 1/s is outside " +
                                         interval_text(th.nu_an_min_range_hz));
  }
  return std::nullopt;
}

void RejectionTally::record(const std::optional<Rejection>& outcome) {
  if (outcome) {
    ++rejected_[static_cast<std::size_t>(outcome->reason)];
  } else {
    ++kept_;
  }
}

void RejectionTally::merge(const RejectionTally& other) {
  kept_ += other.kept_;
  for (std::size_t r = 0; r < kNumReasons; ++r) rejected_[r] += other.rejected_[r];
}

std::int64_t RejectionTally::rejected_total() const {
  std::int64_t total = 0;
  for (std::int64_t n : rejected_) total += n;
  return total;
}

std::string RejectionTally::summary() const {
  std::string text = "kept " + std::to_string(kept_) + ", rejected:";
  if (rejected_total() == 0) return text + " none";
  const char* separator = " ";
  for (std::size_t r = 0; r < kNumReasons; ++r) {
    if (rejected_[r] == 0) continue;
    text += separator + std::string(reason_code(static_cast<Reason>(r))) + " " + std::to_string(rejected_[r]);
    separator = ", ";
  }
  return text;
}

}  // namespace hd::normalize
