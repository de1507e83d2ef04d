// SPDX-License-Identifier: GPL-3.0-or-later
// The magnitude-preserving primitives keep unit-variance inputs at unit variance.
#include "hd/edm2/layers.hpp"

#include <gtest/gtest.h>

namespace hd::edm2 {
namespace {

// Standard deviation estimates from ~1e5 samples have relative error ~0.5 %; 3 % is a
// loose bound that still catches a wrong constant (the smallest defect, a missing
// sqrt(2) or 0.596, is > 40 %).
constexpr double kMagnitudeTol = 0.03;

double rms(const torch::Tensor& x) {
  return x.square().mean().sqrt().item<double>();
}

class Primitives : public ::testing::Test {
 protected:
  void SetUp() override { torch::manual_seed(1); }
};

TEST_F(Primitives, NormalizeGivesUnitRmsPerOutputUnit) {
  auto w = torch::randn({8, 5, 3}) * 7.0;
  auto rms_per_row = normalize_rows(w).square().mean({1, 2}).sqrt();
  EXPECT_TRUE(torch::allclose(rms_per_row, torch::ones({8}), 1e-4, 1e-4));
}

TEST_F(Primitives, PixelNormGivesUnitRmsPerPosition) {
  auto x = torch::randn({4, 16, 32}) * 3.0 + 1.0;
  auto rms_per_pixel = pixel_norm(x).square().mean(1).sqrt();
  EXPECT_TRUE(torch::allclose(rms_per_pixel, torch::ones({4, 32}), 1e-4, 1e-4));
}

TEST_F(Primitives, MpSiluPreservesUnitMagnitude) {
  EXPECT_NEAR(rms(mp_silu(torch::randn({200000}))), 1.0, kMagnitudeTol);
}

TEST_F(Primitives, MpSumPreservesUnitMagnitudeForIndependentInputs) {
  for (double t : {0.0, 0.3, 0.5, 0.9})
    EXPECT_NEAR(rms(mp_sum(torch::randn({200000}), torch::randn({200000}), t)), 1.0, kMagnitudeTol)
        << "t = " << t;
}

TEST_F(Primitives, MpCatPreservesMagnitudeAndBalancesParts) {
  auto a = torch::randn({64, 24, 64});
  auto b = torch::randn({64, 40, 64});
  auto y = mp_cat(a, b, 0.3);
  ASSERT_EQ(y.size(1), 64);
  EXPECT_NEAR(rms(y), 1.0, kMagnitudeTol);
  // Share of the total energy from b is t^2 / ((1-t)^2 + t^2), whatever the widths.
  const double share_b = y.narrow(1, 24, 40).square().sum().item<double>() / y.square().sum().item<double>();
  EXPECT_NEAR(share_b, 0.09 / (0.49 + 0.09), 0.01);
}

TEST_F(Primitives, ResamplingPreservesShapeRulesAndConstantSignals) {
  auto x = torch::randn({2, 3, 16});
  EXPECT_EQ(downsample(x).sizes(), (std::vector<std::int64_t>{2, 3, 8}));
  EXPECT_EQ(upsample(x).sizes(), (std::vector<std::int64_t>{2, 3, 32}));
  // Nearest x2 keeps every value (no gain): the reference's x4 transposed conv did not.
  EXPECT_NEAR(rms(upsample(x)), rms(x), 1e-6);
  EXPECT_TRUE(torch::allclose(downsample(upsample(x)), x));
}

TEST_F(Primitives, MpConvPreservesMagnitudeAtInit) {
  MPConv conv(64, 96, 3);
  EXPECT_NEAR(rms(conv(torch::randn({16, 64, 128}))), 1.0, kMagnitudeTol);
  MPConv linear(64, 96, 0);
  EXPECT_NEAR(rms(linear(torch::randn({4096, 64}))), 1.0, kMagnitudeTol);
}

TEST_F(Primitives, MpConvForcesWeightNormInTrainingOnly) {
  MPConv conv(4, 6, 3);
  {
    torch::NoGradGuard no_grad;
    conv->weight.mul_(5.0);
  }
  conv->eval();
  conv(torch::randn({1, 4, 8}));
  EXPECT_GT(conv->weight.square().mean().item<double>(), 4.0);  // left alone in eval
  conv->train();
  conv(torch::randn({1, 4, 8}));
  auto row_rms = conv->weight.square().mean({1, 2}).sqrt();
  EXPECT_TRUE(torch::allclose(row_rms, torch::ones({6}), 1e-4, 1e-4));
}

TEST_F(Primitives, MpConvEvalCacheFollowsWeightChanges) {
  MPConv conv(4, 6, 3);
  conv->eval();
  auto x = torch::randn({2, 4, 8});
  torch::NoGradGuard no_grad;
  auto before = conv(x);
  conv->weight.copy_(torch::randn_like(conv->weight));
  auto after = conv(x);
  EXPECT_FALSE(torch::allclose(before, after));
  conv->train();
  auto trained = conv(x);
  conv->eval();
  EXPECT_TRUE(torch::allclose(trained, conv(x), 1e-5, 1e-5));
}

// Moving a module (to another device or dtype) replaces its weight tensors; the eval cache
// must follow rather than hand back the old tensor. A dtype change stands in for a device
// move here, which needs no GPU.
TEST_F(Primitives, MpConvEvalCacheFollowsAModuleMove) {
  MPConv conv(4, 6, 3);
  conv->eval();
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({2, 4, 8});
  const auto before = conv(x);
  conv->to(torch::kFloat64);
  const auto moved = conv(x.to(torch::kFloat64));
  EXPECT_EQ(moved.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::allclose(moved.to(torch::kFloat32), before, 1e-5, 1e-5));
}

TEST_F(Primitives, ClipBoundsActivationsAndLeavesOthersAlone) {
  auto x = torch::tensor({-300.0f, 1.0f, 500.0f});
  EXPECT_TRUE(torch::equal(clip(x, 256.0), torch::tensor({-256.0f, 1.0f, 256.0f})));
  auto inside = torch::tensor({-3.0f, 2.0f});
  EXPECT_TRUE(torch::equal(clip(inside, 256.0), inside));
}

TEST_F(Primitives, MpFourierHasUnitMagnitudeAndSavedBuffers) {
  MPFourier fourier(256);
  EXPECT_NEAR(rms(fourier(torch::randn({4096}))), 1.0, kMagnitudeTol);
  EXPECT_EQ(fourier->named_buffers().size(), 2u);
}

TEST_F(Primitives, BlockPreservesMagnitudeAtInit) {
  for (auto flavor : {Flavor::encoder, Flavor::decoder}) {
    Block block(BlockOptions{64, 128, 256, flavor, Resample::keep, 2});
    auto y = block(torch::randn({16, 64, 64}), torch::randn({16, 256}));
    EXPECT_EQ(y.sizes(), (std::vector<std::int64_t>{16, 128, 64}));
    // Encoder: pixel norm then mp_sum of unit parts; decoder: mp_sum of a unit skip and a
    // residual. The residual branch is only roughly unit (silu of a sum), so 15 %.
    EXPECT_NEAR(rms(y), 1.0, 0.15);
  }
}

}  // namespace
}  // namespace hd::edm2
