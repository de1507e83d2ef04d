// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/normalize/normalization.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hd/common/rng.hpp"
#include "hd/normalize/statistics.hpp"
#include "hd/testing/errors.hpp"

namespace hd::normalize {
namespace {

Normalization two_channels() {
  return {{"ne", "ui_1"}, {std::log(1e17), 1.3e4}, {4.0, 3.6e4}, {true, false}, {"m^-3", "m/s"}};
}

TEST(Normalization, ForwardIsTheZScoreOfTheTransformedValue) {
  const Normalization n = two_channels();
  // (ln(1e17 e^8) - ln 1e17) / 4 = 2 and (1.3e4 + 7.2e4 - 1.3e4) / 3.6e4 = 2, up to the
  // rounding of exp and log (a few 1e-16).
  EXPECT_NEAR(n.forward(0, 1e17 * std::exp(8.0)), 2.0, 1e-14);
  EXPECT_NEAR(n.forward(1, 1.3e4 + 7.2e4), 2.0, 1e-15);
  EXPECT_NEAR(n.inverse(0, 2.0), 1e17 * std::exp(8.0), 1e-14 * 1e17 * std::exp(8.0));
  EXPECT_NEAR(n.inverse(1, -1.0), 1.3e4 - 3.6e4, 1e-11);
}

// In float64 the round trip loses only a few ulps: exp(ln v) is within 1e-15 relative
// for |ln v| < 50, and (x - m) / s * s + m within a few ulps of x.
TEST(Normalization, InverseUndoesForwardInFloat64) {
  const Normalization n = two_channels();
  for (double v : {1e-20, 3.3e-5, 1.0, 7.1e9, 4.2e19}) {
    EXPECT_NEAR(n.inverse(0, n.forward(0, v)), v, 4e-15 * v);
    EXPECT_NEAR(n.inverse(1, n.forward(1, v)), v, 4e-15 * (std::abs(v) + 1.3e4));
    EXPECT_NEAR(n.inverse(1, n.forward(1, -v)), -v, 4e-15 * (std::abs(v) + 1.3e4));
  }
}

// Over 40 decades (log, 1e-5..1e35) and 10 decades of both signs (linear), float32
// storage is the only loss: the stored s carries a relative error of 2^-24, which
// becomes |T(v) - mean| 2^-24 after undoing the z-score, and the final float32 cast
// adds 2^-24 of v. For a log channel the first term is a relative error of v. The bound
// is twice that sum (the worst value measured is 0.44 of it). The log channel's mean,
// ln v ~ 35, sits far from 0, so a float32 step in the log-space arithmetic (error
// |ln v| 2^-24 instead of |ln v - mean| 2^-24) exceeds the bound near the mean.
TEST(Normalization, NormalizeThenDenormalizeRoundTripsToFloat32Precision) {
  constexpr std::size_t L = 400;
  RngStream rng(11, 0, purpose_tag("normalize_round_trip"));
  std::vector<float> physical(2 * L);
  for (std::size_t k = 0; k < L; ++k) {
    physical[k] = static_cast<float>(std::pow(10.0, -5.0 + 40.0 * rng.uniform()));  // log channel
    physical[L + k] = static_cast<float>((rng.uniform() < 0.5 ? -1 : 1) *
                                         std::pow(10.0, -4.0 + 10.0 * rng.uniform()));  // linear
  }
  GroupStatistics stats({"nn", "E"}, {true, false}, {"m^-3", "V/m"}, L);
  stats.add(physical);
  const Normalization n = stats.finish(0.5);

  std::vector<float> values = physical;
  n.forward(values);
  n.inverse(values);
  const double u = std::ldexp(1.0, -24);
  double worst_log = 0.0, worst_linear = 0.0;
  for (std::size_t k = 0; k < L; ++k) {
    const double v = physical[k], w = physical[L + k];
    const double log_bound = 2 * (std::abs(std::log(v) - n.mean[0]) + 1) * u * v;
    const double linear_bound = 2 * (std::abs(w - n.mean[1]) + std::abs(w)) * u;
    EXPECT_LE(std::abs(values[k] - v), log_bound) << "nn at " << v;
    EXPECT_LE(std::abs(values[L + k] - w), linear_bound) << "E at " << w;
    worst_log = std::max(worst_log, std::abs(values[k] - v) / log_bound);
    worst_linear = std::max(worst_linear, std::abs(values[L + k] - w) / linear_bound);
  }
  RecordProperty("worst_log_error_over_bound", std::to_string(worst_log));
  RecordProperty("worst_linear_error_over_bound", std::to_string(worst_linear));
}

// The point of dividing std by target_std: normalized data has standard deviation
// target_std and mean 0 (to float32 storage precision, ~1e-7).
TEST(Normalization, NormalizedDataHasTheTargetStd) {
  constexpr std::size_t L = 1000;
  RngStream rng(3, 0, purpose_tag("normalize_target_std"));
  std::vector<float> physical(L);
  for (float& v : physical) v = static_cast<float>(std::exp(2.0 + 3.0 * rng.normal()));
  GroupStatistics stats({"nu_e"}, {true}, {"1/s"}, L);
  stats.add(physical);
  stats.finish(0.5).forward(physical);
  Welford stored;
  for (float v : physical) stored.add(v);
  EXPECT_NEAR(stored.mean, 0.0, 1e-6);
  EXPECT_NEAR(std::sqrt(stored.sample_variance()), 0.5, 1e-6);
}

TEST(Normalization, ALogQuantityRejectsNonPositiveValuesByName) {
  const Normalization n = two_channels();
  testing::expect_one_line_error([&] { n.forward(0, 0.0); }, "ne is a log quantity");
  std::vector<float> values{1e17f, 2e17f, -1.0f, 5.0f, 6.0f, 7.0f};
  testing::expect_one_line_error([&] { n.forward(values); }, "ne is a log quantity");
}

TEST(Normalization, RejectsAnArrayThatIsNotCTimesL) {
  std::vector<float> values(5, 1.0f);
  testing::expect_one_line_error([&] { two_channels().forward(values); }, "5 values do not form [2, L]");
}

TEST(Normalization, ValidationNamesTheEntry) {
  Normalization n = two_channels();
  validate(n, "ctx");
  n.std[1] = 0.0;
  testing::expect_one_line_error([&] { validate(n, "ctx"); }, "ctx: entry 1 (ui_1): std = 0");
  n = two_channels();
  n.names[1] = "ne";
  testing::expect_one_line_error([&] { validate(n, "ctx"); }, "repeats the name ne");
  n = two_channels();
  n.units.pop_back();
  testing::expect_one_line_error([&] { validate(n, "ctx"); }, "1 units");
}

TEST(Normalization, DefaultLogQuantitiesAreThePositiveManyDecadeOnes) {
  for (const char* name : {"B", "nu_e", "nu_an", "nn", "ne", "ni_1", "ni_2", "ni_3", "pe",
                           "discharge_current_a", "thrust_n", "background_pressure_torr"}) {
    EXPECT_TRUE(is_log_by_default(name)) << name;
  }
  for (const char* name : {"ui_1", "ue", "phi", "E", "Tev", "grad_pe", "discharge_voltage_v"}) {
    EXPECT_FALSE(is_log_by_default(name)) << name;
  }
  EXPECT_EQ(default_log_quantities().size(), 12u);
}

}  // namespace
}  // namespace hd::normalize
