// SPDX-License-Identifier: GPL-3.0-or-later
// Accuracy against cost of the sampler settings, on an analytic Gaussian prior whose
// posterior is known exactly (docs/inverse.md "Cost"): two channels of a Gaussian process
// on 128 cells, the reference code's 15 ion-velocity positions measured on channel 0 with
// its noise (500 m/s = 0.028 normalized). For each setting, one line:
//   mmps heun steps 16 cg 1 forward 31 vjp 62 mean_error_sd X variance_ratio A..B coverage90 C
// with the largest error of the sampled mean in posterior standard deviations, the range
// of sampled over exact variances, and the mean coverage of the sampled central 90 %
// intervals over draws of the exact posterior (0.90 when calibrated).
#include <torch/torch.h>

#include <cstdio>
#include <vector>

#include "hd/app/torch_runtime.hpp"
#include "hd/inverse/gaussian.hpp"
#include "hd/inverse/methods.hpp"
#include "hd/inverse/metrics.hpp"

namespace {

using hd::inverse::Gaussian;

constexpr std::int64_t kLength = 128;
constexpr int kSamples = 2000, kTruths = 200;

struct Setting {
  const char* method;
  hd::sampler::Integrator integrator;
  int steps;
  int cg;
};

}  // namespace

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::set_torch_threads(1);
  torch::manual_seed(0);
  const auto z = (torch::arange(kLength, torch::kFloat64) + 0.5) / kLength;  // in units of the 8 cm domain
  const auto prior = hd::inverse::gaussian_process_prior(
      torch::stack({torch::tanh(8.0 * (z - 0.33)), torch::zeros({kLength}, torch::kFloat64)}),
      {.z = z,
       .length_scale = 0.1,
       .channel_std = torch::tensor({0.5, 0.5}, torch::kFloat64),
       .channel_correlation = torch::tensor({{1.0, 0.8}, {0.8, 1.0}}, torch::kFloat64),
       .jitter = 1e-4});
  std::vector<hd::inverse::PointProbe> probes;
  for (double x_mm :
       {5.0, 10.0, 15.0, 18.0, 20.0, 22.0, 24.0, 26.0, 28.0, 30.0, 34.0, 40.0, 46.0, 53.0, 60.0})
    probes.push_back({.channel = 0, .z = x_mm / 80.0, .noise_std = 500.0 / 17901.0});
  const auto observation = hd::inverse::point_observation(z, 2, probes);
  const auto truth = prior.sample(1, at::detail::createCPUGenerator(21));
  const auto y = observation(truth)[0] +
                 observation.noise_std() *
                     torch::randn({observation.size()}, at::detail::createCPUGenerator(22), torch::kFloat64);
  const auto posterior = prior.posterior(observation, y);
  const auto truths = posterior.sample(kTruths, at::detail::createCPUGenerator(23));
  const auto exact_var = posterior.covariance().diagonal();
  const auto exact_mean = posterior.mean().flatten();
  std::printf("prior variance at the measured cells over posterior: %.0f\n",
              (prior.covariance().diagonal() / exact_var)
                  .index_select(0, observation.matrix().argmax(1))
                  .mean()
                  .item<double>());

  const std::vector<Setting> settings{
      {"mmps", hd::sampler::Integrator::heun, 8, 2},
      {"mmps", hd::sampler::Integrator::heun, 12, 1},
      {"mmps", hd::sampler::Integrator::heun, 12, 2},
      {"mmps", hd::sampler::Integrator::heun, 16, 1},
      {"mmps", hd::sampler::Integrator::heun, 16, 2},
      {"mmps", hd::sampler::Integrator::heun, 16, 3},
      {"mmps", hd::sampler::Integrator::heun, 24, 2},
      {"mmps", hd::sampler::Integrator::heun, 32, 1},
      {"mmps", hd::sampler::Integrator::heun, 32, 2},
      {"mmps", hd::sampler::Integrator::heun, 32, 5},
      {"dps", hd::sampler::Integrator::heun, 32, 0},
      {"dps", hd::sampler::Integrator::euler_maruyama, 256, 0},
  };
  const hd::sampler::Denoiser exact = [&](const torch::Tensor& x, const torch::Tensor& s) {
    return prior.denoise(x, s);
  };
  for (const auto& s : settings) {
    std::unique_ptr<hd::sampler::Guidance> guidance;
    if (std::string(s.method) == "mmps")
      guidance = std::make_unique<hd::inverse::Mmps>(observation, y,
                                                     hd::inverse::MmpsOptions{.cg_iterations = s.cg});
    else
      guidance = std::make_unique<hd::inverse::Dps>(
          observation, y,
          hd::inverse::DpsOptions{.scale = 1.0, .weighting = hd::inverse::DpsWeighting::step_variance});
    auto generator = at::detail::createCPUGenerator(1);
    const auto noise = torch::randn({kSamples, 2, kLength}, generator, torch::kFloat64);
    const auto result = hd::sampler::sample(
        exact, noise, {.schedule = {.steps = s.steps}, .integrator = s.integrator, .dtype = torch::kFloat64},
        guidance.get(), generator);
    const auto x = result.x.flatten(1);
    const double mean_error = ((x.mean(0) - exact_mean).abs() / exact_var.sqrt()).max().item<double>();
    const auto ratio = x.var(0) / exact_var;
    double coverage = 0.0;
    for (int t = 0; t < kTruths; ++t) coverage += hd::inverse::interval_coverage(result.x, truths[t], 0.9);
    std::printf(
        "%s %s steps %d cg %d forward %lld vjp %lld mean_error_sd %.3f variance_ratio %.2f..%.2f coverage90 "
        "%.3f\n",
        s.method, s.integrator == hd::sampler::Integrator::heun ? "heun" : "euler_maruyama", s.steps, s.cg,
        static_cast<long long>(result.evaluations.forward),
        static_cast<long long>(result.evaluations.backward), mean_error, ratio.min().item<double>(),
        ratio.max().item<double>(), coverage / kTruths);
    std::fflush(stdout);
  }
  return 0;
}
