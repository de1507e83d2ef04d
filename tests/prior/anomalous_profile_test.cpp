// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/prior/anomalous_profile.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/testing/errors.hpp"

#include "reference_prior.hpp"

namespace {

using namespace hd::prior;
using hd::testing::expect_one_line_error;

AnomalousProfileShape shape(double a, double w, double s, double m, double scale, double center) {
  return {.anom_minimum = a,
          .anom_width = w,
          .anom_slope = s,
          .anom_step = m,
          .anom_scale = scale,
          .anom_center = center};
}

// Hand-computed values; tolerance 1e-15 relative, i.e. rounding only.
TEST(MeanProfile, IsScaleTimesMinimumAtTheCentreWithoutSlope) {
  EXPECT_NEAR(mean_profile(shape(0.05, 0.3, 0.0, 0.7, 0.1, 1.2), 1.2), 0.05 * 0.1, 1e-15 * 0.005);
  // with a slope, the logistic is halfway at the centre for every steepness: f = 1 - s/2
  for (double m : {0.0, 0.5, 1.0}) {
    EXPECT_NEAR(mean_profile(shape(0.05, 0.3, 0.4, m, 0.1, 1.2), 1.2), 0.005 * 0.8, 1e-15) << "m = " << m;
  }
}

// a = 1 removes the well (g = 1), so c / S = f: 1 - s upstream, 1 downstream.
TEST(MeanProfile, LogisticStepRunsFromOneMinusSlopeToOne) {
  const double s = 0.4;
  // m = 0.99: k = m / (1 - m) = 99, so exp(-99) ~ 1e-43 is far below rounding at zhat = -1, 2.
  EXPECT_NEAR(mean_profile(shape(1.0, 0.3, s, 0.99, 1.0, 1.0), 0.0), 1.0 - s, 1e-15);
  EXPECT_NEAR(mean_profile(shape(1.0, 0.3, s, 0.99, 1.0, 1.0), 3.0), 1.0, 1e-15);
  // m = 0: no step at all, f = 1 - s/2 everywhere
  EXPECT_NEAR(mean_profile(shape(1.0, 0.3, s, 0.0, 1.0, 1.0), 0.3), 0.8, 1e-15);
  // m = 0.5, zhat = 1: f = 1 - s + s / (1 + e^-1)
  EXPECT_NEAR(mean_profile(shape(1.0, 0.3, s, 0.5, 1.0, 1.0), 2.0), 0.8924234314520019, 1e-15);
}

// m / (1 - m) diverges at m = 1: the profile is then exactly the step, finite everywhere, and
// m just below 1 agrees with it away from the centre.
TEST(MeanProfile, StepLimitIsGuarded) {
  const double s = 0.4;
  for (double m : {1.0, 1.0 - 1e-15}) {
    EXPECT_EQ(mean_profile(shape(1.0, 0.3, s, m, 1.0, 1.0), 0.5), 1.0 - s) << "m = " << m;
    EXPECT_EQ(mean_profile(shape(1.0, 0.3, s, m, 1.0, 1.0), 1.5), 1.0) << "m = " << m;
  }
  EXPECT_EQ(mean_profile(shape(1.0, 0.3, s, 1.0, 1.0, 1.0), 1.0), 1.0 - s / 2);
}

TEST(MeanProfile, GaussianWellAndFullFormulaMatchHandValues) {
  // s = 0, zhat = w: g = 1 - (1 - a) / e; zhat = 1.3 / 1 - 1 is 0.3 to 4e-17, hence 1e-15.
  EXPECT_NEAR(mean_profile(shape(0.1, 0.3, 0.0, 0.5, 1.0, 1.0), 1.3), 0.6689085029457018, 1e-15);
  // all six at z = 0.4, z_c = 1.25 (zhat = -0.68):
  // S (0.3 + 0.7 / (1 + e^1.02)) (1 - 0.98 e^-2.89)
  EXPECT_NEAR(mean_profile(shape(0.02, 0.4, 0.7, 0.6, 0.0625, 1.25), 0.4), 0.028692220595122338, 1e-16);
}

// ------------------------------------------------------------------ the model and its prior

struct Config {
  hd::config::Document doc;
  explicit Config(const std::string& text, const std::vector<std::string>& overrides = {})
      : doc(hd::config::Document::parse(text, "gen.toml", overrides)) {}
  Prior prior() const { return read_prior(doc.root().table("params")); }
};

TEST(AnomalousProfileModel, DefaultsAreTheReferenceAndAreWrittenOut) {
  Config c("[anomalous_profile]\n");
  const AnomalousProfileModel m = read_anomalous_profile_model(c.doc.root().table("anomalous_profile"));
  EXPECT_EQ(m.nodes, 256);
  EXPECT_EQ(m.extent_channel_lengths, 3.0);
  EXPECT_EQ(m.gp_length_channel_lengths, 1.0);
  EXPECT_EQ(m.gp_amplitude, 0.5);
  EXPECT_NE(c.doc.to_toml().find("nodes = 256"), std::string::npos);
  expect_one_line_error(
      [] {
        Config bad("[anomalous_profile]\nnodes = 1\n");
        read_anomalous_profile_model(bad.doc.root().table("anomalous_profile"));
      },
      "gen.toml:2: anomalous_profile.nodes = 1 is out of range [2, 4096]");
}

TEST(AnomalousProfileShape, ComesFromTheDrawnParametersByName) {
  const Prior prior = Config(hd::testing::kReferencePrior).prior();
  const std::vector<double> v = draw_parameters(prior, 5, 9);
  const AnomalousProfileShape s = shape_from_parameters(prior, v);
  EXPECT_EQ(s.anom_minimum, v[*prior.index_of("anom_minimum")]);
  EXPECT_EQ(s.anom_width, v[*prior.index_of("anom_width")]);
  EXPECT_EQ(s.anom_slope, v[*prior.index_of("anom_slope")]);
  EXPECT_EQ(s.anom_step, v[*prior.index_of("anom_step")]);
  EXPECT_EQ(s.anom_scale, v[*prior.index_of("anom_scale")]);
  EXPECT_EQ(s.anom_center, v[*prior.index_of("anom_center")]);
}

TEST(AnomalousProfileShape, MissingParameterOrValueOutsideItsDomainIsAnError) {
  const Config slope(hd::testing::kReferencePrior,
                     {"params.anom_slope.distribution=fixed", "params.anom_slope.value=1.5"});
  const Prior prior = slope.prior();
  expect_one_line_error([&] { shape_from_parameters(prior, draw_parameters(prior, 1, 0)); },
                        "anom_slope = 1.5 is outside [0, 1]");
  expect_one_line_error([&] { check_shape_prior(prior, slope.doc.root().table("params")); },
                        "params.anom_slope.distribution = fixed(1.5) can draw values outside [0, 1]");

  std::string text = hd::testing::kReferencePrior;
  text.replace(text.find("[params.anom_center]"), 20, "[params.anom_centre]");
  const Config renamed(text);
  const Prior missing = renamed.prior();
  expect_one_line_error([&] { shape_from_parameters(missing, draw_parameters(missing, 1, 0)); },
                        "the prior has no parameter anom_center");
  expect_one_line_error([&] { check_shape_prior(missing, renamed.doc.root().table("params")); },
                        "params.anom_center is missing");
}

// An untruncated normal width draws negative widths 16 % of the time: refused before any draw.
TEST(AnomalousProfileShape, PriorThatCanLeaveTheDomainIsRefusedUpFront) {
  const Config reference(hd::testing::kReferencePrior);
  EXPECT_NO_THROW(check_shape_prior(reference.prior(), reference.doc.root().table("params")));
  std::string text = hd::testing::kReferencePrior;
  const std::string width = "[params.anom_width]\ndistribution = \"truncated_normal\"";
  text.replace(text.find(width), width.size(), "[params.anom_width]\ndistribution = \"normal\"");
  const Config normal_width(text);
  expect_one_line_error(
      [&] { check_shape_prior(normal_width.prior(), normal_width.doc.root().table("params")); },
      "gen.toml:51: params.anom_width.distribution = normal(0.5, 0.5) can draw values outside (0, inf]");
}

// ------------------------------------------------------------------ the Gaussian process

TEST(AnomalousProfileSampler, NodesSpanTheExtent) {
  const AnomalousProfileSampler sampler(AnomalousProfileModel{});
  ASSERT_EQ(sampler.nodes().size(), 256u);
  EXPECT_EQ(sampler.nodes().front(), 0.0);
  EXPECT_EQ(sampler.nodes().back(), 3.0);
}

// The factor reproduces the kernel up to the documented jitter, sigma_k^2 1e-10 on the
// diagonal; rounding in L L^T adds ~1e-16, so twice the jitter bounds the difference.
TEST(AnomalousProfileSampler, FactorReproducesTheKernelUpToTheJitter) {
  const AnomalousProfileSampler sampler(AnomalousProfileModel{});
  const double jitter = 0.25 * AnomalousProfileSampler::kJitter;
  EXPECT_GE(sampler.covariance_error(), 0.5 * jitter);
  EXPECT_LE(sampler.covariance_error(), 2.0 * jitter);
}

// Sample covariance of n = 20000 perturbations on 16 nodes (every 17th) against
// K_ij = 0.25 exp(-(z_i - z_j)^2 / 2). For zero-mean Gaussians the estimate sum x_i x_j / n
// has standard error sqrt((K_ij^2 + K_ii K_jj) / n) <= 0.0025; tolerance 5 of them on each
// of the 136 entries, and 5 standard errors (0.5 / sqrt(n)) on each mean.
TEST(AnomalousProfileSampler, PerturbationCovarianceMatchesTheKernel) {
  const AnomalousProfileSampler sampler(AnomalousProfileModel{});
  const int n = 20000;
  std::vector<int> idx;
  for (int i = 0; i < 256; i += 17) idx.push_back(i);
  const std::size_t m = idx.size();
  std::vector<double> sum(m, 0.0), product(m * m, 0.0);
  for (int k = 0; k < n; ++k) {
    const std::vector<double> x = sampler.log_perturbation(99, k);
    for (std::size_t i = 0; i < m; ++i) {
      sum[i] += x[idx[i]];
      for (std::size_t j = 0; j <= i; ++j) product[i * m + j] += x[idx[i]] * x[idx[j]];
    }
  }
  const auto& z = sampler.nodes();
  for (std::size_t i = 0; i < m; ++i) {
    EXPECT_NEAR(sum[i] / n, 0.0, 5.0 * 0.5 / std::sqrt(n)) << "node " << idx[i];
    for (std::size_t j = 0; j <= i; ++j) {
      const double dz = z[idx[i]] - z[idx[j]];
      const double kij = 0.25 * std::exp(-0.5 * dz * dz);
      const double se = std::sqrt((kij * kij + 0.25 * 0.25) / n);
      EXPECT_NEAR(product[i * m + j] / n, kij, 5.0 * se) << "nodes " << idx[i] << ", " << idx[j];
    }
  }
}

TEST(AnomalousProfileSampler, DrawIsTheMeanProfileTimesTheExponentialOfThePerturbation) {
  const AnomalousProfileSampler sampler(AnomalousProfileModel{});
  const AnomalousProfileShape s = shape(0.02, 0.4, 0.7, 0.6, 0.0625, 1.25);
  const std::vector<double> x = sampler.log_perturbation(3, 4);
  const std::vector<double> c = sampler.draw(s, 3, 4);
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c[i], mean_profile(s, sampler.nodes()[i]) * std::exp(x[i])) << "node " << i;
  }
  // without the GP, c is the mean profile itself
  AnomalousProfileModel smooth;
  smooth.gp_amplitude = 0.0;
  const AnomalousProfileSampler flat(smooth);
  const std::vector<double> c0 = flat.draw(s, 3, 4);
  for (std::size_t i = 0; i < c0.size(); ++i) EXPECT_EQ(c0[i], mean_profile(s, flat.nodes()[i]));
}

// Same (seed, index) -> same profile, from any sampler instance; other indices differ.
TEST(AnomalousProfileSampler, PerturbationIsReproduciblePerSimulation) {
  const AnomalousProfileSampler a(AnomalousProfileModel{}), b(AnomalousProfileModel{});
  EXPECT_EQ(a.log_perturbation(7, 12), b.log_perturbation(7, 12));
  EXPECT_NE(a.log_perturbation(7, 12), a.log_perturbation(7, 13));
  EXPECT_NE(a.log_perturbation(7, 12), a.log_perturbation(8, 12));
}

TEST(AnomalousProfileSampler, ReferencePriorGivesPositiveFiniteProfiles) {
  const Prior prior = Config(hd::testing::kReferencePrior).prior();
  const AnomalousProfileSampler sampler(AnomalousProfileModel{});
  for (std::uint64_t k = 0; k < 200; ++k) {
    const AnomalousProfileShape s = shape_from_parameters(prior, draw_parameters(prior, 1, k));
    for (double c : sampler.draw(s, 1, k)) ASSERT_TRUE(std::isfinite(c) && c > 0.0) << "simulation " << k;
  }
}

}  // namespace
