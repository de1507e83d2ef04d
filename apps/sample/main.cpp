// SPDX-License-Identifier: GPL-3.0-or-later
// sample: posterior samples of every profile of a thruster (and of the operating
// parameters the model generates) given a few noisy measurements (docs/inverse.md).
//
//   sample [--model runs/NAME/model] --observation configs/observations/spt100_lif.toml
//          --num-samples 256 --out lif.h5 [--method mmps|dps|replacement|sir|prior] [--steps 32]
//          [--seed 0] [--threads 2] [--config configs/sample/default.toml] [--set key=value]
//          [--plots lif_plots] [--check-simulate 8 --data-config configs/data/spt100.toml]
//
// Without --model it uses the shipped SPT-100 prior, models/spt100 (docs/models.md).
// Every input is checked before any sampling; OUT.h5 and the plot folder are replaced
// atomically, so a failed run leaves earlier output as it was.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/app/torch_runtime.hpp"
#include "hd/common/error.hpp"
#include "hd/common/progress.hpp"
#include "hd/edm2/model_file.hpp"
#include "hd/inverse/plots.hpp"
#include "hd/inverse/posterior.hpp"
#include "hd/inverse/sample_file.hpp"

#include "predictive_check.hpp"

namespace {

namespace fs = std::filesystem;

// An output path whose folder exists and is writable, and which is not itself a folder:
// found now rather than after the sampling.
void require_writable(const fs::path& path, const std::string& option, bool folder) {
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(parent, ec) || ::access(parent.c_str(), W_OK) != 0)
    throw hd::Error(path.string() + ": cannot write " + option + " here (" + parent.string() +
                    " is not a writable folder)");
  if (!folder && fs::is_directory(path, ec))
    throw hd::Error(path.string() + ": " + option + " is a folder, not a file");
}

// Median and 90 % interval of a scalar over the samples (failed simulations' NaN left out).
std::string format_scalar(const hd::inverse::Quantity& q) {
  hd::inverse::Quantity finite{q.name, q.units, 1, {}};
  for (double v : q.values)
    if (std::isfinite(v)) finite.values.push_back(v);
  if (finite.values.empty()) return "no finite value";
  const auto bands = hd::inverse::quantiles(finite);
  const std::string units = q.units == "1" ? "" : " " + q.units;
  return fmt::format("median {:.4g}{}, 90 % interval [{:.4g}, {:.4g}]", bands[2], units, bands[0], bands[4]);
}

