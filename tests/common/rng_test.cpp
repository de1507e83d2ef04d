// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/rng.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

namespace {

std::vector<double> draw(hd::RngStream rng, int n) {
  std::vector<double> v(n);
  for (auto& x : v) x = rng.normal();
  return v;
}

TEST(RngStream, SameSeedAndIndexReproduceTheSameSequence) {
  EXPECT_EQ(draw(hd::RngStream(42, 7), 100), draw(hd::RngStream(42, 7), 100));
}

TEST(RngStream, StreamDoesNotDependOnWhichOtherStreamsWereUsed) {
  // Simulation 5 draws the same parameters whether or not 0..4 ran before it.
  hd::RngStream a(1, 0);
  for (int i = 0; i < 1000; ++i) a();
  EXPECT_EQ(draw(hd::RngStream(1, 5), 10), draw(hd::RngStream(1, 5), 10));
}

TEST(RngStream, IndicesSeedsAndPurposesGiveDistinctStreams) {
  std::set<std::uint64_t> seeds;
  for (std::uint64_t master : {0ull, 1ull, 2ull}) {
    for (std::uint64_t i = 0; i < 1000; ++i) {
      for (std::uint64_t purpose : {hd::purpose_tag("params"), hd::purpose_tag("noise")}) {
        seeds.insert(hd::stream_seed(master, i, purpose));
      }
    }
  }
  EXPECT_EQ(seeds.size(), 6000u);
  EXPECT_NE(hd::stream_seed(1, 2), hd::stream_seed(2, 1));
}

// Neighbouring streams must be statistically independent: the sample correlation of
// n = 20000 pairs of independent normals has standard deviation 1/sqrt(n) ≈ 0.007, so
// |r| < 0.035 (5 sigma) fails by chance with probability ~1e-6.
TEST(RngStream, NeighbouringStreamsAreUncorrelated) {
  const int n = 20000;
  for (std::uint64_t i : {0ull, 1ull, 1000ull}) {
    const auto a = draw(hd::RngStream(123, i), n);
    const auto b = draw(hd::RngStream(123, i + 1), n);
    double sab = 0, saa = 0, sbb = 0;
    for (int k = 0; k < n; ++k) {
      sab += a[k] * b[k];
      saa += a[k] * a[k];
      sbb += b[k] * b[k];
    }
    EXPECT_LT(std::abs(sab / std::sqrt(saa * sbb)), 0.035) << "streams " << i << ", " << i + 1;
  }
}

// Mean and variance of N(0,1) draws: 5-sigma bounds for n = 20000 (sd of the mean
// 0.007, of the variance 0.01).
TEST(RngStream, NormalDrawsHaveUnitMoments) {
  const auto v = draw(hd::RngStream(9, 3), 20000);
  double m = 0, s2 = 0;
  for (double x : v) m += x;
  m /= v.size();
  for (double x : v) s2 += (x - m) * (x - m);
  s2 /= v.size() - 1;
  EXPECT_NEAR(m, 0.0, 0.035);
  EXPECT_NEAR(s2, 1.0, 0.05);
}

TEST(RngStream, UniformDrawsStayInTheUnitInterval) {
  hd::RngStream rng(5, 5);
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

}  // namespace
