// SPDX-License-Identifier: GPL-3.0-or-later
// normalize_data: turn a finished raw dataset and its split into the normalized dataset
// `train` reads (docs/data.md, "Normalization"). Statistics come from the kept simulations
// of the training split only; every kept simulation of every split is written.
//
//   normalize_data --in raw/ --out normalized/ [--splits raw/splits] [--config configs/data/tiny.toml]
//                  [--set normalization.target_std=0.5] [--completed-shards] [--force]
//
// The output folder is replaced whole when the run succeeds and left as it was otherwise;
// when it already holds the normalization of the same inputs, nothing is done (--force
// redoes it). --completed-shards normalizes the shards gen_data has completed so far (with
// splits made the same way), to train on the first part of a long generation. Exit status:
// 0, 1 for bad input or I/O errors, 2 for usage errors, 130 when SIGINT or SIGTERM stopped
// it (nothing written).
#include <optional>
#include <string>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/app/stop.hpp"
#include "hd/common/error.hpp"
#include "hd/common/progress.hpp"
#include "hd/datagen/data_config.hpp"
#include "hd/dataset/normalize_raw.hpp"

int main(int argc, char** argv) {
  hd::app::App app("normalize_data", "Normalize a raw dataset into the dataset train reads");
  app.add_config_option(false);
  hd::dataset::NormalizeRequest request;
  auto& cli = app.cli();
  cli.add_option("-i,--in", request.raw, "Raw dataset folder (gen_data --out)")->required();
  cli.add_option("-o,--out", request.out, "Output folder (replaced whole: it must be normalize_data's own)")
      ->required();
  cli.add_option("--splits", request.splits, "Folder of split_data's files (default: IN/splits)");
  bool completed_shards = false;
  cli.add_flag("--completed-shards", completed_shards,
               "Normalize the shards gen_data has completed so far instead of requiring it to have finished");
  cli.add_flag("--force", request.force, "Redo the normalization even when the output is up to date");

  return app.run(argc, argv, [&] {
    if (!app.config_path().empty()) {
      request.options = hd::datagen::read_data_config(app.load_config()).normalization;
    } else if (!app.overrides().empty()) {
      throw hd::Error("--set needs --config (the data config whose [normalization] table it changes)");
    }
    if (completed_shards) request.shards = hd::dataset::RawShards::completed;
    request.stop = &hd::app::stop_on_signals();
    // Both passes read every raw row: one line counts them together.
    std::optional<hd::Progress> progress;
    request.on_progress = [&](const hd::dataset::NormalizeProgress& p) {
      if (!progress) progress.emplace("normalize_data", 2 * p.total, "rows", app.progress_options());
      progress->set_detail(p.pass == 1 ? "filter and statistics" : "writing");
      progress->update((p.pass - 1) * p.total + p.done);
    };

    const hd::dataset::NormalizeReport report = hd::dataset::normalize_raw(request);
    if (progress) progress->finish();
    if (report.stopped) {
      spdlog::warn("normalize_data: stopped by a signal; {} is as it was", request.out.string());
      return hd::app::kStoppedExitCode;
    }
    if (report.skipped) {
      spdlog::info("normalize_data: {} already holds the normalization of these inputs (--force redoes it)",
                   request.out.string());
      return 0;
    }
    spdlog::info("normalize_data: {} -> {}", report.summary(), request.out.string());
    for (const auto s : hd::dataset::kSplits)
      if (report.rows[static_cast<std::size_t>(s)] == 0)
        spdlog::warn(
            "normalize_data: the {} split holds no row (train needs a training and a validation split)",
            hd::dataset::split_name(s));
    return 0;
  });
}
