// SPDX-License-Identifier: GPL-3.0-or-later
// One streaming pass of float64 statistics over the training split (docs/normalization.md):
// a mean and an n-1 corrected standard deviation of T(v) per quantity, field channels
// pooled over cells and simulations. Accumulators filled by separate threads merge exactly
// enough (Chan et al.) that the result does not depend on how the data was divided.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hd/normalize/normalization.hpp"

namespace hd::normalize {

// Welford's running mean and sum of squared deviations M2, in float64.
struct Welford {
  std::int64_t count = 0;
  double mean = 0.0;
  double m2 = 0.0;

  // d = x - mean; mean += d / n; M2 += d (x - mean_new).
  void add(double x);
  // Chan et al.: d = mean_b - mean_a; mean = mean_a + d n_b / n; M2 = M2_a + M2_b + d^2 n_a n_b / n.
  void merge(const Welford& other);
  // s^2 = M2 / (n - 1); needs count >= 2.
  double sample_variance() const;
};

// Statistics of a group of quantities (the field channels, the scalars or the parameters).
// Each sample is [C, L]: `length` values per quantity (L cells for fields, 1 for scalars
// and parameters). Log quantities are accumulated as ln v.
class GroupStatistics {
 public:
  GroupStatistics(std::vector<std::string> names, std::vector<bool> log, std::vector<std::string> units,
                  std::size_t length);

  // One simulation's values in physical units. Non-finite values and non-positive values
  // of log quantities are an hd::Error naming the quantity: the outlier filter removes
  // such simulations first.
  void add(std::span<const float> sample);
  void add(std::span<const double> sample);
  // Combines the statistics of another accumulator over the same quantities and length.
  void merge(const GroupStatistics& other);

  const Welford& quantity(std::size_t i) const { return accumulators_[i]; }
  std::size_t size() const { return names_.size(); }

  // mean, and std = s / target_std. A constant quantity (s = 0) gets std = 1 / target_std:
  // its normalized values are then exactly 0 and invert to the constant, whereas s = 0
  // would divide by zero. Fewer than 2 values per quantity is an hd::Error.
  Normalization finish(double target_std) const;

 private:
  template <class T>
  void add_values(std::span<const T> sample);

  std::vector<std::string> names_;
  std::vector<bool> log_;
  std::vector<std::string> units_;
  std::size_t length_;
  std::vector<Welford> accumulators_;
};

}  // namespace hd::normalize
