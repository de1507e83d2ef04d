// SPDX-License-Identifier: GPL-3.0-or-later
// prepare_data: one data config to the dataset `train` reads, in three steps (docs/data.md,
// "prepare_data"): generate the raw dataset (as gen_data), split its simulations (as
// split_data, from the config's [split] table), normalize it (as normalize_data, from its
// [normalization] table).
//
//   prepare_data --config configs/data/tiny.toml --num-sims 1024 --out data/tiny/ [--threads 2] [--seed 0]
//
//   DIR/raw/                 gen_data's folder (shards, manifest, run record)
//   DIR/raw/splits/          split_data's files
//   DIR/normalized/          normalize_data's folder: dataset.h5, dataset.<split>.h5, normalization.json, ...
//
// Killed at any moment and run again with the same arguments (--num-sims may then be left
// out), it continues: generation resumes where its committed work ends, the split is
// recomputed (and rewritten only when it differs) and the normalization is redone unless
// DIR/normalized already holds that of the same inputs. It ends with the files of an
// uninterrupted run. Exit status: 0, 1 for bad input or I/O errors, 2 for usage errors,
// 130 when SIGINT or SIGTERM stopped it (the committed work is kept).
#include <optional>
#include <string>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/app/stop.hpp"
#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/common/progress.hpp"
#include "hd/datagen/data_config.hpp"
#include "hd/datagen/factory.hpp"
#include "hd/datagen/generate.hpp"
#include "hd/dataset/normalize_raw.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/dataset/split.hpp"

namespace {

namespace fs = std::filesystem;
using hd::dataset::Split;

// Whether `folder` already holds exactly these splits, written with these options.
bool holds_splits(const fs::path& folder, const hd::dataset::SimulationSplits& splits,
                  const hd::dataset::SplitOptions& options) {
  try {
    const auto stored = hd::dataset::read_simulation_splits(folder);
    return stored.splits == splits && stored.options.seed == options.seed &&
           stored.options.val_small == options.val_small && stored.options.val_large == options.val_large;
  } catch (const hd::Error&) {
    return false;  // missing or damaged: written anew
  }
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::App app("prepare_data", "Generate, split and normalize a dataset from one data config");
  app.add_config_option();
  app.add_seed_option(0);
  app.add_threads_option();
  fs::path out;
  std::int64_t num_sims = 0;
  auto& cli = app.cli();
  cli.add_option("-o,--out", out, "Output folder (created; a rerun continues what it holds)")->required();
  cli.add_option("-n,--num-sims", num_sims, "Simulations to generate (a rerun may leave it out)")
      ->check(hd::app::positive());

  return app.run(argc, argv, [&] {
    hd::datagen::DataConfig config = hd::datagen::read_data_config(app.load_config());
    const hd::dataset::SplitOptions split_options = config.split;
    const hd::dataset::NormalizeOptions normalize_options = config.normalization;
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec || !fs::is_directory(out, ec))
      throw hd::Error(out.string() + ": cannot create the output folder" +
                      (ec ? " (" + ec.message() + ")" : ""));
    const hd::ExclusiveLock lock(out / ".prepare_data.lock", "prepare_data output folder");
    const fs::path raw = out / "raw";
    const hd::dataset::NormalizedFolder normalized{out / "normalized"};
    if (num_sims == 0) {
      const auto recorded = hd::datagen::recorded_num_sims(raw);
      if (!recorded)
        throw hd::Error("--num-sims is required to start " + out.string() +
                        " (a rerun into the same --out continues with the recorded count)");
      num_sims = *recorded;
    }
    const auto& stop = hd::app::stop_on_signals();

    spdlog::info("prepare_data [1/3] generate: {} simulations of {} into {}", num_sims,
                 config.source.string(), raw.string());
    const hd::datagen::SimulationFactory factory(std::move(config), app.seed());
    hd::datagen::GenerateOptions generation;
    generation.out = raw;
    generation.num_sims = num_sims;
    generation.threads = app.threads();
    generation.stop = &stop;
    // The totals are known at the first report of each step.
    std::optional<hd::Progress> progress;
    generation.on_progress = [&](const hd::datagen::GenerateProgress& p) {
      if (!progress)
        progress.emplace("prepare_data generate", p.total, "simulations", app.progress_options());
      progress->set_detail(std::to_string(p.failed) + " failed");
      progress->update(p.done);
    };
    const hd::datagen::GenerateSummary generated = hd::datagen::generate(factory, generation);
    if (progress) progress->finish();
    if (generated.stopped) {
      spdlog::warn(
          "prepare_data: stopped by a signal with every finished simulation committed; run the same "
          "command again to continue");
      return hd::app::kStoppedExitCode;
    }
    spdlog::info("prepare_data: {} simulations in {} ({} failed, {} generated by this run)",
                 generated.progress.total, raw.string(), generated.progress.failed,
                 generated.progress.done - generated.progress.resumed);

    const fs::path split_folder = hd::dataset::default_split_folder(raw);
    const auto simulations = hd::dataset::ok_simulations(raw);
    const auto splits = hd::dataset::split_simulations(simulations, split_options);
    const bool split_done = holds_splits(split_folder, splits, split_options);
    if (!split_done) hd::dataset::write_simulation_splits(split_folder, splits, split_options);
    spdlog::info("prepare_data [2/3] split: {} ok simulations: train {}, val_small {}, val_large {} in {}{}",
                 simulations.size(), splits[Split::train].size(), splits[Split::val_small].size(),
                 splits[Split::val_large].size(), split_folder.string(), split_done ? " (up to date)" : "");

    hd::dataset::NormalizeRequest request;
    request.raw = raw;
    request.out = normalized.root;
    request.options = normalize_options;
    request.stop = &stop;
    progress.reset();
    request.on_progress = [&](const hd::dataset::NormalizeProgress& p) {
      if (!progress) progress.emplace("prepare_data normalize", 2 * p.total, "rows", app.progress_options());
      progress->set_detail(p.pass == 1 ? "filter and statistics" : "writing");
      progress->update((p.pass - 1) * p.total + p.done);
    };
    const hd::dataset::NormalizeReport report = hd::dataset::normalize_raw(request);
    if (progress) progress->finish();
    if (report.stopped) {
      spdlog::warn(
          "prepare_data: stopped by a signal during the normalization; run the same command again to "
          "continue");
      return hd::app::kStoppedExitCode;
    }
    spdlog::info("prepare_data [3/3] normalize: {}",
                 report.skipped ? normalized.root.string() + " is up to date" : report.summary());
    spdlog::info(
        "prepare_data: done; a training config reads [data] dataset = \"{}\", train_split = \"{}\", "
        "val_split = \"{}\"",
        normalized.dataset().string(), normalized.split(Split::train).string(),
        normalized.split(Split::val_small).string());
    return 0;
  });
}
