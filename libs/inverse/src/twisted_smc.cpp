// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/twisted_smc.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "hd/common/error.hpp"

namespace hd::inverse {

namespace {

// D, the log-twist and its gradient with respect to the particles at one noise level.
struct Twisted {
  torch::Tensor denoised;   // [B, ...]
  torch::Tensor log_twist;  // [B], float64
  torch::Tensor gradient;   // [B, ...], grad_x log p~(y | x)
};

Twisted twisted_at(const sampler::Denoiser& denoiser, const Observation& observation, const torch::Tensor& y,
                   const torch::Tensor& x, double sigma, double sigma_data, sampler::Evaluations& evaluations) {
  torch::AutoGradMode enable(true);
  auto input = x.detach().requires_grad_(true);
  const auto denoised = denoiser(input, torch::full({x.size(0)}, sigma, x.options()));
  const auto twist = log_twist(observation, y, denoised, sigma, sigma_data);
  auto gradient = torch::autograd::grad({twist.sum()}, {input})[0];
  ++evaluations.forward;
  ++evaluations.backward;
  return {denoised.detach(), twist.detach(), gradient};
}

// Per-sample sum over every dimension but the first, in float64.
torch::Tensor per_sample_sum(const torch::Tensor& t) {
  return t.flatten(1).to(torch::kFloat64).sum(1);
}

// Normalizes the log-weights [P, K] of each population in place; returns 1/sum w^2 per population.
torch::Tensor normalize(torch::Tensor& log_weights) {
  log_weights = log_weights - torch::logsumexp(log_weights, 1, true);
  return 1.0 / (2.0 * log_weights).exp().sum(1);
}

// For each population p, the particles whose cumulative weight first reaches each of
// positions [P, J] (in [0, 1)), as indices [P, J] into the flat particle batch [P K].
torch::Tensor draw_by_weights(const torch::Tensor& log_weights, const torch::Tensor& positions) {
  const auto populations = log_weights.size(0), k = log_weights.size(1);
  auto cdf = log_weights.exp().cumsum(1);
  cdf.select(1, k - 1).fill_(1.0);  // round-off must not leave the last position unmatched
  const auto chosen = torch::searchsorted(cdf, positions).clamp_max(k - 1);
  return chosen + torch::arange(populations, torch::kInt64).unsqueeze(1) * k;
}

// K ancestors per population by systematic resampling: positions (u_p + j)/K.
torch::Tensor systematic_ancestors(const torch::Tensor& log_weights, torch::Generator& generator) {
  const auto k = log_weights.size(1);
  const auto u = torch::rand({log_weights.size(0), 1}, generator, torch::kFloat64);
  return draw_by_weights(log_weights, (u + torch::arange(k, torch::kFloat64)) / static_cast<double>(k));
}

}  // namespace

torch::Tensor log_twist(const Observation& observation, const torch::Tensor& y, const torch::Tensor& denoised,
                        double sigma, double sigma_data) {
  const double sd2 = sigma_data * sigma_data;
  const double r2 = sigma * sigma * sd2 / (sigma * sigma + sd2);
  // diag(A A^T): [m] for a linear A, [B, m] from the Jacobian at D otherwise.
  const auto gain = observation.is_linear() ? observation.matrix().square().sum(1)
                                            : observation.jacobian(denoised.detach()).square().sum(2);
  const auto variance = observation.noise_std().square() + r2 * gain.to(torch::kFloat64);
  const auto predicted = observation(denoised).to(torch::kFloat64);
  const auto misfit = y.to(torch::kFloat64) - predicted;
  return -0.5 * (misfit.square() / variance + (2.0 * std::numbers::pi * variance).log()).sum(1);
}

TwistedSmcResult twisted_smc(const sampler::Denoiser& denoiser, const Observation& observation,
                             const torch::Tensor& y, const torch::Tensor& noise, const sampler::Schedule& schedule,
                             const TwistedSmcOptions& o, torch::Dtype dtype, torch::Generator generator) {
  const std::int64_t k = o.particles;
  if (k < 1 || noise.size(0) % k != 0)
    throw Error("twisted SMC needs particles >= 1 dividing the batch (got " + std::to_string(k) + " for " +
                std::to_string(noise.size(0)) + ")");
  if (!(o.resample_threshold >= 0.0 && o.resample_threshold <= 1.0) || !(o.sigma_data > 0.0))
    throw Error("twisted SMC needs a resample threshold in [0, 1] and sigma_data > 0");
  if (y.dim() != 1 || y.size(0) != observation.size())
    throw Error("twisted SMC needs the observed values as [m] with m = " + std::to_string(observation.size()));
  torch::NoGradGuard no_grad;  // only the twist's gradient is differentiated
  const auto populations = noise.size(0) / k;
  const auto sigmas = sampler::edm_sigmas(schedule);
  TwistedSmcResult out;

  auto x = noise.to(dtype) * sigmas[0].item<double>();
  auto here = twisted_at(denoiser, observation, y, x, sigmas[0].item<double>(), o.sigma_data, out.evaluations);
  auto log_weights = here.log_twist.view({populations, k}).clone();
  auto ess = normalize(log_weights);
  std::int64_t resamplings = 0;

  for (int i = 0; i < schedule.steps; ++i) {
    const double sigma = sigmas[i].item<double>(), next = sigmas[i + 1].item<double>();
    const double v = sigma * sigma - next * next;
    // Unguided mean x + v (D - x)/sigma^2; the guided step adds v g.
    const auto eps = torch::randn(x.sizes(), generator, x.options());
    const auto x_next = x + (v / (sigma * sigma)) * (here.denoised - x) + v * here.gradient + std::sqrt(v) * eps;
    // log p(x'|x) - log q(x'|x) with x' - mean_q = sqrt(v) eps and mean_q - mean_p = v g.
    const auto proposal_correction =
        -std::sqrt(v) * per_sample_sum(eps * here.gradient) - 0.5 * v * per_sample_sum(here.gradient.square());
    Twisted there;
    if (next > 0.0) {
      there = twisted_at(denoiser, observation, y, x_next, next, o.sigma_data, out.evaluations);
    } else {
      there.log_twist = observation.log_likelihood(y, x_next);
    }
    log_weights = log_weights + (there.log_twist - here.log_twist + proposal_correction).view({populations, k});
    ess = normalize(log_weights);
    x = x_next;
    here = there;

    const auto degenerate = ess < o.resample_threshold * static_cast<double>(k);
    if (next > 0.0 && degenerate.any().item<bool>()) {
      const auto keep = torch::arange(populations * k, torch::kInt64).view({populations, k});
      const auto ancestors = torch::where(degenerate.unsqueeze(1), systematic_ancestors(log_weights, generator), keep)
                                 .flatten();
      x = x.index_select(0, ancestors);
      here = {here.denoised.index_select(0, ancestors), here.log_twist.index_select(0, ancestors),
              here.gradient.index_select(0, ancestors)};
      log_weights = torch::where(degenerate.unsqueeze(1), torch::full_like(log_weights, -std::log(double(k))),
                                 log_weights);
      resamplings += degenerate.sum().item<std::int64_t>();
    }
  }

  // One draw per population from its final weights.
  const auto chosen = draw_by_weights(log_weights, torch::rand({populations, 1}, generator, torch::kFloat64));
  out.x = x.index_select(0, chosen.squeeze(1));
  out.final_effective_sample_size = ess.mean().item<double>();
  out.resamplings_per_population = static_cast<double>(resamplings) / static_cast<double>(populations);
  return out;
}

}  // namespace hd::inverse
