// SPDX-License-Identifier: GPL-3.0-or-later
// Posterior sampling methods for y = A(x) + n (docs/inverse.md): guidance that acts on the
// sampler through its hook (DPS, MMPS, noise-matched replacement), and
// sampling-importance-resampling of prior samples, the exact reference. Everything works in
// the model's normalized space; y is [m] (one observation for the whole batch) or [B, m].
#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "hd/common/rng.hpp"
#include "hd/inverse/observation.hpp"
#include "hd/sampler/edm.hpp"

namespace hd::inverse {

enum class DpsWeighting {
  constant,       // zeta_i = scale, the reference code's choice
  step_variance,  // zeta_i = scale (sigma_i^2 - sigma_{i+1}^2)/2
};

struct DpsOptions {
  double scale = 1.0;
  DpsWeighting weighting = DpsWeighting::constant;
  double sigma_data = 0.5;  // the data std of the normalized space, in r^2
};

// Diffusion posterior sampling (Chung et al. 2022, arXiv 2209.14687) in the form of the
// reference Hall-thruster code: after each prior step, with x_i the step's start state
// (after churn) and D_i = D(x_i; sigma_i) its first evaluation,
//   x_{i+1} <- x_{i+1} - zeta_i grad_{x_i} sum_k (y_k - A(D_i)_k)^2 / (gamma_k^2 + r_i^2),
//   r_i^2 = sigma_i^2 sigma_data^2 / (sigma_i^2 + sigma_data^2),
// gamma_k the noise std. The gradient runs through the network: 1 vector-Jacobian product
// per step. zeta_i is a tuning constant, or, step-weighted, the step of the score of the
// approximate likelihood N(y; A(D), gamma^2 + r^2): scale 1 under Euler-Maruyama, 1/2 under
// the ODE integrators. Biased by design either way (docs/inverse.md).
class Dps final : public sampler::Guidance {
 public:
  Dps(Observation observation, torch::Tensor y, DpsOptions options = {});
  torch::Tensor denoise(const sampler::LevelDenoiser& denoiser, const torch::Tensor& x, double sigma,
                        bool start, const sampler::Step& step) override;
  torch::Tensor after_step(const torch::Tensor& x_next, const sampler::Step& step) override;

 private:
  Observation observation_;
  torch::Tensor y_;
  DpsOptions options_;
  torch::Tensor gradient_;  // of the current step
};

struct MmpsOptions {
  int cg_iterations = 3;  // 1-5
};

// Moment-matching posterior sampling (MMPS, Rozet et al. 2024; TMPD, Boys et al. 2023):
// at every evaluation the integrator uses D~ = D + sigma^2 J^T A^T u, where J = dD/dx
// (Tweedie: Cov[x | x_sigma] = sigma^2 J), A is the observation's Jacobian at D (A itself
// when linear) and u solves (Sigma_y + sigma^2 A J A^T) u = y - A(D) by conjugate
// gradients. J is applied as the network's vector-Jacobian product, taking J symmetric as
// Tweedie's covariance is: cg_iterations + 1 products per evaluation. Exact for a Gaussian
// prior with a linear A once cg_iterations >= m.
class Mmps final : public sampler::Guidance {
 public:
  Mmps(Observation observation, torch::Tensor y, MmpsOptions options = {});
  torch::Tensor denoise(const sampler::LevelDenoiser& denoiser, const torch::Tensor& x, double sigma,
                        bool start, const sampler::Step& step) override;

 private:
  Observation observation_;
  torch::Tensor y_;
  MmpsOptions options_;
};

// Noise-matched replacement for directly observed entries (a linear observation whose rows
// each pick one grid value): after each prior step to sigma_{i+1} >= gamma_k, entry k is
// replaced, x <- (1 - M) x + M (y + sqrt(sigma_{i+1}^2 - gamma_k^2) eps), which has the law
// of x + sigma_{i+1} eps given the truth; below gamma_k the prior finishes the denoising.
// No network gradient; needs a stochastic sampler (Euler-Maruyama or churn) to harmonise
// the fill. Biased by design.
class Replacement final : public sampler::Guidance {
 public:
  Replacement(const Observation& observation, torch::Tensor y);
  torch::Tensor after_step(const torch::Tensor& x_next, const sampler::Step& step) override;

 private:
  torch::Tensor index_;  // [m] observed entries of vec(x)
  torch::Tensor y_;
  torch::Tensor noise_var_;
};

enum class Resampling { multinomial, systematic };

struct Resampled {
  torch::Tensor samples;               // [count, ...], drawn from the prior samples
  torch::Tensor indices;               // [count], int64, into the prior samples
  torch::Tensor weights;               // [K], the normalized importance weights
  double effective_sample_size = 0.0;  // 1 / sum w^2
};

// Sampling-importance-resampling: weights w_j ∝ N(y; A(x_j), Sigma_y) over K prior samples
// x_j [K, ...], then `count` draws by the resampling scheme from `rng`. Exact as K grows;
// the reference for the other methods when the effective sample size is large enough.
Resampled importance_resample(const torch::Tensor& prior_samples, const Observation& observation,
                              const torch::Tensor& y, std::int64_t count, Resampling scheme, RngStream& rng);

}  // namespace hd::inverse
