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

torch::Tensor ode_derivative(const torch::Tensor& x, const torch::Tensor& denoised, double sigma) {
  return (x - denoised) / sigma;
}

torch::Tensor Guidance::denoise(const LevelDenoiser& denoiser, const torch::Tensor& x, double sigma, bool,
                                const Step&) {
  return denoiser(x, sigma);
}

torch::Tensor Guidance::after_step(const torch::Tensor& x_next, const Step&) {
  return x_next;
}

namespace {

void check(const SamplerOptions& o) {
  if (o.dtype != torch::kFloat32 && o.dtype != torch::kFloat64)
    throw Error("sampler dtype must be float32 or float64");
  if (o.integrator == Integrator::euler_maruyama && o.churn.s_churn > 0.0)
    throw Error(
        "churn (s_churn > 0) applies to the heun and midpoint integrators; Euler-Maruyama is "
        "already stochastic: set s_churn = 0");
  if (o.churn.s_churn < 0.0 || !(o.churn.s_noise > 0.0))
    throw Error("churn needs s_churn >= 0 and s_noise > 0 (got " + std::to_string(o.churn.s_churn) + ", " +
                std::to_string(o.churn.s_noise) + ")");
}

}  // namespace

Sample sample(const Denoiser& denoiser, const torch::Tensor& noise, const SamplerOptions& o,
              Guidance* guidance, c10::optional<torch::Generator> generator) {
  check(o);
  torch::NoGradGuard no_grad;  // a Guidance turns autograd on where it differentiates
  const auto sigmas = edm_sigmas(o.schedule);
  const int n = o.schedule.steps;
  Sample out;
  auto gaussian = [&](const torch::Tensor& like) {
    return torch::randn(like.sizes(), generator, like.options());
  };
  const LevelDenoiser network = [&](const torch::Tensor& x, double sigma) {
    ++out.evaluations.forward;
    return denoiser(x, torch::full({x.size(0)}, sigma, x.options()));
  };
  Guidance plain;
  Guidance& hook = guidance != nullptr ? *guidance : plain;

  auto x = noise.to(o.dtype) * sigmas[0].item<double>();
  for (int i = 0; i < n; ++i) {
    const double sigma = sigmas[i].item<double>(), next = sigmas[i + 1].item<double>();
    const bool churn = o.integrator != Integrator::euler_maruyama && sigma >= o.churn.s_min &&
                       sigma <= o.churn.s_max && o.churn.s_churn > 0.0;
    const double gamma = churn ? std::min(o.churn.s_churn / n, std::sqrt(2.0) - 1.0) : 0.0;
    const Step step{.index = i,
                    .sigma_hat = sigma * (1.0 + gamma),
                    .sigma_next = next,
                    .evaluations = &out.evaluations,
                    .generator = generator};
    const double s = step.sigma_hat;
    if (gamma > 0.0) x = x + std::sqrt(s * s - sigma * sigma) * o.churn.s_noise * gaussian(x);

    const auto d = ode_derivative(x, hook.denoise(network, x, s, true, step), s);
    torch::Tensor x_next;
    switch (o.integrator) {
      case Integrator::heun:
        x_next = x + (next - s) * d;
        if (next > 0.0) {
          // Trapezoidal correction with the slope at the Euler end point.
          const auto d_next = ode_derivative(x_next, hook.denoise(network, x_next, next, false, step), next);
          x_next = x + (next - s) * 0.5 * (d + d_next);
        }
        break;
      case Integrator::midpoint: {
        const double middle = 0.5 * (s + next);
        const auto x_mid = x + (middle - s) * d;
        x_next =
            x + (next - s) * ode_derivative(x_mid, hook.denoise(network, x_mid, middle, false, step), middle);
        break;
      }
      case Integrator::euler_maruyama: {
        // x' = x + (s^2 - s'^2)(D - x)/s^2 + sqrt(s^2 - s'^2) eps, written with the ODE slope d.
        const double variance = s * s - next * next;
        x_next = x - (variance / s) * d + std::sqrt(variance) * gaussian(x);
        break;
      }
    }
    x = hook.after_step(x_next, step);
  }
  out.x = x;
  return out;
}

}  // namespace hd::sampler
