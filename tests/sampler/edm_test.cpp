// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/sampler/edm.hpp"

#include <gtest/gtest.h>

namespace hd::sampler {
namespace {

TEST(EdmSchedule, RunsFromSigmaMaxToSigmaMinThenZero) {
  auto s = edm_sigmas({.steps = 32});
  ASSERT_EQ(s.size(0), 33);
  EXPECT_DOUBLE_EQ(s[0].item<double>(), 80.0);
  EXPECT_NEAR(s[31].item<double>(), 0.002, 1e-12);
  EXPECT_EQ(s[32].item<double>(), 0.0);
  EXPECT_TRUE((s.slice(0, 1) < s.slice(0, 0, 32)).all().item<bool>());
}

// Known answer (edm2-and-inverse.md section 6, test 1): for data ~ N(mu, Sigma) the exact
// denoiser is D* = mu + Sigma (Sigma + s^2 I)^-1 (x - mu), and Heun on D* must return
// samples with mean mu and covariance Sigma. Sigma is a squared-exponential GP on 8
// points (variance 0.25, the data scale the model sees).
TEST(HeunSampler, RecoversAGaussianPriorWithTheExactDenoiser) {
  torch::manual_seed(3);
  const int dim = 8, samples = 8000;
  auto z = torch::linspace(0, 1, dim, torch::kFloat64);
  auto sigma_prior = 0.25 * torch::exp(-0.5 * (z.unsqueeze(0) - z.unsqueeze(1)).square() / (0.3 * 0.3)) +
                     1e-4 * torch::eye(dim, torch::kFloat64);
  auto mu = 0.2 * torch::sin(3.0 * z);
  auto eye = torch::eye(dim, torch::kFloat64);
  Denoiser exact = [&](const torch::Tensor& x, const torch::Tensor& sigma) {
    // All rows share sigma (the sampler passes one level per call).
    const double s = sigma[0].item<double>();
    auto gain = torch::linalg_solve(sigma_prior + s * s * eye,
                                    sigma_prior);  // (S + s^2 I)^-1 S; x rows multiply from the left
    auto centred = x.to(torch::kFloat64).reshape({x.size(0), dim}) - mu;
    return (mu + torch::matmul(centred, gain)).to(torch::kFloat32).reshape(x.sizes());
  };
  auto x =
      heun_sample(exact, torch::randn({samples, 1, dim}), {}).reshape({samples, dim}).to(torch::kFloat64);
  auto mean = x.mean(0);
  auto centred = x - mean;
  auto cov = torch::matmul(centred.t(), centred) / (samples - 1);
  // Sampling error: the mean's standard error is 0.5/sqrt(8000) = 0.0056, a covariance
  // entry's about 0.25 sqrt(2/8000) = 0.004; 5 standard errors: 0.03 and 0.02. The
  // ODE's discretization error at N = 32 is far below that.
  EXPECT_LT((mean - mu).abs().max().item<double>(), 0.03);
  EXPECT_LT((cov - sigma_prior).abs().max().item<double>(), 0.02);
}

TEST(HeunSampler, ChurnDrawsFromTheGivenGenerator) {
  Denoiser zero = [](const torch::Tensor& x, const torch::Tensor&) { return torch::zeros_like(x); };
  HeunOptions churn{.schedule = {.steps = 4}, .s_churn = 10.0};
  auto noise = torch::randn({2, 1, 4});
  auto a = heun_sample(zero, noise, churn, at::detail::createCPUGenerator(5));
  auto b = heun_sample(zero, noise, churn, at::detail::createCPUGenerator(5));
  auto c = heun_sample(zero, noise, churn, at::detail::createCPUGenerator(6));
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, c));
}

}  // namespace
}  // namespace hd::sampler
