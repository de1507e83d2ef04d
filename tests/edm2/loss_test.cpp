// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/loss.hpp"

#include <gtest/gtest.h>

#include "hd/edm2/training_config.hpp"

namespace hd::edm2 {
namespace {

ModelConfig small_config() {
  ModelConfig c;
  c.channels = 2;
  c.length = 16;
  c.base_channels = 8;
  c.channel_mult = {1, 2};
  c.num_blocks = 1;
  c.attention_resolutions = {};
  c.channels_per_head = 8;
  return c;
}

// At init D = c_skip x and u(sigma) = 0 (its linear layer has unit-norm weights over
// Fourier features, so u is not exactly 0; the loss must match the formula with the
// model's own u). Recompute the loss from the same draws and compare.
TEST(Edm2Loss, MatchesTheLearnedUncertaintyFormula) {
  torch::manual_seed(0);
  Precond model(small_config());
  auto x = torch::randn({8, 2, 16}) * 0.5;
  torch::manual_seed(42);
  auto loss = edm2_loss(model, x, {}, {.p_mean = -1.2, .p_std = 1.2}).item<double>();

  torch::manual_seed(42);
  auto sigma = torch::exp(torch::randn({8}) * 1.2 - 1.2);
  auto noisy = x + torch::randn_like(x) * sigma.reshape({-1, 1, 1});
  torch::NoGradGuard no_grad;
  auto d = model(noisy, sigma);
  auto s = sigma.reshape({-1, 1, 1});
  auto lambda = (s * s + 0.25) / (s * 0.5).square();
  auto u = model->logvar(sigma).reshape({-1, 1, 1});
  auto expected = (lambda / u.exp() * (d - x).square() + u).mean().item<double>();
  EXPECT_NEAR(loss, expected, 1e-5 * std::abs(expected));
}

TEST(Edm2Loss, DerivativePenaltyAveragesTheErrorAndItsDifferences) {
  // e = ramp 0, 1, 2, 3: De = 1, 1, 1, 0 (zero past the end), D2e = 0, 0, -1, 0.
  auto x = torch::zeros({1, 1, 4});
  auto d = torch::tensor({0.0f, 1.0f, 2.0f, 3.0f}).reshape({1, 1, 4});
  auto plain = squared_error(d, x, false);
  auto penalized = squared_error(d, x, true);
  EXPECT_TRUE(torch::equal(plain, torch::tensor({0.0f, 1.0f, 4.0f, 9.0f}).reshape({1, 1, 4})));
  auto expected =
      torch::tensor({0.0f + 1 + 0, 1.0f + 1 + 0, 4.0f + 1 + 1, 9.0f + 0 + 0}).reshape({1, 1, 4}) / 3.0;
  EXPECT_TRUE(torch::allclose(penalized, expected));
}

TEST(LearningRate, WarmsUpLinearlyThenDecaysAsInverseSquareRoot) {
  EXPECT_DOUBLE_EQ(learning_rate(0.01, 50, 1000, 100), 0.005);
  EXPECT_DOUBLE_EQ(learning_rate(0.01, 500, 1000, 100), 0.01);
  EXPECT_DOUBLE_EQ(learning_rate(0.01, 4000, 1000, 100), 0.005);
  EXPECT_DOUBLE_EQ(learning_rate(0.01, 0, 1000, 0), 0.01);
}

TEST(Training, GradientsReachEveryParameter) {
  torch::manual_seed(0);
  auto c = small_config();
  c.label_dim = 2;
  Precond model(c);
  // out_gain and emb_gain start at 0 and block the gradients behind them: the first step
  // opens out_gain, the second the emb_gains, so from the third every parameter learns.
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  auto x = torch::randn({8, 2, 16}) * 0.5;
  auto labels = label_features(c, torch::randn({8, 2}), torch::ones({8, 2}));
  for (int step = 0; step < 3; ++step) {
    optimizer.zero_grad();
    edm2_loss(model, x, labels, {}).backward();
    if (step < 2) optimizer.step();
  }
  for (const auto& item : model->named_parameters()) {
    const auto& grad = item.value().grad();
    ASSERT_TRUE(grad.defined()) << item.key();
    EXPECT_GT(grad.abs().sum().item<double>(), 0.0) << item.key();
  }
}

}  // namespace
}  // namespace hd::edm2
