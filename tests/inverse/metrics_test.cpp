// SPDX-License-Identifier: GPL-3.0-or-later
// Scores of posterior samples against hand-computed values.
#include "hd/inverse/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hd/testing/errors.hpp"

namespace hd::inverse {
namespace {

torch::Tensor values(std::initializer_list<double> v) {
  return torch::tensor(std::vector<double>(v), torch::kFloat64);
}

TEST(RelativeL2, IsTheErrorOfTheSampleMeanOverTheNormOfTheTruth) {
  const auto samples = torch::tensor({{1.0, 2.0}, {3.0, 4.0}}, torch::kFloat64);  // mean (2, 3)
  EXPECT_NEAR(relative_l2(samples, values({2.0, 4.0})), 1.0 / std::sqrt(20.0), 1e-15);
}

TEST(IntervalCoverage, CountsTruthsInsideTheInterpolatedCentralInterval) {
  // Each of 4 entries has draws 0, 1, ..., 10: the 50 % interval is [2.5, 7.5], the 90 % [0.5, 9.5].
  const auto samples = torch::arange(11, torch::kFloat64).unsqueeze(1).expand({11, 4});
  EXPECT_DOUBLE_EQ(interval_coverage(samples, values({2.0, 3.0, 7.5, 8.0}), 0.5), 0.5);
  EXPECT_DOUBLE_EQ(interval_coverage(samples, values({0.0, 0.5, 9.5, 10.0}), 0.9), 0.5);
  EXPECT_DOUBLE_EQ(interval_coverage(samples, values({2.5, 3.0, 7.0, 7.5}), 0.5), 1.0);
}

TEST(Crps, FairEstimatorMatchesHandValues) {
  // Draws {0, 1}, truth 0: mean |x - y| = 1/2, sum_{i!=j} |x_i - x_j| / (2 S (S-1)) = 2/4.
  EXPECT_NEAR(crps(values({0.0, 1.0}).unsqueeze(1), values({0.0})), 0.0, 1e-15);
  // Draws {1, 2, 4}, truth 0: 7/3 - 12/12.
  EXPECT_NEAR(crps(values({1.0, 2.0, 4.0}).unsqueeze(1), values({0.0})), 4.0 / 3.0, 1e-15);
}

TEST(Crps, SortedFormEqualsThePairwiseSum) {
  const auto samples = torch::randn({7, 5}, torch::kFloat64);
  const auto truth = torch::randn({5}, torch::kFloat64);
  const auto pairs = (samples.unsqueeze(0) - samples.unsqueeze(1)).abs().sum(torch::IntArrayRef{0, 1});
  const auto direct = (samples - truth).abs().mean(0) - pairs / (2.0 * 7 * 6);
  EXPECT_NEAR(crps(samples, truth), direct.mean().item<double>(), 1e-14);
}

TEST(SpreadSkill, MatchesAHandValueAndIsOneForACalibratedEnsemble) {
  // Entry 1: draws {0, 2}, truth 0 (variance 2, error 1); entry 2: draws {1, 1}, truth 2
  // (variance 0, error 1). sqrt(3/2 * 1) / 1.
  const auto samples = torch::tensor({{0.0, 1.0}, {2.0, 1.0}}, torch::kFloat64);
  EXPECT_NEAR(spread_skill_ratio(samples, values({0.0, 2.0})), std::sqrt(1.5), 1e-15);
  // Truth and 10 draws from one distribution: the ratio estimate over 20000 entries has a
  // standard error of about 0.005 (mostly the skill's); 6 of them.
  torch::manual_seed(4);
  const auto truth = torch::randn({20000}, torch::kFloat64);
  const auto draws = torch::randn({10, 20000}, torch::kFloat64);
  EXPECT_NEAR(spread_skill_ratio(draws, truth), 1.0, 0.03);
}

TEST(SbcRank, CountsTheDrawsBelowTheTruth) {
  const auto samples = torch::tensor({{3.0, 3.0, 3.0}, {1.0, 1.0, 1.0}, {2.0, 2.0, 2.0}}, torch::kFloat64);
  const auto rank = sbc_rank(samples, values({2.5, 0.0, 5.0}));
  EXPECT_EQ(rank.scalar_type(), torch::kInt64);
  EXPECT_TRUE(torch::equal(rank, torch::tensor({2, 0, 3}, torch::kInt64)));
}

TEST(Scores, SamplesOfAnotherShapeAreAOneLineError) {
  testing::expect_one_line_error([] { crps(torch::zeros({4, 3}), torch::zeros({2})); }, "truth's shape");
}

}  // namespace
}  // namespace hd::inverse
