// SPDX-License-Identifier: GPL-3.0-or-later
// Twisted sequential Monte Carlo (TDS, Wu et al. 2023, arXiv 2306.17775) over the EDM
// reverse SDE: populations of K particles are moved by guided Euler-Maruyama steps,
// reweighted so that the population targets p(x_i) p~_i(y | x_i) at every noise level and
// p(x) p(y | x) at the end, and resampled when their weights degenerate. Unlike DPS and
// MMPS it is exact as K grows, whatever the network's Jacobian looks like; unlike SIR of
// prior samples its weights are corrected step by step, so 15 precise measurements do not
// leave one sample with all the weight (docs/inverse.md "Twisted SMC").
#pragma once
#include <torch/torch.h>

#include "hd/inverse/observation.hpp"
#include "hd/sampler/edm.hpp"

namespace hd::inverse {

struct TwistedSmcOptions {
  int particles = 16;                // K per population
  double resample_threshold = 0.5;   // resample a population once its ESS < threshold K
  double sigma_data = 0.5;           // the data std of the normalized space, in r^2
};

struct TwistedSmcResult {
  torch::Tensor x;  // [P, ...]: one draw from the final weights of each population
  sampler::Evaluations evaluations;  // per particle batch (each counts P K samples)
  double final_effective_sample_size = 0.0;  // 1/sum w^2 of the final weights, mean over populations
  double resamplings_per_population = 0.0;   // how often a population was resampled, mean
};

// The twist p~_sigma(y | x) = N(y; A(D(x; sigma)), Sigma_y + r^2 diag(A A^T)),
// r^2 = sigma^2 sigma_data^2 / (sigma^2 + sigma_data^2) (A the observation's Jacobian at
// D), per sample [B]: the likelihood of y if x given x_sigma were N(D, r^2 I).
torch::Tensor log_twist(const Observation& observation, const torch::Tensor& y, const torch::Tensor& denoised,
                        double sigma, double sigma_data);

// P = noise.size(0) / K populations from noise [P K, ...] (standard normal); x_0 = sigma_0 noise.
// Each step i moves every particle by the Euler-Maruyama step of the reverse SDE with the
// twist's score added to the prior's,
//   x' = x + v (D - x)/sigma^2 + v grad log p~_sigma(y | x) + sqrt(v) eps,  v = sigma^2 - sigma'^2,
// and multiplies its weight by p(x' | x) p~_sigma'(y | x') / (q(x' | x) p~_sigma(y | x)),
// p and q the unguided and guided Gaussian steps; at sigma' = 0 the twist is the exact
// likelihood N(y; A(x'), Sigma_y). One network evaluation and one vector-Jacobian product
// per step. The schedule's integrator and churn do not apply.
TwistedSmcResult twisted_smc(const sampler::Denoiser& denoiser, const Observation& observation,
                             const torch::Tensor& y, const torch::Tensor& noise, const sampler::Schedule& schedule,
                             const TwistedSmcOptions& options, torch::Dtype dtype, torch::Generator generator);

}  // namespace hd::inverse
