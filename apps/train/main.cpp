// SPDX-License-Identifier: GPL-3.0-or-later
// train: fits the EDM2 prior to a normalized dataset (configs/train/*.toml), or, with
// --export-sigma-rel, turns the EMA snapshots of a run into a sampling model.
#include <torch/torch.h>

#include <filesystem>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/app/stop.hpp"
#include "hd/app/torch_runtime.hpp"
#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/common/progress.hpp"
#include "hd/edm2/training.hpp"

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::App app("train", "Train the EDM2 prior on a normalized dataset");
  app.add_config_option(false);
  app.add_seed_option(0);
  app.add_threads_option();
  std::filesystem::path out_dir, export_path;
  bool fresh = false;
  double export_sigma_rel = 0.0;
  app.cli().add_option("-o,--out", out_dir, "Run folder: checkpoint, log.csv, EMA snapshots")->required();
  app.cli().add_flag("--fresh", fresh, "Start over even if the run folder holds a checkpoint");
  app.cli().add_option(
      "--export-sigma-rel", export_sigma_rel,
      "Instead of training: reconstruct the EMA of this relative width and write a sampling model");
  app.cli().add_option("--export-path", export_path,
                       "Where --export-sigma-rel writes (default OUT/model.pt)");

  return app.run(argc, argv, [&] {
    hd::app::set_torch_threads(app.threads());
    if (export_sigma_rel > 0.0) {
      if (export_path.empty()) export_path = out_dir / "model.pt";
      const auto weights = hd::edm2::export_sampling_model(out_dir, export_sigma_rel, export_path);
      spdlog::info("wrote {} (EMA sigma_rel {} from {} snapshot profiles)", export_path.string(),
                   export_sigma_rel, weights.size());
      return 0;
    }
    if (app.config_path().empty()) throw hd::Error("train needs --config FILE (or --export-sigma-rel)");
    auto document = app.load_config();
    if (app.seed_given()) document.set("training.seed=" + std::to_string(app.seed()));
    auto config = hd::edm2::read_train_config(document);
    std::filesystem::create_directories(out_dir);
    hd::write_text_atomically(out_dir / "config.toml", document.to_toml());
    hd::write_text_atomically(out_dir / "model.toml", config.model_toml);

    // The first SIGINT/SIGTERM asks for a checkpoint at the end of the current step.
    const auto& stop_requested = hd::app::stop_on_signals();
    const auto total = config.total_steps;
    hd::edm2::Trainer trainer(std::move(config), out_dir, fresh);
    spdlog::info("{} {} parameters on {} threads; {}", trainer.resumed() ? "resuming" : "training",
                 hd::edm2::parameter_count(*trainer.model()), app.threads(),
                 trainer.resumed() ? "from step " + std::to_string(trainer.step()) : "from scratch");
    hd::Progress progress("train", total, "steps");
    progress.update(trainer.step());
    const bool finished = trainer.run(stop_requested, [&](const hd::edm2::StepReport& r) {
      progress.update(r.step);
      if (!r.val_losses.empty())
        spdlog::info("step {}: loss {:.4f}, validation loss {:.4f}, lr {:.3g}", r.step, r.loss, r.val_loss,
                     r.lr);
    });
    if (!finished) {
      spdlog::warn("stopped at step {}: checkpoint written; run the same command again to resume",
                   trainer.step());
      return hd::app::kStoppedExitCode;
    }
    progress.finish();
    return 0;
  });
}
