// SPDX-License-Identifier: GPL-3.0-or-later
// Observation operators and the analytic Gaussian: the building blocks of the posterior
// known-answer tests (posterior_test.cpp), each checked against hand values or an
// independent formula.
#include "hd/inverse/observation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "hd/inverse/gaussian.hpp"
#include "hd/testing/errors.hpp"

namespace hd::inverse {
namespace {

constexpr std::int64_t kChannels = 2, kLength = 16;

torch::Tensor cell_centres() {
  return (torch::arange(kLength, torch::kFloat64) + 0.5) / kLength;
}

TEST(PointObservation, InterpolationWeightsSumToOneOnTwoNeighbouringCells) {
  const auto z = cell_centres();
  const auto obs = point_observation(z, kChannels,
                                     {{.channel = 0, .z = 0.5 / kLength, .noise_std = 0.1},  // first centre
                                      {.channel = 1, .z = 0.3, .noise_std = 0.1},
                                      {.channel = 1, .z = 15.5 / kLength, .noise_std = 0.1}});  // last centre
  const auto& h = obs.matrix();
  ASSERT_EQ(h.sizes(), (torch::IntArrayRef{3, kChannels * kLength}));
  EXPECT_TRUE(torch::allclose(h.sum(1), torch::ones({3}, torch::kFloat64), 0.0, 1e-15));
  EXPECT_TRUE((h.ne(0).sum(1) <= 2).all().item<bool>());
  EXPECT_DOUBLE_EQ(h[0][0].item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(h[2][2 * kLength - 1].item<double>(), 1.0);
  // 0.3 lies between centres 4 (0.28125) and 5 (0.34375) of channel 1, 0.3 of the way.
  EXPECT_NEAR(h[1][kLength + 4].item<double>(), 0.7, 1e-12);
  EXPECT_NEAR(h[1][kLength + 5].item<double>(), 0.3, 1e-12);
}

TEST(PointObservation, IsExactOnLinearProfiles) {
  const auto z = cell_centres();
  const std::vector<double> positions{0.05, 0.1234, 0.5, 0.77, 0.95};
  std::vector<PointProbe> probes;
  for (double p : positions) probes.push_back({.channel = 1, .z = p, .noise_std = 0.1});
  const auto obs = point_observation(z, kChannels, probes);
  // Channel 0 is unrelated noise that must get zero weight; channel 1 is 2 - 3 z.
  auto x = torch::stack({torch::randn({kLength}, torch::kFloat64), 2.0 - 3.0 * z}).unsqueeze(0);
  const auto y = obs(x);
  for (std::size_t k = 0; k < positions.size(); ++k)
    EXPECT_NEAR(y[0][k].item<double>(), 2.0 - 3.0 * positions[k], 1e-12);
}

TEST(PointObservation, PositionOutsideTheCellCentresIsAOneLineErrorNamingIt) {
  testing::expect_one_line_error(
      [] { point_observation(cell_centres(), kChannels, {{.channel = 1, .z = 0.99, .noise_std = 0.1}}); },
      "z = 0.99");
  testing::expect_one_line_error(
      [] { point_observation(cell_centres(), kChannels, {{.channel = 2, .z = 0.5, .noise_std = 0.1}}); },
      "channel 2");
  testing::expect_one_line_error(
      [] { point_observation(cell_centres(), kChannels, {{.channel = 0, .z = 0.5, .noise_std = 0.0}}); },
      "noise std");
}

// A nonlinear functional (a quadrature of exp(x), as for a current from a log-density):
// its Jacobian by reverse passes must match the analytic one.
TEST(DifferentiableObservation, JacobianMatchesTheAnalyticDerivative) {
  const auto weights = torch::rand({kLength}, torch::kFloat64);
  const auto obs = Observation::differentiable(
      [&](const torch::Tensor& x) {
        return torch::stack({(x.select(1, 0).exp() * weights).sum(1), x.select(1, 1).square().sum(1)}, 1);
      },
      torch::tensor({0.1, 0.2}, torch::kFloat64));
  const auto x = torch::randn({3, kChannels, kLength}, torch::kFloat64);
  const auto jacobian = obs.jacobian(x);
  ASSERT_EQ(jacobian.sizes(), (torch::IntArrayRef{3, 2, kChannels * kLength}));
  auto expected = torch::zeros_like(jacobian);
  expected.select(1, 0).narrow(1, 0, kLength).copy_(x.select(1, 0).exp() * weights);
  expected.select(1, 1).narrow(1, kLength, kLength).copy_(2.0 * x.select(1, 1));
  EXPECT_TRUE(torch::allclose(jacobian, expected, 1e-12, 1e-12));
}

TEST(Observation, LogLikelihoodIsTheGaussianDensity) {
  const auto obs =
      Observation::linear(torch::eye(2, 3, torch::kFloat64), torch::tensor({0.5, 2.0}, torch::kFloat64));
  const auto x = torch::tensor({1.0, -1.0, 7.0}, torch::kFloat64).view({1, 1, 3});
  const auto y = torch::tensor({2.0, 1.0}, torch::kFloat64);
  // Residuals (1, 2) in units of the std: (2, 1); log N = -(4 + 1)/2 - ln(0.5 * 2) - ln(2 pi).
  const double expected = -2.5 - std::log(2.0 * std::numbers::pi);
  EXPECT_NEAR(obs.log_likelihood(y, x)[0].item<double>(), expected, 1e-12);
}

Gaussian small_prior() {
  const auto z = cell_centres();
  const auto mean = torch::stack({0.3 * torch::sin(2.0 * std::numbers::pi * z), -0.2 + 0.1 * z});
  return gaussian_process_prior(
      mean, {.z = z,
             .length_scale = 0.2,
             .channel_std = torch::tensor({0.5, 0.4}, torch::kFloat64),
             .channel_correlation = torch::tensor({{1.0, 0.7}, {0.7, 1.0}}, torch::kFloat64),
             .jitter = 1e-4});
}

TEST(GaussianProcessPrior, IsTheKroneckerProductOfChannelAndAxialCovariances) {
  const auto prior = small_prior();
  const auto& s = prior.covariance();
  const auto z = cell_centres();
  const double k_3_7 = std::exp(-0.5 * std::pow((z[3] - z[7]).item<double>() / 0.2, 2));
  EXPECT_NEAR(s[3][7].item<double>(), 0.25 * k_3_7, 1e-15);                       // channel 0 with itself
  EXPECT_NEAR(s[kLength + 3][7].item<double>(), 0.5 * 0.4 * 0.7 * k_3_7, 1e-15);  // across channels
  EXPECT_NEAR(s[kLength + 3][kLength + 3].item<double>(), 0.16 + 1e-4, 1e-15);
}

// D* = mu + S (S + s^2 I)^-1 (x - mu), evaluated by a direct solve, for a different
// sigma per sample: the eigen form must agree to rounding.
TEST(Gaussian, DenoiserMatchesADirectSolvePerSample) {
  const auto prior = small_prior();
  const auto x = torch::randn({3, kChannels, kLength}, torch::kFloat64);
  const auto sigma = torch::tensor({0.01, 0.7, 40.0}, torch::kFloat64);
  const auto d = prior.denoise(x, sigma);
  const auto& s = prior.covariance();
  const auto eye = torch::eye(s.size(0), torch::kFloat64);
  for (int b = 0; b < 3; ++b) {
    const double s2 = sigma[b].item<double>() * sigma[b].item<double>();
    const auto direct =
        prior.mean().flatten() +
        torch::matmul(s, torch::linalg_solve(s + s2 * eye, x[b].flatten() - prior.mean().flatten()));
    EXPECT_TRUE(torch::allclose(d[b].flatten(), direct, 1e-9, 1e-10)) << "sigma " << sigma[b].item<double>();
  }
}

// The information form S_p = (S^-1 + H^T Sy^-1 H)^-1, mu_p = S_p (S^-1 mu + H^T Sy^-1 y),
// evaluated literally, must equal the gain form the library uses. The prior's jitter keeps
// S^-1 accurate enough for 1e-8 here.
TEST(Gaussian, PosteriorMatchesTheInformationForm) {
  const auto prior = small_prior();
  const auto obs = point_observation(cell_centres(), kChannels,
                                     {{.channel = 0, .z = 0.2, .noise_std = 0.05},
                                      {.channel = 1, .z = 0.61, .noise_std = 0.1},
                                      {.channel = 0, .z = 0.9, .noise_std = 0.02}});
  const auto y = torch::tensor({0.1, -0.3, 0.4}, torch::kFloat64);
  const auto post = prior.posterior(obs, y);
  const auto& h = obs.matrix();
  const auto precision_y = torch::diag(obs.noise_std().square().reciprocal());
  const auto precision = torch::linalg_inv(prior.covariance());
  const auto cov = torch::linalg_inv(precision + torch::matmul(h.t(), torch::matmul(precision_y, h)));
  const auto mean = torch::matmul(cov, torch::matmul(precision, prior.mean().flatten()) +
                                           torch::matmul(h.t(), torch::matmul(precision_y, y)));
  EXPECT_TRUE(torch::allclose(post.covariance(), cov, 1e-6, 1e-8));
  EXPECT_TRUE(torch::allclose(post.mean().flatten(), mean, 1e-6, 1e-8));
}

TEST(Gaussian, SamplesHaveItsMoments) {
  const auto prior = small_prior();
  const int n = 20000;
  const auto x = prior.sample(n, at::detail::createCPUGenerator(11)).flatten(1);
  const auto centred = x - x.mean(0);
  const auto cov = torch::matmul(centred.t(), centred) / (n - 1);
  // Standard error of a sample mean: 0.5/sqrt(20000) = 0.0035; of a covariance entry at most
  // 0.25 sqrt(2/20000) = 0.0025; 5 standard errors.
  EXPECT_LT((x.mean(0) - prior.mean().flatten()).abs().max().item<double>(), 0.018);
  EXPECT_LT((cov - prior.covariance()).abs().max().item<double>(), 0.0125);
}

}  // namespace
}  // namespace hd::inverse
