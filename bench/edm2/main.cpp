// SPDX-License-Identifier: GPL-3.0-or-later
// edm2 benchmark: builds a model from a config and prints one line,
//   train_step_ms X forward_ms Y
// the medians over --steps of one Adam training step (loss, backward, step; fp32) and of
// one evaluation-mode denoiser call, at --batch. Recorded in docs/benchmarks.md.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "hd/app/app.hpp"
#include "hd/app/torch_runtime.hpp"
#include "hd/edm2/training.hpp"

namespace {

template <class F>
double median_ms(int steps, F&& f) {
  f();  // warm-up: first-call allocations and weight caches
  std::vector<double> times;
  for (int i = 0; i < steps; ++i) {
    const auto start = std::chrono::steady_clock::now();
    f();
    times.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::App app("bench_edm2", "Time one EDM2 training step and one forward pass");
  app.add_config_option();
  app.add_threads_option();
  int batch = 64, steps = 10;
  app.cli().add_option("--batch", batch, "Batch size")->capture_default_str();
  app.cli().add_option("--steps", steps, "Timed repetitions (median reported)")->capture_default_str();
  return app.run(argc, argv, [&] {
    hd::app::set_torch_threads(app.threads());
    torch::manual_seed(0);
    const auto config = hd::edm2::load_model_config(app.config_path());
    hd::edm2::Precond model(config);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-3).betas({0.9, 0.99}));
    auto x = torch::randn({batch, config.image_channels(), config.length}) * config.sigma_data;
    torch::Tensor labels;
    if (config.label_dim > 0)
      labels = hd::edm2::label_features(config, torch::randn({batch, config.label_dim}),
                                        torch::ones({batch, config.label_dim}));

    model->train();
    const double train_ms = median_ms(steps, [&] {
      optimizer.zero_grad();
      hd::edm2::edm2_loss(model, x, labels, {}).backward();
      optimizer.step();
    });
    model->eval();
    torch::NoGradGuard no_grad;
    const auto sigma = torch::full({batch}, 1.0f);
    const double forward_ms = median_ms(steps, [&] { model(x, sigma, labels); });
    std::printf("train_step_ms %.1f forward_ms %.1f\n", train_ms, forward_ms);
    return 0;
  });
}
