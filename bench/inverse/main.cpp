// SPDX-License-Identifier: GPL-3.0-or-later
// Posterior sampling benchmark: time and network evaluations per posterior sample of each
// method on the reference code's 15-point ion-velocity problem, with a model of a given
// architecture and random weights (the cost of a network evaluation does not depend on
// the weights; the samples themselves mean nothing). One line per method:
//   method mmps steps 32 seconds_per_sample X forward_per_sample F vjp_per_sample V
// and the reference code's sampler (2048-step midpoint DPS, one VJP per step), timed over
// --reference-steps steps and extrapolated. Recorded in docs/benchmarks.md.
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <sstream>

#include "hd/app/app.hpp"
#include "hd/app/torch_runtime.hpp"
#include "hd/edm2/model_config.hpp"
#include "hd/inverse/posterior.hpp"

namespace {

// The reference code's 19 channels and 9 labels (reference_small), normalized as its
// data: ui_1 with its statistics (mean 13454 m/s, std 17901 m/s), the rest standard.
hd::inverse::ModelSpace reference_space(const hd::edm2::ModelConfig& config) {
  hd::inverse::ModelSpace s;
  s.channels = {"B",
                "nu_e",
                "nu_an",
                "nn",
                "ne",
                "ni_1",
                "ni_2",
                "ni_3",
                "ui_1",
                "ui_2",
                "ui_3",
                "ue",
                "phi",
                "E",
                "Tev",
                "pe",
                "grad_pe",
                "discharge_current_series_a",
                "thrust_series_n"};
  s.channels.resize(static_cast<std::size_t>(config.channels));
  const auto n = s.channels.size();
  s.fields = {s.channels, std::vector<double>(n, 0.0), std::vector<double>(n, 1.0),
              std::vector<bool>(n, false), std::vector<std::string>(n, "1")};
  s.fields.mean[8] = 13454.0;
  s.fields.std[8] = 17901.0;
  s.labels = {"background_pressure_torr",
              "anode_mass_flow_rate_kg_s",
              "discharge_voltage_v",
              "magnetic_field_scale",
              "cathode_coupling_voltage_v",
              "neutral_velocity_m_s",
              "neutral_ingestion_scale",
              "wall_loss_scale",
              "anom_shift_scale"};
  s.labels.resize(static_cast<std::size_t>(config.label_dim));
  const auto p = s.labels.size();
  s.label_normalization = {s.labels, std::vector<double>(p, 0.0), std::vector<double>(p, 1.0),
                           std::vector<bool>(p, false), std::vector<std::string>(p, "1")};
  for (int i = 0; i < config.length; ++i) s.z_m.push_back(0.08 * (i + 0.5) / config.length);
  s.joint_labels = config.joint_labels;
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::App app("bench_inverse", "Time posterior sampling per method on a 15-point ion-velocity problem");
  app.add_config_option();
  app.add_threads_option();
  std::string observation = "configs/observations/spt100_lif.toml",
              methods = "mmps,dps,replacement,sir,prior";
  int batch = 64, steps = 32, cg = 2, reference_steps = 8;
  auto& cli = app.cli();
  cli.add_option("--observation", observation, "Observation file")->capture_default_str();
  cli.add_option("--batch", batch, "Samples per batch (one batch is timed)")->check(CLI::Range(1, 1 << 20));
  cli.add_option("--steps", steps, "Sampler noise levels")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  cli.add_option("--cg", cg, "MMPS conjugate-gradient iterations")
      ->check(CLI::Range(1, 5))
      ->capture_default_str();
  cli.add_option("--methods", methods, "Comma-separated methods")->capture_default_str();
  cli.add_option("--reference-steps", reference_steps,
                 "Steps of the reference's 2048-step DPS to time (0: skip)")
      ->check(CLI::Range(0, 2048))
      ->capture_default_str();
  return app.run(argc, argv, [&] {
    hd::app::set_torch_threads(app.threads());
    torch::manual_seed(0);
    const auto config = hd::edm2::load_model_config(app.config_path());
    hd::edm2::Precond net(config);
    net->eval();
    const auto space = reference_space(config);
    const auto mapped = hd::inverse::map_observation(hd::inverse::load_observation_file(observation), space);
    const hd::inverse::ThrusterConstants constants{.channel_area_m2 = 4.115e-3, .ion_mass_kg = 2.18e-25};
    const auto channels = static_cast<std::int64_t>(space.image_channels());

    auto run = [&](const std::string& name, hd::inverse::SampleConfig c) {
      c.batch_size = batch;
      const bool replacement = c.method == hd::inverse::Method::replacement;
      const auto problem = hd::inverse::build_problem(mapped, space, constants, replacement);
      auto settings = hd::inverse::posterior_settings(c, config.sigma_data);
      const auto start = std::chrono::steady_clock::now();
      const auto draw = hd::inverse::draw_posterior(hd::inverse::conditional_denoiser(net, problem), problem,
                                                    channels, config.length, settings, batch, 1);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf(
          "method %s integrator %s steps %d seconds_per_sample %.3f forward_per_sample %.0f "
          "vjp_per_sample %.0f\n",
          name.c_str(), c.integrator.c_str(), c.steps, seconds / batch, draw.forward_per_sample,
          draw.backward_per_sample);
      std::fflush(stdout);
      return seconds / batch;
    };

    {
      // The unit costs behind the methods: a forward pass without and with the graph, and
      // one vector-Jacobian product through it (the graph kept, as MMPS keeps it).
      const auto x = torch::randn({batch, channels, config.length}) * config.sigma_data;
      const auto sigma = torch::full({batch}, 1.0f);
      torch::Tensor labels;
      if (config.label_dim > 0)
        labels = hd::edm2::label_features(config, torch::zeros({batch, config.label_dim}), {});
      auto time_ms = [](auto&& f) {
        f();
        const auto start = std::chrono::steady_clock::now();
        f();
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      };
      double forward_ms = 0.0, graph_ms = 0.0, vjp_ms = 0.0;
      {
        torch::NoGradGuard no_grad;
        forward_ms = time_ms([&] { net(x, sigma, labels); });
      }
      auto input = x.clone().requires_grad_(true);
      torch::Tensor out;
      graph_ms = time_ms([&] { out = net(input, sigma, labels); });
      vjp_ms = time_ms([&] { torch::autograd::grad({out}, {input}, {torch::ones_like(out)}, true); });
      std::printf("unit_costs batch %d forward_ms %.0f forward_with_graph_ms %.0f vjp_ms %.0f\n", batch,
                  forward_ms, graph_ms, vjp_ms);
      std::fflush(stdout);
    }
    std::stringstream list(methods);
    for (std::string method; std::getline(list, method, ',');) {
      hd::inverse::SampleConfig c;
      c.method = hd::inverse::parse_method(method);
      c.steps = steps;
      c.cg_iterations = cg;
      // Replacement needs a stochastic sampler; SIR's prior samples are timed one batch
      // at a time (its cost per posterior sample is prior_samples / num_samples times this).
      if (c.method == hd::inverse::Method::replacement) c.integrator = "euler_maruyama";
      if (c.method == hd::inverse::Method::sir) c.sir_prior_samples = batch;
      run(method, c);
    }
    if (reference_steps > 0) {
      hd::inverse::SampleConfig c;
      c.method = hd::inverse::Method::dps;
      c.integrator = "midpoint";
      c.steps = reference_steps + 1;  // N levels make N steps down to sigma = 0
      c.dps_weighting = "constant";
      c.dps_scale = 1e-3;
      const double per_step = run("reference_dps_timed", c) / reference_steps;
      std::printf("reference_dps_2048 seconds_per_sample %.3f forward_per_sample %d vjp_per_sample %d\n",
                  per_step * 2047, 2 * 2047, 2047);
    }
    return 0;
  });
}
