// SPDX-License-Identifier: GPL-3.0-or-later
// train: fits the EDM2 prior to a normalized dataset (configs/train/*.toml), or, with
// --export-sigma-rel, turns the EMA snapshots of a run into a sampling model folder.
//
//   train --config configs/train/edm2.toml --out runs/NAME [--threads 2] [--fresh]
//   train --out runs/NAME --export-sigma-rel 0.10 [--export runs/NAME/model]
//   torchrun --nproc-per-node 4 --no-python train --config ... --out runs/NAME
//   mpirun -n 4 train --config ... --out runs/NAME
//
// Under a launcher (RANK/WORLD_SIZE, Open MPI or PMI variables) each process is one rank
// of a data-parallel run (docs/training.md); rank 0 reports and writes the folder. The
// first SIGINT/SIGTERM checkpoints at the end of the current step and exits 130; the same
// command resumes, with any number of ranks.
#include <filesystem>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/app/stop.hpp"
#include "hd/app/torch_runtime.hpp"
#include "hd/common/error.hpp"
#include "hd/common/progress.hpp"
#include "hd/edm2/model_file.hpp"
#include "hd/edm2/run_folder.hpp"
#include "hd/edm2/trainer.hpp"
#include "hd/edm2/world.hpp"

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::App app("train", "Train the EDM2 prior on a normalized dataset");
  app.add_config_option(false);
  app.add_seed_option(0);
  app.add_threads_option();
  std::filesystem::path out_dir, export_dir;
  bool fresh = false;
  double export_sigma_rel = 0.0;
  app.cli().add_option("-o,--out", out_dir, "Run folder: checkpoint, log.csv, EMA snapshots")->required();
  app.cli().add_flag("--fresh", fresh, "Start over even if the run folder holds a checkpoint");
  app.cli()
      .add_option("--export-sigma-rel", export_sigma_rel,
                  "Instead of training: reconstruct the EMA of this relative width (0, 0.2887] and write "
                  "a sampling model folder")
      ->check(hd::app::finite_in(1e-6, 0.2887));
  app.cli().add_option("--export", export_dir, "Model folder --export-sigma-rel writes (default OUT/model)");

  return app.run(argc, argv, [&] {
    const auto world = hd::edm2::world_from_environment();
    // Ranks sharing a node share its cores unless --threads says otherwise.
    int threads = app.threads();
    if (world.local_size > 1 && app.cli().get_option("--threads")->count() == 0)
      threads = std::max(1, threads / world.local_size);
    hd::app::set_torch_threads(threads);
    const hd::edm2::RunFolder run{out_dir};
    if (export_sigma_rel > 0.0) {
      const hd::edm2::ModelFolder model{export_dir.empty() ? out_dir / "model" : export_dir};
      const auto weights = hd::edm2::export_sampling_model(run, export_sigma_rel, model);
      spdlog::info("wrote {} (EMA sigma_rel {} from {} snapshot profiles)", model.root.string(),
                   export_sigma_rel, weights.size());
      return 0;
    }
    if (app.config_path().empty()) throw hd::Error("train needs --config FILE (or --export-sigma-rel)");
    auto document = app.load_config();
    if (app.seed_given()) document.set("training.seed=" + std::to_string(app.seed()), "--seed");
    auto config = hd::edm2::read_train_config(document);
    const auto total = config.total_steps;
    hd::edm2::Trainer trainer(std::move(config), run, fresh, world);
    const bool reporter = trainer.rank() == 0;
    if (trainer.dropped_log_rows() > 0)
      spdlog::warn("{}: dropped {} unreadable rows (a torn or damaged log)", run.log().string(),
                   trainer.dropped_log_rows());
    if (reporter) {
      spdlog::info(
          "{} {} parameters on {}, {} threads{}; {}", trainer.resumed() ? "resuming" : "training",
          hd::edm2::parameter_count(*trainer.model()), trainer.device().str(), threads,
          world.distributed() ? fmt::format(" per rank, {} ranks ({})", world.size, world.launcher) : "",
          trainer.resumed() ? "from step " + std::to_string(trainer.step()) : "from scratch");
    }
    const auto& stop_requested = hd::app::stop_on_signals();
    auto progress_options = app.progress_options();
    progress_options.quiet = progress_options.quiet || !reporter;
    hd::Progress progress("train", total, "steps", progress_options);
    progress.update(trainer.step());
    const bool finished = trainer.run(stop_requested, [&](const hd::edm2::StepReport& r) {
      progress.update(r.step);
      if (!r.val_losses.empty() && reporter)
        spdlog::info("step {}: loss {:.4f}, validation loss {:.4f}, lr {:.3g}", r.step, r.loss, r.val_loss,
                     r.lr);
    });
    if (!finished) {
      if (reporter)
        spdlog::warn("stopped at step {}: checkpoint written; run the same command again to resume",
                     trainer.step());
      return hd::app::kStoppedExitCode;
    }
    progress.finish();
    return 0;
  });
}
