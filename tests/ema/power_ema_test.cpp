// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/ema/power_ema.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hd/common/error.hpp"

namespace hd::ema {
namespace {

TEST(PowerEma, GammaMatchesThePaperValues) {
  // EDM2 section 3.1: sigma_rel 0.05 -> gamma 16.97, 0.10 -> 6.94 (quoted to 2 decimals).
  EXPECT_NEAR(gamma_from_sigma_rel(0.05), 16.97, 0.005);
  EXPECT_NEAR(gamma_from_sigma_rel(0.10), 6.94, 0.005);
  EXPECT_NEAR(gamma_from_sigma_rel(std::sqrt(1.0 / 12.0)), 0.0, 1e-6);
  for (double s : {0.01, 0.07, 0.2}) EXPECT_NEAR(sigma_rel_from_gamma(gamma_from_sigma_rel(s)), s, 1e-10);
}

TEST(PowerEma, GammaIsTheLargestRootOfThePapersCubic) {
  const double s = 0.13, g = gamma_from_sigma_rel(s), inv = 1.0 / (s * s);
  EXPECT_NEAR(g * g * g + 7 * g * g + (16 - inv) * g + (12 - inv), 0.0, 1e-6);
}

TEST(PowerEma, RejectsAWidthNoProfileHas) {
  EXPECT_THROW(gamma_from_sigma_rel(0.3), Error);
  EXPECT_THROW(gamma_from_sigma_rel(0.0), Error);
}

// Midpoint rule with 2e6 cells on smooth polynomials: relative error < 1e-8, so 1e-6
// tolerates only round-off in the closed form.
double numerical_inner_product(const Snapshot& a, const Snapshot& b) {
  const double end = std::min(a.t, b.t);
  const int n = 2'000'000;
  const double h = end / n;
  auto p = [](const Snapshot& s, double tau) {
    return (s.gamma + 1.0) * std::pow(tau, s.gamma) / std::pow(s.t, s.gamma + 1.0);
  };
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const double tau = (i + 0.5) * h;
    sum += p(a, tau) * p(b, tau);
  }
  return sum * h;
}

TEST(PowerEma, InnerProductMatchesQuadrature) {
  for (auto [a, b] : std::vector<std::pair<Snapshot, Snapshot>>{
           {{1.0, 6.94}, {1.0, 16.97}}, {{0.5, 6.94}, {1.0, 16.97}}, {{1.0, 3.0}, {0.7, 0.0}}}) {
    const double exact = kernel_inner_product(a, b);
    EXPECT_NEAR(exact, numerical_inner_product(a, b), 1e-6 * exact);
    EXPECT_DOUBLE_EQ(exact, kernel_inner_product(b, a));  // symmetric
  }
}

TEST(PowerEma, ReconstructingATrackedProfileSelectsIt) {
  const std::vector<Snapshot> snaps{{100, 16.97}, {100, 6.94}, {200, 16.97}, {200, 6.94}};
  auto w = reconstruction_weights(snaps, {200, 6.94});
  for (std::size_t i = 0; i < w.size(); ++i) EXPECT_NEAR(w[i], i == 3 ? 1.0 : 0.0, 1e-6);
}

// A parameter trajectory with drift and oscillation, trained with batch 8 for 40k images,
// tracked by the two EDM2 profiles with a snapshot every 2k images. Reconstruction of
// sigma_rel 0.07 at the end must agree with an EMA of that width tracked directly. The
// discrete EMA differs from the continuous kernel by O(batch/t); the observed difference
// is 1e-4 (0.004 % of the trajectory's range of 2.7), so 1e-3 leaves a factor 10 of
// margin while a wrong inner product or gamma gives errors of order 1e-2 and more.
TEST(PowerEma, ReconstructionMatchesADirectlyTrackedEma) {
  const std::int64_t batch = 8, total = 40'000, interval = 2'000;
  const std::vector<double> gammas{gamma_from_sigma_rel(0.05), gamma_from_sigma_rel(0.10)};
  const double target_gamma = gamma_from_sigma_rel(0.07);
  auto theta = [](double t) { return std::sin(t / 3000.0) + 1e-5 * t + 0.3 * std::cos(t / 700.0); };

  std::vector<double> tracked(gammas.size(), 0.0);
  double direct = 0.0;
  std::vector<Snapshot> snapshots;
  std::vector<double> snapshot_values;
  for (std::int64_t t = batch; t <= total; t += batch) {
    const double value = theta(static_cast<double>(t));
    for (std::size_t k = 0; k < gammas.size(); ++k) {
      const double beta = power_beta(gammas[k], t, batch);
      tracked[k] = beta * tracked[k] + (1.0 - beta) * value;
    }
    const double beta = power_beta(target_gamma, t, batch);
    direct = beta * direct + (1.0 - beta) * value;
    if (t % interval == 0)
      for (std::size_t k = 0; k < gammas.size(); ++k) {
        snapshots.push_back({static_cast<double>(t), gammas[k]});
        snapshot_values.push_back(tracked[k]);
      }
  }
  auto w = reconstruction_weights(snapshots, {static_cast<double>(total), target_gamma});
  double reconstructed = 0.0, sum = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    reconstructed += w[i] * snapshot_values[i];
    sum += w[i];
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);
  EXPECT_NEAR(reconstructed, direct, 1e-3);
  // And it is not trivially any of the tracked profiles.
  EXPECT_GT(std::abs(tracked[0] - direct) + std::abs(tracked[1] - direct), 1e-3);
}

}  // namespace
}  // namespace hd::ema
