// SPDX-License-Identifier: GPL-3.0-or-later
// EDM sampling (Karras et al. 2022, arXiv 2206.00364, algorithm 2): the noise-level
// schedule and the Heun integrator of the probability-flow ODE dx/dsigma = (x - D)/sigma,
// with optional stochastic churn.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <limits>

namespace hd::sampler {

// D(x; sigma): x [B, ...], sigma [B] -> denoised [B, ...].
using Denoiser = std::function<torch::Tensor(const torch::Tensor& x, const torch::Tensor& sigma)>;

struct Schedule {
  int steps = 32;  // N
  double sigma_min = 0.002;
  double sigma_max = 80.0;
  double rho = 7.0;
};

// sigma_i = (smax^(1/rho) + i/(N-1) (smin^(1/rho) - smax^(1/rho)))^rho for i < N, sigma_N = 0.
// float64, N + 1 entries.
torch::Tensor edm_sigmas(const Schedule& schedule);

struct HeunOptions {
  Schedule schedule;
  // Churn (EDM eq. 6): gamma_i = min(S_churn/N, sqrt(2) - 1) for sigma_i in [S_min, S_max].
  double s_churn = 0.0;
  double s_min = 0.0;
  double s_max = std::numeric_limits<double>::infinity();
  double s_noise = 1.0;
};

// Integrates from x_0 = sigma_0 * noise to sigma = 0 in float32 (as EDM2 does): an Euler
// step then, while sigma_{i+1} > 0, the trapezoidal (Heun) correction; 2N - 1 network
// evaluations. `generator` draws the churn noise (unused when s_churn = 0).
torch::Tensor heun_sample(const Denoiser& denoise, const torch::Tensor& noise, const HeunOptions& options,
                          c10::optional<torch::Generator> generator = c10::nullopt);

}  // namespace hd::sampler
