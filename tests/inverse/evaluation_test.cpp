// SPDX-License-Identifier: GPL-3.0-or-later
// evaluate's scores over cases: a calibrated ensemble covers its nominal fraction and has
// spread-skill 1, flat ranks and the truths' pooled moments, an overconfident one does not; case files read back
// exactly; the physics residual vanishes for E = -dphi/dz.
#include "hd/inverse/evaluation.hpp"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "hd/testing/errors.hpp"

namespace hd::inverse {
namespace {

constexpr std::int64_t kLength = 16, kSamples = 63;

// Case k: the posterior mean mu ~ N(0, 1) per cell, the truth mu + N(0, 1), and samples
// mu + spread N(0, 1): calibrated when spread = 1.
std::vector<CaseScore> cases(double spread, int count, bool log_scale = false) {
  torch::manual_seed(1);
  std::vector<CaseScore> out;
  for (int k = 0; k < count; ++k) {
    const auto mu = torch::randn({kLength}, torch::kFloat64);
    auto x = (mu + spread * torch::randn({kSamples, kLength}, torch::kFloat64)).contiguous();
    auto truth = mu + torch::randn({kLength}, torch::kFloat64);
    if (log_scale) {  // the same in ln x, 3 decades wide
      x = (6.9 * x).exp().contiguous();
      truth = (6.9 * truth).exp().contiguous();
    }
    PhysicalSamples samples;
    for (std::int64_t j = 0; j < kLength; ++j) samples.z_m.push_back(0.005 * static_cast<double>(j + 1));
    samples.profiles.push_back(
        {"ui_1", "m/s", kLength, {x.data_ptr<double>(), x.data_ptr<double>() + x.numel()}, log_scale});
    TrueState t;
    t.z_m = samples.z_m;
    t.profiles["ui_1"] = {truth.data_ptr<double>(), truth.data_ptr<double>() + truth.numel()};
    out.push_back(score_case(samples, t));
  }
  return out;
}

TEST(Evaluation, ACalibratedEnsembleCoversItsLevelsWithFlatRanks) {
  const auto summary = summarize(cases(1.0, 200));
  ASSERT_EQ(summary.quantities.size(), 1u);
  const auto& q = summary.quantities[0];
  EXPECT_EQ(q.cases, 200);
  // The interval between interpolated quantiles of S samples spans (S - 1)/(S + 1) of the
  // level on average: 0.4844 and 0.8719 for S = 63 (expected_coverage).
  EXPECT_NEAR(expected_coverage(0.5, kSamples), 0.5 * 62.0 / 64.0, 1e-12);
  EXPECT_NEAR(q.coverage_50, expected_coverage(0.5, kSamples), 0.03);
  EXPECT_NEAR(q.coverage_90, expected_coverage(0.9, kSamples), 0.02);
  EXPECT_NEAR(q.spread_skill, 1.0, 0.05);
  // Pooled over cases the samples have the truths' distribution, N(0, 2) per cell.
  ASSERT_TRUE(q.pooled_mean_bias && q.pooled_variance_ratio);
  EXPECT_LT(*q.pooled_mean_bias, 0.15);
  EXPECT_NEAR(*q.pooled_variance_ratio, 1.0, 0.1);
  // 3200 ranks over 64 values: every quarter of the rank range holds about a quarter.
  ASSERT_EQ(q.rank_counts.size(), static_cast<std::size_t>(kSamples + 1));
  for (int quarter = 0; quarter < 4; ++quarter) {
    std::int64_t n = 0;
    for (int r = 16 * quarter; r < 16 * (quarter + 1); ++r) n += q.rank_counts[static_cast<std::size_t>(r)];
    EXPECT_NEAR(static_cast<double>(n) / 3200.0, 0.25, 0.03) << "quarter " << quarter;
  }
}

// A quantity spanning decades is pooled in ln x: there the calibrated ensemble is as above,
// while its physical-unit variance would be that of the few largest samples.
TEST(Evaluation, LogQuantitiesArePooledInTheirLogarithm) {
  const auto q = summarize(cases(1.0, 200, true)).quantities[0];
  ASSERT_TRUE(q.pooled_mean_bias && q.pooled_variance_ratio);
  EXPECT_LT(*q.pooled_mean_bias, 0.15);
  EXPECT_NEAR(*q.pooled_variance_ratio, 1.0, 0.1);
  EXPECT_NEAR(q.coverage_90, expected_coverage(0.9, kSamples), 0.02);
}

TEST(Evaluation, AnOverconfidentEnsembleIsCaught) {
  const auto q = summarize(cases(0.3, 100)).quantities[0];
  EXPECT_LT(q.coverage_90, 0.4);
  EXPECT_LT(q.spread_skill, 0.4);
  // Pooled: 1 + 0.3^2 of the truths' 2.
  EXPECT_NEAR(*q.pooled_variance_ratio, 1.09 / 2.0, 0.08);
  // Its ranks pile up at both ends (a U-shaped histogram).
  const std::int64_t ends = q.rank_counts.front() + q.rank_counts.back();
  EXPECT_GT(static_cast<double>(ends) / 1600.0, 0.3);
}

// The cells of a case are correlated, the cases are not: the coverages' standard errors are
// those of the case means.
TEST(Evaluation, CoverageStandardErrorsAreThoseOfTheCaseMeans) {
  std::vector<CaseScore> four;
  for (const double c : {0.8, 0.9, 1.0, 0.9}) {
    QuantityScore score;
    score.name = "ui_1";
    score.coverage_50 = c - 0.4;
    score.coverage_90 = c;
    CaseScore k;
    k.samples = 3;
    k.quantities.push_back(score);
    four.push_back(k);
  }
  const auto q = summarize(four).quantities[0];
  EXPECT_NEAR(q.coverage_90, 0.9, 1e-12);
  // sample standard deviation sqrt(0.02 / 3) over sqrt(4)
  EXPECT_NEAR(q.coverage_90_se, std::sqrt(0.02 / 3.0) / 2.0, 1e-12);
  EXPECT_NEAR(q.coverage_50_se, std::sqrt(0.02 / 3.0) / 2.0, 1e-12);
  EXPECT_EQ(summarize({four.front()}).quantities[0].coverage_90_se, 0.0);
  // A calibrated ensemble's coverage lies within a few of its standard errors of the level.
  const auto calibrated = summarize(cases(1.0, 200)).quantities[0];
  EXPECT_GT(calibrated.coverage_90_se, 0.0);
  EXPECT_LT(std::abs(calibrated.coverage_90 - expected_coverage(0.9, kSamples)), 4.0 * calibrated.coverage_90_se);
}

TEST(Evaluation, CaseFilesReadBackExactly) {
  auto c = cases(1.0, 1).front();
  c.row = 17;
  c.simulation = 4242;
  c.seconds = 1.25;
  c.forward_per_sample = 31;
  c.residual_samples = 0.0123456789012345;
  c.observed.push_back({"ui_1", {{0.01, 1234.5, 500.0}}});
  const auto path = std::filesystem::temp_directory_path() / ("hd_case_" + std::to_string(::getpid()) + ".json");
  write_case(path, c);
  const auto back = read_case(path);
  EXPECT_EQ(back.row, 17);
  EXPECT_EQ(back.simulation, 4242);
  EXPECT_EQ(back.samples, kSamples);
  EXPECT_EQ(back.residual_samples, c.residual_samples);
  EXPECT_FALSE(back.residual_truth.has_value());
  ASSERT_EQ(back.quantities.size(), 1u);
  EXPECT_EQ(back.quantities[0].ranks, c.quantities[0].ranks);
  EXPECT_EQ(back.quantities[0].quantiles, c.quantities[0].quantiles);
  EXPECT_EQ(back.quantities[0].crps, c.quantities[0].crps);
  EXPECT_EQ(back.quantities[0].mean, c.quantities[0].mean);
  EXPECT_EQ(back.quantities[0].variance, c.quantities[0].variance);
  EXPECT_EQ(back.quantities[0].log_moments, c.quantities[0].log_moments);
  ASSERT_EQ(back.observed.size(), 1u);
  EXPECT_EQ(back.observed[0].points[0].value, 1234.5);

  std::ofstream(path) << "{\"format\": \"hall_diffusion.evaluation_case/1\", \"row\": 3";
  testing::expect_one_line_error([&] { read_case(path); }, path.string() + ": damaged case file");
  std::filesystem::remove(path);
}

TEST(Evaluation, FieldResidualVanishesForTheGradientOfThePotential) {
  const std::vector<double> z{0.0, 0.01, 0.03, 0.04};  // non-uniform
  std::vector<double> phi, E, E_off;
  for (double x : z) {
    phi.push_back(300.0 - 5000.0 * x);  // linear: every difference is exact
    E.push_back(5000.0);
    E_off.push_back(5500.0);
  }
  EXPECT_NEAR(field_residual(E, phi, z), 0.0, 1e-12);
  EXPECT_NEAR(field_residual(E_off, phi, z), 500.0 / 5500.0, 1e-12);
}

}  // namespace
}  // namespace hd::inverse
