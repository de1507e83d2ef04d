// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/unet.hpp"

#include <gtest/gtest.h>

namespace hd::edm2 {
namespace {

ModelConfig tiny_config() {
  ModelConfig c;
  c.channels = 3;
  c.length = 32;
  c.base_channels = 16;
  c.channel_mult = {1, 2, 3};
  c.num_blocks = 1;
  c.attention_resolutions = {16};
  c.channels_per_head = 16;
  c.label_dim = 2;
  return c;
}

TEST(UNet, OutputHasTheInputShape) {
  torch::manual_seed(0);
  auto c = tiny_config();
  UNet net(c);
  auto labels = label_features(c, torch::randn({5, 2}), torch::ones({5, 2}));
  auto y = net(torch::randn({5, 3, 32}), torch::randn({5}), labels);
  EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{5, 3, 32}));
}

TEST(UNet, RawNetworkPreservesMagnitudeOnceTheOutputGainIsOne) {
  torch::manual_seed(0);
  auto c = tiny_config();
  UNet net(c);
  {
    torch::NoGradGuard no_grad;
    net->named_parameters()["out_gain"].fill_(1.0);
  }
  auto labels = label_features(c, torch::randn({64, 2}), {});
  auto y = net(torch::randn({64, 3, 32}), torch::randn({64}), labels);
  // Magnitude preservation through ~15 blocks: within a factor of 2 at init (a block
  // with a wrong constant compounds to orders of magnitude over the depth).
  const double rms = y.square().mean().sqrt().item<double>();
  EXPECT_GT(rms, 0.5);
  EXPECT_LT(rms, 2.0);
}

// Evaluation without autograd takes the fast path (convolutions on pre-reordered oneDNN
// weights, norms as sqrt(sum x^2)); with autograd recording, the differentiable one. Both
// must give the same network up to float round-off.
TEST(UNet, EvaluationWithoutAutogradMatchesTheDifferentiablePath) {
  torch::manual_seed(0);
  auto c = tiny_config();
  UNet net(c);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : net->named_parameters()) {
      if (p.key() == "out_gain" || p.key().ends_with("emb_gain"))
        p.value().fill_(0.5);  // exercise every branch
    }
  }
  net->eval();
  auto labels = label_features(c, torch::randn({8, 2}), {});
  auto x = torch::randn({8, 3, 32});
  auto noise = torch::randn({8});
  torch::Tensor fast;
  {
    torch::NoGradGuard no_grad;
    fast = net(x, noise, labels);
  }
  auto x_tracked = x.clone().requires_grad_();
  auto tracked = net(x_tracked, noise, labels);
  tracked.square().sum().backward();  // the differentiable path still differentiates in eval
  ASSERT_TRUE(x_tracked.grad().defined());
  EXPECT_TRUE(torch::allclose(fast, tracked.detach(), 1e-5, 1e-6));
  EXPECT_GT(fast.abs().max().item<double>(), 0.1);
}

TEST(Precond, DenoiserIsCskipTimesInputAtInit) {
  torch::manual_seed(0);
  auto c = tiny_config();
  Precond model(c);
  auto x = torch::randn({4, 3, 32});
  auto sigma = torch::tensor({0.01f, 0.5f, 2.0f, 80.0f});
  auto d = model(x, sigma, label_features(c, {}, torch::zeros({4, 2})));
  auto c_skip = (0.25 / (sigma.square() + 0.25)).reshape({-1, 1, 1});
  EXPECT_TRUE(torch::allclose(d, c_skip * x, 1e-6, 1e-6));
}

TEST(Precond, JointLabelsAddConstantChannels) {
  auto c = tiny_config();
  c.joint_labels = true;
  auto params = torch::randn({2, 2});
  auto image = model_image(c, torch::randn({2, 3, 32}), params);
  ASSERT_EQ(image.size(1), 5);
  EXPECT_TRUE(torch::allclose(image.select(1, 4), params.select(1, 1).unsqueeze(1).expand({2, 32})));
  Precond model(c);
  EXPECT_EQ(model(image, torch::ones({2}), label_features(c, params, {})).sizes(), image.sizes());
}

TEST(Labels, MaskHidesUnknownScalarsAndIsAnInput) {
  auto c = tiny_config();
  auto f = label_features(c, torch::tensor({{3.0f, 4.0f}}), torch::tensor({{1.0f, 0.0f}}));
  EXPECT_TRUE(torch::equal(f, torch::tensor({{3.0f, 0.0f, 1.0f, 0.0f}})));
}

}  // namespace
}  // namespace hd::edm2