// The shipped SPT-100 prior: beside an installed sample (PREFIX/share/hall_diffusion/models),
// else in the source tree the build came from.
fs::path shipped_model_dir() {
  std::error_code ec;
  const fs::path installed = fs::canonical("/proc/self/exe", ec).parent_path().parent_path() / "share" /
                             "hall_diffusion" / "models" / "spt100";
  if (!ec && fs::is_directory(installed, ec)) return installed;
  return HD_SHIPPED_MODEL_DIR;
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::App app("sample", "Draw posterior samples of every profile given measurements (docs/inverse.md)");
  app.add_config_option(false);
  app.add_seed_option(0);
  app.add_threads_option();
  auto& cli = app.cli();
  fs::path model_dir, observation_path, out_path, plots_dir, data_config;
  std::int64_t count = 0, simulations = 0;
  std::string method;
  int steps = 0;
  const fs::path shipped_model = shipped_model_dir();
  cli.add_option("-m,--model", model_dir,
                 "Exported model folder (train --export-sigma-rel); default: the shipped SPT-100 prior, " +
                     shipped_model.string());
  cli.add_option("--observation", observation_path, "Observation file (TOML, configs/observations/)")
      ->required();
  cli.add_option("-n,--num-samples", count, "Posterior samples to draw")
      ->required()
      ->check(hd::app::positive());
  cli.add_option("-o,--out", out_path, "Output file (HDF5), replaced atomically")->required();
  cli.add_option("--method", method, "Posterior method (default: the config's, mmps)")
      ->check(CLI::IsMember(hd::inverse::method_names()));
  cli.add_option("--steps", steps, "Sampler noise levels (shorthand for --set sampler.steps=N)")
      ->check(hd::app::finite_in(2, 1e6));
  cli.add_option("--plots", plots_dir, "Folder for PNG plots of every profile (replaced atomically)");
  cli.add_option("--check-simulate", simulations,
                 "Posterior predictive check: rerun hallsim on this many samples (needs --data-config)")
      ->check(hd::app::positive());
  cli.add_option("--data-config", data_config,
                 "Data config the model's training data came from (configs/data/)");

  return app.run(argc, argv, [&] {
    hd::app::set_torch_threads(app.threads());
    if (model_dir.empty()) {
      model_dir = shipped_model;
      if (!fs::is_directory(model_dir))
        throw hd::Error(model_dir.string() + ": no --model given, and the shipped SPT-100 prior is not there " +
                        "(pass --model, or restore models/spt100 from the repository)");
    }
    require_writable(out_path, "--out", false);
    if (!plots_dir.empty()) {
      require_writable(plots_dir, "--plots", true);
      hd::figures::require_gnuplot("--plots");
    }
    if (simulations > 0 && data_config.empty())
      throw hd::Error(
          "--check-simulate needs --data-config FILE (the data config the model's data came from)");
    if (simulations > count)
      throw hd::Error("--check-simulate " + std::to_string(simulations) + " exceeds --num-samples " +
                      std::to_string(count));

    auto document = app.config_path().empty()
                        ? hd::config::Document::parse("", "sample defaults", app.overrides())
                        : app.load_config();
    if (!method.empty()) document.set("method=\"" + method + "\"", "--method");
    if (steps > 0) document.set("sampler.steps=" + std::to_string(steps), "--steps");
    const auto config = hd::inverse::read_sample_config(document);

    const hd::edm2::ModelFolder folder{model_dir};
    auto model = hd::edm2::load_sampling_model(folder);
    const auto space =
        hd::inverse::ModelSpace::of(model.description, model.normalization, folder.normalization());
    const auto observations = hd::inverse::load_observation_file(observation_path);
    const auto mapped = hd::inverse::map_observation(observations, space);
    std::optional<hd::sample::PredictiveCheck> check;
    if (simulations > 0) check.emplace(data_config, space, observations);

    auto [problem, notes] = hd::inverse::pose_problem(mapped, space, config, model.description.config.label_mask,
                                                     observation_path.string());
    const hd::inverse::ThrusterConstants constants{.channel_area_m2 = config.channel_area_m2,
                                                   .ion_mass_kg = config.ion_mass_kg};
    for (const auto& note : notes) spdlog::info("note: {}", note);

    const auto settings = hd::inverse::posterior_settings(config, model.description.config.sigma_data);
    const bool resampling = config.method == hd::inverse::Method::sir && problem.observation;
    spdlog::info("{} samples by {} from {} ({} channels x {} cells, labels known: {}/{})", count,
                 hd::inverse::method_name(config.method), model_dir.string(), space.image_channels(),
                 space.z_m.size(), std::count(mapped.label_known.begin(), mapped.label_known.end(), true),
                 space.labels.size());
    const auto start = std::chrono::steady_clock::now();
    hd::Progress progress("sample", resampling ? config.sir_prior_samples : count,
                          resampling ? "prior samples" : "samples", app.progress_options());
    const auto draw = hd::inverse::draw_posterior(
        hd::inverse::conditional_denoiser(model.net, problem), problem,
        static_cast<std::int64_t>(space.image_channels()), static_cast<std::int64_t>(space.z_m.size()),
        settings, count, app.seed(), [&](std::int64_t done, std::int64_t) { progress.update(done); });
    progress.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    spdlog::info(
        "{} samples in {} ({:.3g} s per sample), {:.0f} network evaluations and {:.0f} vector-Jacobian "
        "products per sample",
        count, hd::format_duration(seconds), seconds / static_cast<double>(count), draw.forward_per_sample,
        draw.backward_per_sample);
    if (resampling)
      spdlog::info("importance resampling: effective sample size {:.1f} of {} prior samples{}",
                   draw.effective_sample_size, config.sir_prior_samples,
                   draw.effective_sample_size < 0.1 * static_cast<double>(count)
                       ? " (too few to trust: draw more with --set sir.prior_samples=N, or use mmps)"
                       : "");
    if (config.method == hd::inverse::Method::tds && problem.observation)
      spdlog::info("twisted SMC: final effective sample size {:.1f} of {} particles per population{}",
                   draw.effective_sample_size, config.tds_particles,
                   draw.effective_sample_size < 2.0 ? " (degenerate: raise tds.particles or sampler.steps)" : "");

    const auto samples = hd::inverse::physical_samples(draw.samples, space, mapped.label_known, constants);
    for (const auto& q : samples.scalars) spdlog::info("{}: {}", q.name, format_scalar(q));

    hd::inverse::SampleFileAttributes attributes{.observation_file = observation_path.string(),
                                                 .sample_config = config.resolved_toml,
                                                 .model_folder = fs::absolute(model_dir).string(),
                                                 .seed = app.seed(),
                                                 .method = hd::inverse::method_name(config.method),
                                                 .forward_per_sample = draw.forward_per_sample,
                                                 .backward_per_sample = draw.backward_per_sample,
                                                 .effective_sample_size = draw.effective_sample_size,
                                                 .notes = notes,
                                                 .groups = {}};
    if (check) {
      spdlog::info("posterior predictive check: {} simulations from {}", simulations, data_config.string());
      hd::Progress simulated("simulate", simulations, "simulations", app.progress_options());
      const auto report = check->run(samples, simulations, app.threads(), app.seed(),
                                     [&](std::int64_t done) { simulated.update(done); });
      simulated.finish();
      hd::inverse::ResultGroup group{.name = "check", .datasets = {}, .attributes = {}};
      std::string status;
      for (const auto& s : report.status) status += (status.empty() ? "" : "\n") + s;
      group.attributes.emplace_back("status", status);
      group.attributes.emplace_back("data_config", fs::absolute(data_config).string());
      for (const auto& note : report.notes) spdlog::info("note: {}", note);
      const auto ok = std::count(report.status.begin(), report.status.end(), "ok");
      spdlog::info("{} of {} simulations finished", ok, simulations);
      for (const auto& q : report.chi2) {
        group.datasets.push_back({"chi2_" + q.name, q.units, 1, q.values});
        spdlog::info("chi^2 per measurement of {}: {}", q.name, format_scalar(q));
      }
      for (const auto& q : report.relative_l2) {
        group.datasets.push_back({"relative_l2_" + q.name, q.units, 1, q.values});
        spdlog::debug("relative L2 of the sampled {} from the simulated: {}", q.name, format_scalar(q));
      }
      attributes.groups.push_back(std::move(group));
    }
    if (!plots_dir.empty()) {
      hd::inverse::write_posterior_plots(plots_dir, samples, observations, space);
      spdlog::info("wrote plots to {}", plots_dir.string());
    }
    hd::inverse::write_sample_file(out_path, samples, observations, space, attributes);
    spdlog::info("wrote {}", out_path.string());
    return 0;
  });
}
