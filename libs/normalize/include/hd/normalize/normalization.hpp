// SPDX-License-Identifier: GPL-3.0-or-later
// The per-quantity transform between physical values and what the model sees
// (docs/normalization.md):
//   stored = (T(v) - mean) / std,   v = T^-1(stored * std + mean),
// with T = ln for log quantities and the identity otherwise. `std` already includes the
// division by target_std, so normalized data has standard deviation target_std.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hd::normalize {

// One entry per quantity (a field channel, a scalar or a parameter); all vectors have the
// same length.
struct Normalization {
  std::vector<std::string> names;
  std::vector<double> mean;  // of T(v)
  std::vector<double> std;   // sample std of T(v) divided by target_std
  std::vector<bool> log;
  std::vector<std::string> units;  // of the physical value v; "" when unknown

  std::size_t size() const { return names.size(); }

  // stored = (T(v) - mean) / std. A log quantity needs v > 0; anything else is an
  // hd::Error naming the quantity.
  double forward(std::size_t i, double v) const;
  // v = T^-1(stored * std + mean).
  double inverse(std::size_t i, double stored) const;

  // In place on float32 values laid out [C, L] (each quantity's L values contiguous,
  // L = values.size() / size(); a [P] vector is the case L = 1), computed in float64.
  void forward(std::span<float> values) const;
  void inverse(std::span<float> values) const;
};

// Throws hd::Error "<context>: <problem>" unless every vector has size() entries, names
// are non-empty and distinct, means are finite and stds finite and positive.
void validate(const Normalization& normalization, const std::string& context);

// The quantities normalized in log space by default: positive and spanning orders of
// magnitude (B, nu_e, nu_an, nn, ne, ni_1..3, pe, discharge_current_a, thrust_n,
// background_pressure_torr).
const std::vector<std::string>& default_log_quantities();
bool is_log_by_default(std::string_view name);

}  // namespace hd::normalize
