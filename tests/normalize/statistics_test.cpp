// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/normalize/statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"
#include "hd/testing/errors.hpp"

namespace hd::normalize {
namespace {

// A large mean over a small spread is the hard case for streaming variance: a naive
// sum-of-squares formula loses about 6 of 16 digits here.
std::vector<double> samples(std::size_t n) {
  RngStream rng(7, 0, purpose_tag("normalize_test"));
  std::vector<double> x(n);
  for (double& v : x) v = 1e3 + 2.0 * rng.normal();
  return x;
}

// The reference: the two-pass formula in float64, mean first, then squared deviations.
struct TwoPass {
  double mean = 0.0;
  double variance = 0.0;
  explicit TwoPass(const std::vector<double>& x) {
    for (double v : x) mean += v;
    mean /= static_cast<double>(x.size());
    for (double v : x) variance += (v - mean) * (v - mean);
    variance /= static_cast<double>(x.size() - 1);
  }
};

// Both computations round each of 10^4 steps at ~1e-16, amplified for the variance by
// (mean / std)^2-sized cancellations; the measured differences are at most 5e-15
// (mean) and 2e-14 (variance) relative, so 1e-12 leaves room and still catches any
// formula error (a wrong merge term or n instead of n-1 is off by >= 1e-4).
constexpr double kRelative = 1e-12;

TEST(Welford, StreamingStatisticsEqualTheTwoPassComputation) {
  const auto x = samples(10'000);
  Welford w;
  for (double v : x) w.add(v);
  const TwoPass exact(x);
  EXPECT_EQ(w.count, 10'000);
  EXPECT_NEAR(w.mean, exact.mean, kRelative * std::abs(exact.mean));
  EXPECT_NEAR(w.sample_variance(), exact.variance, kRelative * exact.variance);
}

TEST(Welford, FourPartialsMergedInAnyOrderEqualTheTwoPassComputation) {
  const auto x = samples(10'000);
  // Unequal parts, one of a single value, as uneven thread shares would give.
  const std::array<std::size_t, 5> bounds{0, 1, 38, 5'038, 10'000};
  std::array<Welford, 4> parts;
  for (std::size_t p = 0; p < 4; ++p) {
    for (std::size_t i = bounds[p]; i < bounds[p + 1]; ++i) parts[p].add(x[i]);
  }
  const TwoPass exact(x);
  std::array<int, 4> order{0, 1, 2, 3};
  do {  // all 24 sequential orders
    Welford total;
    for (int p : order) total.merge(parts[p]);
    EXPECT_EQ(total.count, 10'000);
    EXPECT_NEAR(total.mean, exact.mean, kRelative * std::abs(exact.mean));
    EXPECT_NEAR(total.sample_variance(), exact.variance, kRelative * exact.variance);
  } while (std::next_permutation(order.begin(), order.end()));
  // and as a tree, the way a parallel reduction combines pairs
  Welford left = parts[3], right = parts[1];
  left.merge(parts[0]);
  right.merge(parts[2]);
  left.merge(right);
  EXPECT_NEAR(left.mean, exact.mean, kRelative * std::abs(exact.mean));
  EXPECT_NEAR(left.sample_variance(), exact.variance, kRelative * exact.variance);
}

TEST(Welford, MergingAnEmptyAccumulatorChangesNothing) {
  Welford w, empty;
  for (double v : {1.0, 2.0, 4.0}) w.add(v);
  const Welford before = w;
  w.merge(empty);
  empty.merge(w);
  for (const Welford& m : {w, empty}) {
    EXPECT_EQ(m.count, before.count);
    EXPECT_EQ(m.mean, before.mean);
    EXPECT_EQ(m.m2, before.m2);
  }
}

// Two simulations of 3 cells. nu_an is 10^k, k = 1..6 over all cells and simulations, so
// ln nu_an has mean 3.5 ln 10 and n-1 variance 3.5 (ln 10)^2 when pooled; per cell or per
// simulation the numbers would differ. phi is 0, 100, ..., 500: mean 250, variance
// 3.5e4. Values are exact in float32; the only rounding is float64's (1e-14).
TEST(GroupStatistics, FieldChannelsArePooledOverCellsAndSimulations) {
  GroupStatistics stats({"nu_an", "phi"}, {true, false}, {"1/s", "V"}, 3);
  const std::vector<float> first{1e1f, 1e2f, 1e3f, 0.0f, 100.0f, 200.0f};
  const std::vector<float> second{1e4f, 1e5f, 1e6f, 300.0f, 400.0f, 500.0f};
  stats.add(first);
  stats.add(second);
  const double ln10 = std::log(10.0), target_std = 0.5;
  const Normalization n = stats.finish(target_std);
  EXPECT_EQ(stats.quantity(0).count, 6);
  EXPECT_NEAR(n.mean[0], 3.5 * ln10, 1e-14 * 3.5 * ln10);
  EXPECT_NEAR(n.std[0], std::sqrt(3.5) * ln10 / target_std, 1e-14 * 4 * ln10 / target_std);
  EXPECT_NEAR(n.mean[1], 250.0, 1e-12);
  EXPECT_NEAR(n.std[1], std::sqrt(3.5e4) / target_std, 1e-11);
  EXPECT_EQ(n.names, (std::vector<std::string>{"nu_an", "phi"}));
  EXPECT_EQ(n.log, (std::vector<bool>{true, false}));
  EXPECT_EQ(n.units, (std::vector<std::string>{"1/s", "V"}));
}

TEST(GroupStatistics, ParametersTakeOneValuePerSimulation) {
  GroupStatistics stats({"background_pressure_torr", "discharge_voltage_v"}, {true, false}, {"Torr", "V"}, 1);
  stats.add(std::vector<double>{1e-6, 200.0});
  stats.add(std::vector<double>{1e-4, 400.0});
  const Normalization n = stats.finish(1.0);
  // ln 1e-6 and ln 1e-4: mean ln 1e-5, n-1 std sqrt(2) ln 10.
  EXPECT_NEAR(n.mean[0], std::log(1e-5), 1e-14 * 12);
  EXPECT_NEAR(n.std[0], std::sqrt(2.0) * std::log(10.0), 1e-14 * 4);
  EXPECT_NEAR(n.mean[1], 300.0, 1e-12);
  EXPECT_NEAR(n.std[1], std::sqrt(2.0) * 100.0, 1e-12);
}

TEST(GroupStatistics, MergedThreadAccumulatorsEqualOneAccumulator) {
  const auto x = samples(400);
  GroupStatistics all({"ui_1", "ue"}, {false, false}, {"m/s", "m/s"}, 4);
  std::array<GroupStatistics, 3> threads{all, all, all};
  for (std::size_t s = 0; s < x.size() / 8; ++s) {
    const std::vector<double> sample(x.begin() + 8 * s, x.begin() + 8 * (s + 1));
    all.add(sample);
    threads[s % 3].add(sample);
  }
  threads[2].merge(threads[0]);
  threads[2].merge(threads[1]);
  const Normalization a = all.finish(0.5), b = threads[2].finish(0.5);
  for (std::size_t c = 0; c < 2; ++c) {
    EXPECT_NEAR(a.mean[c], b.mean[c], kRelative * std::abs(a.mean[c]));
    EXPECT_NEAR(a.std[c], b.std[c], kRelative * a.std[c]);
  }
}

// s = 0 would make the transform divide by zero. std = 1/target_std instead stores the
// constant as exactly 0 and inverts it exactly (the mean of identical values is exact).
TEST(GroupStatistics, AConstantQuantityStoresZeroAndInvertsExactly) {
  GroupStatistics stats({"ni_3", "cathode_coupling_voltage_v"}, {true, false}, {"m^-3", "V"}, 1);
  for (int i = 0; i < 5; ++i) stats.add(std::vector<float>{3.7e15f, 12.5f});
  const Normalization n = stats.finish(0.5);
  EXPECT_EQ(n.std[0], 2.0);
  EXPECT_EQ(n.std[1], 2.0);
  std::vector<float> values{3.7e15f, 12.5f};
  n.forward(values);
  EXPECT_EQ(values, (std::vector<float>{0.0f, 0.0f}));
  n.inverse(values);
  EXPECT_EQ(values, (std::vector<float>{3.7e15f, 12.5f}));
}

TEST(GroupStatistics, RejectsValuesItCannotTransform) {
  GroupStatistics stats({"phi", "nu_an"}, {false, true}, {"V", "1/s"}, 2);
  testing::expect_one_line_error([&] { stats.add(std::vector<float>{1.0f, 2.0f, 1e7f, 0.0f}); }, "nu_an");
  testing::expect_one_line_error([&] { stats.add(std::vector<float>{1.0f, NAN, 1e7f, 1e8f}); }, "phi");
  testing::expect_one_line_error([&] { stats.add(std::vector<float>{1.0f, 2.0f, 1e7f}); }, "[2, 2]");
}

TEST(GroupStatistics, NeedsTwoValuesAndAPositiveTargetStd) {
  GroupStatistics stats({"thrust_n"}, {true}, {"N"}, 1);
  stats.add(std::vector<double>{0.08});
  testing::expect_one_line_error([&] { stats.finish(0.5); }, "thrust_n has too few values (1)");
  stats.add(std::vector<double>{0.09});
  testing::expect_one_line_error([&] { stats.finish(0.0); }, "target_std");
}

}  // namespace
}  // namespace hd::normalize
