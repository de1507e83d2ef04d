// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/sampler/edm.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hd/common/error.hpp"

namespace hd::sampler {

torch::Tensor edm_sigmas(const Schedule& s) {
  if (s.steps < 2 || !(s.sigma_min > 0.0) || !(s.sigma_max > s.sigma_min) || !(s.rho > 0.0))
    throw Error("EDM schedule needs steps >= 2 and 0 < sigma_min < sigma_max (got steps " +
                std::to_string(s.steps) + ", sigma " + std::to_string(s.sigma_min) + ".." +
                std::to_string(s.sigma_max) + ")");
  auto i = torch::arange(s.steps, torch::kFloat64);
  const double a = std::pow(s.sigma_max, 1.0 / s.rho), b = std::pow(s.sigma_min, 1.0 / s.rho);
  auto sigmas = torch::pow(a + i / (s.steps - 1) * (b - a), s.rho);
  return torch::cat({sigmas, torch::zeros({1}, torch::kFloat64)});
}

torch::Tensor heun_sample(const Denoiser& denoise, const torch::Tensor& noise, const HeunOptions& o,
                          c10::optional<torch::Generator> generator) {
  const auto sigmas = edm_sigmas(o.schedule);
  const auto n = o.schedule.steps;
  const auto batch = noise.size(0);
  auto level = [&](double sigma) {
    return torch::full({batch}, sigma, noise.options().dtype(torch::kFloat32));
  };
  auto x = noise.to(torch::kFloat32) * sigmas[0].item<double>();
  for (int i = 0; i < n; ++i) {
    const double sigma = sigmas[i].item<double>(), next = sigmas[i + 1].item<double>();
    const double gamma =
        (sigma >= o.s_min && sigma <= o.s_max) ? std::min(o.s_churn / n, std::sqrt(2.0) - 1.0) : 0.0;
    const double sigma_hat = sigma * (1.0 + gamma);
    if (gamma > 0.0) {
      auto eps = torch::randn(x.sizes(), generator, x.options());
      x = x + std::sqrt(sigma_hat * sigma_hat - sigma * sigma) * o.s_noise * eps;
    }
    auto d = (x - denoise(x, level(sigma_hat))) / sigma_hat;
    auto x_next = x + (next - sigma_hat) * d;
    if (next > 0.0) {
      auto d_next = (x_next - denoise(x_next, level(next))) / next;
      x_next = x + (next - sigma_hat) * 0.5 * (d + d_next);
    }
    x = x_next;
  }
  return x;
}

}  // namespace hd::sampler
