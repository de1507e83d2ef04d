// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/normalize/statistics.hpp"

#include <cmath>

#include "hd/common/error.hpp"

#include "number_text.hpp"
#include "transform.hpp"

namespace hd::normalize {

void Welford::add(double x) {
  ++count;
  const double d = x - mean;
  mean += d / static_cast<double>(count);
  m2 += d * (x - mean);
}

void Welford::merge(const Welford& other) {
  if (other.count == 0) return;
  if (count == 0) {
    *this = other;
    return;
  }
  const double na = static_cast<double>(count), nb = static_cast<double>(other.count), n = na + nb;
  const double d = other.mean - mean;
  mean += d * nb / n;
  m2 += other.m2 + d * d * na * nb / n;
  count += other.count;
}

double Welford::sample_variance() const {
  return m2 / static_cast<double>(count - 1);
}

GroupStatistics::GroupStatistics(std::vector<std::string> names, std::vector<bool> log,
                                 std::vector<std::string> units, std::size_t length)
    : names_(std::move(names)),
      log_(std::move(log)),
      units_(std::move(units)),
      length_(length),
      accumulators_(names_.size()) {
  if (log_.size() != names_.size() || units_.size() != names_.size() || names_.empty() || length_ == 0) {
    throw Error("statistics: " + std::to_string(names_.size()) + " names, " + std::to_string(log_.size()) +
                " log flags, " + std::to_string(units_.size()) + " units and length " +
                std::to_string(length_) +
                " do not describe a group (all counts equal, at least one quantity, length >= 1)");
  }
}

template <class T>
void GroupStatistics::add_values(std::span<const T> sample) {
  if (sample.size() != names_.size() * length_) {
    throw Error("statistics: a sample has " + std::to_string(sample.size()) + " values, expected [" +
                std::to_string(names_.size()) + ", " + std::to_string(length_) + "]");
  }
  for (std::size_t c = 0; c < names_.size(); ++c) {
    for (std::size_t k = 0; k < length_; ++k) {
      const double v = static_cast<double>(sample[c * length_ + k]);
      if (!std::isfinite(v)) {
        throw Error("statistics: " + names_[c] + " has the non-finite value " + number_text(v) +
                    " at index " + std::to_string(k) + "; filter the simulation out first");
      }
      accumulators_[c].add(log_or_identity(log_[c], v, names_[c]));
    }
  }
}

void GroupStatistics::add(std::span<const float> sample) {
  add_values(sample);
}
void GroupStatistics::add(std::span<const double> sample) {
  add_values(sample);
}

void GroupStatistics::merge(const GroupStatistics& other) {
  if (other.names_ != names_ || other.log_ != log_ || other.length_ != length_) {
    throw Error("statistics: cannot merge accumulators over different quantities or lengths");
  }
  for (std::size_t c = 0; c < names_.size(); ++c) accumulators_[c].merge(other.accumulators_[c]);
}

Normalization GroupStatistics::finish(double target_std) const {
  if (!(std::isfinite(target_std) && target_std > 0.0)) {
    throw Error("statistics: target_std = " + number_text(target_std) + " must be finite and positive");
  }
  Normalization n{names_, {}, {}, log_, units_};
  for (std::size_t c = 0; c < names_.size(); ++c) {
    const Welford& w = accumulators_[c];
    if (w.count < 2) {
      throw Error("statistics: " + names_[c] + " has too few values (" + std::to_string(w.count) +
                  ") for a standard deviation, which needs 2; use more simulations");
    }
    const double s = std::sqrt(w.sample_variance());
    n.mean.push_back(w.mean);
    n.std.push_back((s > 0.0 ? s : 1.0) / target_std);
  }
  return n;
}

}  // namespace hd::normalize
