// SPDX-License-Identifier: GPL-3.0-or-later
// EDM sampling (Karras et al. 2022, arXiv 2206.00364): the noise-level schedule and the
// integrators of the diffusion from sigma_max to 0 over any denoiser D(x; sigma), with a
// hook through which a posterior method (libs/inverse, docs/inverse.md) acts at every step.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <limits>

namespace hd::sampler {

// D(x; sigma): x [B, ...], sigma [B] -> denoised [B, ...]. The trained network wrapped in
// a lambda, or an analytic denoiser. Posterior methods that differentiate through D call
// it with autograd enabled, so it must not disable gradients itself.
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

// The probability-flow ODE's derivative dx/dsigma = (x - D)/sigma.
torch::Tensor ode_derivative(const torch::Tensor& x, const torch::Tensor& denoised, double sigma);

enum class Integrator {
  heun,            // 2nd order, Euler on the last step: 2N - 1 evaluations
  midpoint,        // explicit midpoint (RK2) at (sigma_i + sigma_{i+1})/2: 2N evaluations
  euler_maruyama,  // reverse SDE, 1st order, fresh noise every step: N evaluations
};

// Stochastic churn (EDM eq. 6 and algorithm 2) for the ODE integrators: for sigma_i in
// [s_min, s_max], gamma_i = min(s_churn/N, sqrt(2) - 1), sigma_hat = sigma_i (1 + gamma_i)
// and x_hat = x + sqrt(sigma_hat^2 - sigma_i^2) s_noise eps before the step.
struct Churn {
  double s_churn = 0.0;
  double s_min = 0.0;
  double s_max = std::numeric_limits<double>::infinity();
  double s_noise = 1.0;
};

struct SamplerOptions {
  Schedule schedule{};
  Integrator integrator = Integrator::heun;
  Churn churn{};                         // heun and midpoint only
  torch::Dtype dtype = torch::kFloat32;  // float64 for known-answer tests
};

struct Evaluations {
  std::int64_t forward = 0;   // network evaluations (NFE), each over the whole batch
  std::int64_t backward = 0;  // vector-Jacobian products through the network (guidance)
};

// The denoiser at one noise level for the whole batch, as the sampler hands it to a
// Guidance: every call is counted as one network evaluation.
using LevelDenoiser = std::function<torch::Tensor(const torch::Tensor& x, double sigma)>;

// Where the sampler stands: step i runs from sigma_hat (sigma_i raised by churn) to sigma_next.
struct Step {
  int index = 0;
  double sigma_hat = 0.0;
  double sigma_next = 0.0;
  Evaluations* evaluations = nullptr;  // a Guidance adds its vector-Jacobian products here
  c10::optional<torch::Generator> generator;
};

// The hook of a posterior method. The sampler asks it for every denoised estimate a step
// uses and hands it the state that ends every step; it never knows which method it is.
class Guidance {
 public:
  virtual ~Guidance() = default;
  // The estimate the integrator uses at (x, sigma); `start` marks the step's first
  // evaluation (x is the step's start state, sigma = sigma_hat). Default: D itself.
  virtual torch::Tensor denoise(const LevelDenoiser& denoiser, const torch::Tensor& x, double sigma,
                                bool start, const Step& step);
  // The state that ends the step, given the integrator's result. Default: unchanged.
  virtual torch::Tensor after_step(const torch::Tensor& x_next, const Step& step);
};

struct Sample {
  torch::Tensor x;  // [B, ...] in the options' dtype
  Evaluations evaluations;
};

// Integrates from x_0 = sigma_0 * noise (noise [B, ...], standard normal) to sigma = 0.
// `generator` draws churn and Euler-Maruyama noise and is handed to the guidance.
Sample sample(const Denoiser& denoiser, const torch::Tensor& noise, const SamplerOptions& options,
              Guidance* guidance = nullptr, c10::optional<torch::Generator> generator = c10::nullopt);

}  // namespace hd::sampler
