// SPDX-License-Identifier: GPL-3.0-or-later
// evaluate: calibration of posterior sampling on held-out simulations (docs/inverse.md
// "Evaluation"). For each of the first C simulations of a row split, the observation
// template's measurements are synthesized from the truth (its positions and noise), every
// method draws posterior samples, and the samples are scored against the truth.
//
//   evaluate --model runs/demo/model --data runs/demo/data/normalized/dataset.val_large.h5
//            --observation-template configs/observations/spt100_lif.toml --num-cases 32
//            --num-samples 64 --out runs/demo/evaluation [--methods mmps,sir] [--steps 16]
//            [--config configs/sample/default.toml] [--set key=value] [--seed 0] [--threads 2]
//
// Each scored case is a file under OUT/cases/<method>/, so an interrupted run resumes where
// it stopped and a run with more cases reuses the cases done; settings that would change
// a score are refused unless OUT is new.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/app/torch_runtime.hpp"
#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/common/progress.hpp"
#include "hd/common/rng.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/edm2/model_file.hpp"
#include "hd/inverse/plots.hpp"
#include "hd/inverse/posterior.hpp"

#include "report.hpp"

namespace {

namespace fs = std::filesystem;

// One held-out simulation in physical units.
hd::inverse::TrueState true_state(const hd::dataset::Batch& row, const hd::dataset::Metadata& m) {
  hd::inverse::TrueState t;
  t.z_m = m.z_m;
  const auto length = static_cast<std::size_t>(m.length());
  for (std::size_t c = 0; c < m.fields.size(); ++c) {
    auto& profile = t.profiles[m.fields.names[c]];
    for (std::size_t j = 0; j < length; ++j) profile.push_back(m.fields.inverse(c, row.fields[c * length + j]));
  }
  for (std::size_t p = 0; p < m.params.size(); ++p) t.values[m.params.names[p]] = m.params.inverse(p, row.params[p]);
  for (std::size_t s = 0; s < m.scalars.size(); ++s)
    t.values[m.scalars.names[s]] = m.scalars.inverse(s, row.scalars[s]);
  return t;
}

// The data must describe the model's quantities on the model's grid.
void check_data(const hd::dataset::Metadata& m, const hd::inverse::ModelSpace& space, const fs::path& data) {
  if (m.z_m.size() != space.z_m.size())
    throw hd::Error(data.string() + ": " + std::to_string(m.z_m.size()) + " cells, but the model has " +
                    std::to_string(space.z_m.size()));
  for (std::size_t j = 0; j < m.z_m.size(); ++j)
    if (std::abs(m.z_m[j] - space.z_m[j]) > 1e-9 * std::abs(space.z_m.back()))
      throw hd::Error(data.string() + ": cell centre " + std::to_string(j) + " differs from the model's grid");
  for (const auto& channel : space.channels)
    if (std::find(m.fields.names.begin(), m.fields.names.end(), channel) == m.fields.names.end())
      throw hd::Error(data.string() + ": no channel " + channel + ", which the model generates");
}

// What a case's score depends on. OUT keeps it in settings.json; a rerun with other
// settings would mix scores of different experiments, so it is refused by name.
void check_settings(const fs::path& out, const nlohmann::json& settings) {
  const auto file = out / "settings.json";
  if (fs::exists(file)) {
    std::ifstream in(file);
    nlohmann::json before;
    try {
      before = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
      throw hd::Error(file.string() + ": damaged settings file; remove " + out.string() + " to start again");
    }
    for (const auto& [key, value] : settings.items())
      if (!before.contains(key) || before[key] != value)
        throw hd::Error(out.string() + ": holds an evaluation with another " + key +
                        "; give another --out, or remove it to start again");
    return;
  }
  hd::write_text_atomically(file, settings.dump(1) + "\n");
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::App app("evaluate", "Calibration of posterior sampling on held-out simulations (docs/inverse.md)");
  app.add_config_option(false);
  app.add_seed_option(0);
  app.add_threads_option();
  auto& cli = app.cli();
  fs::path model_dir, data_split, template_path, out;
  std::int64_t num_cases = 0, num_samples = 0, plot_cases = 2;
  std::vector<std::string> methods{"mmps", "sir"};
  std::vector<std::string> plot_channels{"ui_1", "E", "Tev", "ne", "nu_an"};
  int steps = 0;
  cli.add_option("-m,--model", model_dir, "Exported model folder (train --export-sigma-rel)")->required();
  cli.add_option("--data", data_split,
                 "Row split of held-out simulations (normalized/dataset.val_large.h5), never trained on")
      ->required();
  cli.add_option("--observation-template", template_path,
                 "Observation file whose positions, noise and known parameters are applied to each case")
      ->required();
  cli.add_option("--num-cases", num_cases, "Held-out simulations to evaluate (the split's first)")
      ->required()
      ->check(hd::app::positive());
  cli.add_option("-n,--num-samples", num_samples, "Posterior samples per case")
      ->required()
      ->check(hd::app::finite_in(2, 1e6));
  cli.add_option("-o,--out", out, "Output folder (created; a rerun continues it)")->required();
  cli.add_option("--methods", methods, "Posterior methods to compare")
      ->delimiter(',')
      ->check(CLI::IsMember(hd::inverse::method_names()));
  cli.add_option("--steps", steps, "Sampler noise levels (shorthand for --set sampler.steps=N)")
      ->check(hd::app::finite_in(2, 1e6));
  cli.add_option("--plot-cases", plot_cases, "Cases drawn against their truth")
      ->capture_default_str()
      ->check(hd::app::finite_in(0, 1e6));
  cli.add_option("--plot-channels", plot_channels, "Profiles drawn (those the model has)")
      ->capture_default_str()
      ->delimiter(',');

  return app.run(argc, argv, [&] {
    hd::app::set_torch_threads(app.threads());
    if (plot_cases > 0) hd::figures::require_gnuplot("evaluate's plots");

    const hd::edm2::ModelFolder folder{model_dir};
    auto model = hd::edm2::load_sampling_model(folder);
    const auto space = hd::inverse::ModelSpace::of(model.description, model.normalization, folder.normalization());
    const auto templ = hd::inverse::load_observation_file(template_path);
    const auto rows = hd::dataset::read_split(data_split);
    const hd::dataset::Reader reader(hd::dataset::split_dataset(data_split));
    check_data(reader.metadata(), space, reader.path());
    if (num_cases > static_cast<std::int64_t>(rows.size()))
      throw hd::Error(data_split.string() + ": holds " + std::to_string(rows.size()) + " simulations, fewer than --num-cases " +
                      std::to_string(num_cases));

    // Every method's config, read before anything is written.
    std::vector<hd::inverse::SampleConfig> configs;
    nlohmann::json settings{{"model", fs::absolute(model_dir).lexically_normal().string()},
                            {"data", fs::absolute(data_split).lexically_normal().string()},
                            {"observation_template", templ.text},
                            {"num_samples", num_samples},
                            {"seed", app.seed()}};
    for (const auto& method : methods) {
      auto d = app.config_path().empty() ? hd::config::Document::parse("", "sample defaults", app.overrides())
                                         : app.load_config();
      if (steps > 0) d.set("sampler.steps=" + std::to_string(steps), "--steps");
      d.set("method=\"" + method + "\"", "--methods");
      configs.push_back(hd::inverse::read_sample_config(d));
      settings["sample_config_" + method] = configs.back().resolved_toml;
    }
    const auto& metadata = reader.metadata();
    // Case `row`: the truth and its synthetic measurements, the same for every method (the
    // noise stream depends on the row only).
    struct Case {
      std::int64_t simulation;
      hd::inverse::TrueState truth;
      hd::inverse::ObservationFile observed;
      hd::inverse::MappedObservation mapped;
    };
    const auto make_case = [&](std::int64_t row) {
      const auto batch = reader.read(std::vector<std::int64_t>{row});
      Case c{batch.simulation.front(), true_state(batch, metadata), {}, {}};
      hd::RngStream noise(app.seed(), static_cast<std::uint64_t>(row), hd::purpose_tag("evaluate.observation"));
      c.observed = hd::inverse::synthesize_observation(templ, c.truth, noise);
      c.mapped = hd::inverse::map_observation(c.observed, space);
      return c;
    };
    // Each case is made once and shared by the methods.
    std::vector<std::optional<Case>> made(static_cast<std::size_t>(num_cases));
    const auto case_at = [&](std::int64_t i) -> const Case& {
      auto& c = made[static_cast<std::size_t>(i)];
      if (!c) c = make_case(rows[static_cast<std::size_t>(i)]);
      return *c;
    };
    // The template meets the data, the model and every method before anything is written;
    // the first case's notes are the run's.
    std::vector<std::string> notes;
    {
      const auto& first = case_at(0);
      for (const auto& config : configs)
        for (const auto& note : hd::inverse::pose_problem(first.mapped, space, config,
                                                          model.description.config.label_mask,
                                                          template_path.string())
                                    .notes)
          if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    }

    fs::create_directories(out);
    const hd::ExclusiveLock lock(out / ".lock", "evaluation folder");
    check_settings(out, settings);

    std::vector<hd::evaluate::MethodResult> results;
    for (std::size_t m = 0; m < methods.size(); ++m) {
      const auto& config = configs[m];
      const auto posterior = hd::inverse::posterior_settings(config, model.description.config.sigma_data);
      const hd::inverse::ThrusterConstants constants{.channel_area_m2 = config.channel_area_m2,
                                                     .ion_mass_kg = config.ion_mass_kg};
      const fs::path cases = out / "cases" / methods[m];
      fs::create_directories(cases);
      hd::evaluate::MethodResult result{.method = methods[m], .cases = {}, .summary = {}};
      hd::Progress progress("evaluate " + methods[m], num_cases, "cases", app.progress_options());
      for (std::int64_t i = 0; i < num_cases; ++i) {
        const std::int64_t row = rows[static_cast<std::size_t>(i)];
        const fs::path file = cases / ("case-" + std::to_string(row) + ".json");
        if (fs::exists(file)) {  // scored by an earlier run
          result.cases.push_back(hd::inverse::read_case(file));
          progress.update(i + 1);
          continue;
        }
        const auto& c = case_at(i);
        const auto posed = hd::inverse::pose_problem(c.mapped, space, config, model.description.config.label_mask,
                                                     template_path.string());
        const auto start = std::chrono::steady_clock::now();
        const auto draw = hd::inverse::draw_posterior(
            hd::inverse::conditional_denoiser(model.net, posed.problem), posed.problem,
            static_cast<std::int64_t>(space.image_channels()), static_cast<std::int64_t>(space.z_m.size()),
            posterior, num_samples, hd::stream_seed(app.seed(), static_cast<std::uint64_t>(row),
                                                    hd::purpose_tag("evaluate.posterior")));
        auto score = hd::inverse::score_case(
            hd::inverse::physical_samples(draw.samples, space, c.mapped.label_known, constants), c.truth);
        score.row = row;
        score.simulation = c.simulation;
        score.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        score.forward_per_sample = draw.forward_per_sample;
        score.backward_per_sample = draw.backward_per_sample;
        score.effective_sample_size = draw.effective_sample_size;
        for (const auto& f : c.observed.fields)
          score.observed.push_back({f.channel, hd::inverse::observed_points(c.observed, space, f.channel)});
        hd::inverse::write_case(file, score);
        result.cases.push_back(std::move(score));
        progress.update(i + 1);
      }
      progress.finish();
      result.summary = hd::inverse::summarize(result.cases);
      for (const auto& q : result.summary.quantities)
        spdlog::info("{} {}: relative L2 {:.3g}, 50 % coverage {:.2f}, 90 % coverage {:.2f}, spread-skill {:.2f}",
                     methods[m], q.name, q.relative_l2_mean, q.coverage_50, q.coverage_90, q.spread_skill);
      results.push_back(std::move(result));
    }
    for (const auto& note : notes) spdlog::info("note: {}", note);

    hd::evaluate::ReportContext context{.model = model_dir.string(),
                                        .data = data_split.string(),
                                        .observation_template = template_path.string(),
                                        .samples = num_samples,
                                        .seed = app.seed(),
                                        .plot_channels = {},
                                        .plot_cases = plot_cases,
                                        .z_m = space.z_m,
                                        .log_channels = {},
                                        .notes = notes};
    for (const auto& channel : plot_channels)
      if (space.channel(channel) < space.channels.size()) context.plot_channels.push_back(channel);
    for (std::size_t c = 0; c < space.channels.size(); ++c)
      if (space.fields.log[c]) context.log_channels.push_back(space.channels[c]);
    hd::evaluate::write_report(out, context, results);
    spdlog::info("wrote {}", (out / "report.md").string());
    return 0;
  });
}
