// SPDX-License-Identifier: GPL-3.0-or-later
// The outlier filter applied to raw simulations before their statistics are taken
// (docs/normalization.md). A rejected simulation gets a stable reason code, recorded in
// the dataset's status and counted per reason.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hd::config {
class Table;
}

namespace hd::normalize {

// Rules in the order they are checked; the first that fails is the reason.
enum class Reason {
  nonfinite,
  discharge_current,
  thrust,
  potential_min,
  potential_max,
  nu_an_max,
  nu_an_min
};
inline constexpr std::size_t kNumReasons = 7;

// "nonfinite", "discharge_current", "thrust", "potential_min", "potential_max",
// "nu_an_max", "nu_an_min".
std::string_view reason_code(Reason reason);

struct Rejection {
  Reason reason;
  std::string detail;  // the offending value against its limit, for people
};

// Every threshold with the reference code's default; `read_outlier_thresholds` documents
// the config keys.
struct OutlierThresholds {
  double discharge_current_limit_a = 150.0;             // reject mean discharge current above
  double thrust_limit_n = 10.0;                         // reject mean thrust above
  double potential_min_limit_vd = 0.5;                  // reject |min phi| above this times Vd
  double potential_max_limit_vd = 1.5;                  // reject max |phi| above this times Vd
  std::array<double, 2> nu_an_max_range_hz{1e6, 1e11};  // max nu_an must lie strictly inside
  std::array<double, 2> nu_an_min_range_hz{1e4, 1e9};   // min nu_an must lie strictly inside
};

// Reads the keys of `table` (e.g. [outlier_filter]), each optional with the default above:
//   discharge_current_limit_a, thrust_limit_n, potential_min_limit_vd,
//   potential_max_limit_vd, nu_an_max_range_hz = [low, high], nu_an_min_range_hz = [low, high].
OutlierThresholds read_outlier_thresholds(const config::Table& table);

// One simulation as the filter sees it, in physical units.
struct SimulationView {
  std::span<const float> fields;  // [C, L], channel order of the filter
  double discharge_voltage_v = 0.0;
  double discharge_current_a = 0.0;  // time-averaged
  double thrust_n = 0.0;             // time-averaged
  std::span<const double> scalars;   // checked for finiteness only
  std::span<const double> params;    // checked for finiteness only
};

class OutlierFilter {
 public:
  // `channels` names the rows of every SimulationView::fields; the potential rules need a
  // `phi` channel and the nu_an rules a `nu_an` channel, so a missing one is an hd::Error
  // here rather than a rule that silently passes.
  OutlierFilter(const OutlierThresholds& thresholds, std::vector<std::string> channels);

  // Nothing when the simulation is kept.
  std::optional<Rejection> check(const SimulationView& simulation) const;

 private:
  std::optional<Rejection> nonfinite(const SimulationView& simulation) const;

  OutlierThresholds thresholds_;
  std::vector<std::string> channels_;
  std::size_t phi_;
  std::size_t nu_an_;
};

// Kept and rejected counts per reason, mergeable across threads.
class RejectionTally {
 public:
  void record(const std::optional<Rejection>& outcome);
  void merge(const RejectionTally& other);
  std::int64_t kept() const { return kept_; }
  std::int64_t rejected(Reason reason) const { return rejected_[static_cast<std::size_t>(reason)]; }
  std::int64_t rejected_total() const;
  // "kept 120, rejected: nonfinite 3, potential_max 12" (reasons with a zero count omitted;
  // "rejected: none" when all were kept).
  std::string summary() const;

 private:
  std::int64_t kept_ = 0;
  std::array<std::int64_t, kNumReasons> rejected_{};
};

}  // namespace hd::normalize
