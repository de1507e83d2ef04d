// SPDX-License-Identifier: GPL-3.0-or-later
// The files of a training run folder and of an exported model folder (docs/formats.md).
// Each file-name scheme is written down once, here.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace hd::edm2 {

// train --out RUN
struct RunFolder {
  std::filesystem::path root;

  std::filesystem::path config() const { return root / "config.toml"; }  // resolved training config
  std::filesystem::path checkpoint() const { return root / "checkpoint.pt"; }
  std::filesystem::path log() const { return root / "log.csv"; }
  // Held (flock) by the trainer for the whole run, so that two trainers never share a run.
  std::filesystem::path lock() const { return root / ".lock"; }
  // The model description (hd/edm2/model_description.hpp: the resolved architecture,
  // channel and label names, grid) and the normalization of what it is trained on; both
  // are copied into every exported model.
  std::filesystem::path description() const { return root / "model.toml"; }
  std::filesystem::path normalization() const { return root / "normalization.json"; }
  std::filesystem::path snapshot_folder() const { return root / "ema"; }
  // ema/snapshot-<step, 10 digits>.pt: zero-padded so that names sort by step.
  std::filesystem::path snapshot(std::int64_t step) const;

  struct Snapshot {
    std::int64_t step;
    std::filesystem::path path;
  };
  // The EMA snapshots present, by increasing step (files not named like snapshots are
  // ignored).
  std::vector<Snapshot> snapshots() const;
};

// train --export-sigma-rel S --export MODEL, and the --model folder of sample/evaluate.
struct ModelFolder {
  std::filesystem::path root;

  std::filesystem::path weights() const { return root / "model.pt"; }
  std::filesystem::path description() const { return root / "model.toml"; }
  std::filesystem::path normalization() const { return root / "normalization.json"; }
  // The reference code's tables (Field,Mean,Std,Log), for its users.
  std::filesystem::path field_table() const { return root / "norm_data.csv"; }
  std::filesystem::path parameter_table() const { return root / "norm_params.csv"; }
};

}  // namespace hd::edm2
