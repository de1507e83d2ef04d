// SPDX-License-Identifier: GPL-3.0-or-later
// The EDM2 training loop (docs/model.md "Training"): streamed shuffled batches, the
// learned-uncertainty loss, Adam with inverse-square-root decay, post-hoc EMA snapshots,
// deterministic validation, atomic checkpoints and exact resume, in one run folder
// (hd::edm2::RunFolder) that the trainer locks for its lifetime.
#pragma once
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "hd/edm2/run_folder.hpp"
#include "hd/edm2/training_config.hpp"
#include "hd/edm2/unet.hpp"
#include "hd/edm2/world.hpp"

namespace hd::edm2 {

// What the trainer reports after each logged step (for progress display).
struct StepReport {
  std::int64_t step = 0;
  std::int64_t images = 0;
  double loss = 0.0;
  double lr = 0.0;
  double grad_norm = 0.0;
  double samples_per_s = 0.0;  // global samples (all ranks)
  // Data-parallel runs: the mean seconds per step spent waiting for the gradient
  // all-reduce after the backward pass (the communication it did not hide); 0 in one process.
  double allreduce_wait_s = 0.0;
  std::int64_t nonfinite_steps = 0;
  std::vector<double> val_losses;  // per sigma; empty when not validated at this step
  double val_loss = 0.0;
  std::vector<double> val_ema_losses;  // mean validation loss of each tracked EMA profile
};

class Trainer {
 public:
  // Takes the run folder's lock, checks the dataset, its splits and the model against each
  // other (every training row finite, labels present, splits disjoint), and resumes from
  // the folder's checkpoint when there is one (unless `fresh`). Only an accepted run
  // writes into the folder: a rejected one leaves it as it was.
  //
  // With a world of several processes (hd::edm2::world_from_environment), this is one
  // rank of a data-parallel run (docs/training.md): every rank constructs a Trainer with
  // the same config and folder, joins the process group, and trains its slice of each
  // global batch on its own model replica; gradients are summed over the ranks, so every
  // replica, its Adam state and its EMA stay identical (checked at every checkpoint).
  // Rank 0 alone locks and writes the folder (log, snapshots, checkpoints); every rank
  // reads the checkpoint, so the folder must be shared. All ranks must call run(),
  // validate() and validate_ema() together (they are collective).
  Trainer(TrainConfig config, RunFolder run, bool fresh, const World& world = {});
  ~Trainer();
  // Trains until total_steps (returns true), or until `stop` becomes true or the step
  // `pause_at_step` (if positive) is reached: then it checkpoints and returns false, and a
  // new Trainer on the folder continues exactly. `report` is called at every log and
  // validation step (on every rank). In a data-parallel run the ranks stop together after
  // the step in which any of them saw `stop`.
  bool run(const std::atomic<bool>& stop, const std::function<void(const StepReport&)>& report,
           std::int64_t pause_at_step = 0);
  std::int64_t step() const;
  bool resumed() const;
  // Rows of an existing log.csv that could not be read (a torn last row after a crash, or
  // damage) and were dropped when the log was resumed.
  std::int64_t dropped_log_rows() const;
  Precond& model();
  int rank() const;
  int world_size() const;
  torch::Device device() const;
  // Mean weighted MSE, lambda (D - x)^2, per sigma of the validation grid: the same
  // noise every time, so the numbers of different steps are comparable.
  std::vector<double> validate();
  // The mean validation loss of each tracked EMA profile (its weights as they are now).
  std::vector<double> validate_ema();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hd::edm2
