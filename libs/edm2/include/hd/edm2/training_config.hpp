// SPDX-License-Identifier: GPL-3.0-or-later
// The training recipe as a plain record (configs/train/*.toml, docs/model.md "Training"):
// data, EDM2 noise distribution and loss options, Adam with inverse-square-root decay,
// validation, post-hoc EMA and checkpoints. Torch-free, so that `hd_config check` reads
// training files without LibTorch.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/edm2/model_config.hpp"

namespace hd::edm2 {

struct LossOptions {
  double p_mean = -1.2;  // ln sigma ~ N(p_mean, p_std^2)
  double p_std = 1.2;
  // Adds the reference's first and second difference penalty along the axis:
  // e^2 -> (e^2 + (De)^2 + (D^2 e)^2) / 3.
  bool derivative_penalty = false;
};

// [distributed]: how the processes of a data-parallel run talk (docs/training.md). The
// world itself (rank, size, rendezvous address) comes from the launcher's environment
// (hd/edm2/world.hpp).
struct DistributedOptions {
  std::string backend = "auto";  // auto (NCCL on CUDA, Gloo on the CPU) | gloo | nccl
  // A collective that waits longer than this for another rank fails the run. A rank that
  // dies is noticed at once (its connections close); this catches one that hangs, and
  // must exceed the longest time rank 0 works alone (writing a checkpoint).
  double timeout_s = 120.0;
  double rendezvous_timeout_s = 600.0;  // for every rank to join at the start
  double bucket_mb = 25.0;              // gradients all-reduced together, in MiB
};

struct TrainConfig {
  ModelConfig model;
  std::string model_toml;  // the resolved model config, stored in checkpoints
  std::string train_toml;  // the resolved training config (with defaults), likewise
  // [data]
  std::filesystem::path dataset;
  std::filesystem::path train_split;
  std::filesystem::path val_split;
  // The model's label_dim conditioning quantities, by name: sampled parameters or scalar
  // outputs of the dataset, in the order the model sees them.
  std::vector<std::string> labels;
  std::int64_t chunk_rows = 256;
  std::int64_t window_chunks = 16;
  // [training]
  std::int64_t batch_size = 256;
  std::int64_t total_steps = 1000;
  double lr_ref = 0.01;
  std::int64_t lr_decay_steps = 70000;
  std::int64_t lr_warmup_steps = 0;
  double adam_beta1 = 0.9, adam_beta2 = 0.99, adam_eps = 1e-8;
  LossOptions loss;
  double label_dropout = 0.1;  // probability that a scalar is hidden from the model
  std::uint64_t seed = 0;
  std::string device = "auto";
  // auto: bf16 autocast on CUDA, fp32 on the CPU (where bf16 convolutions are slower);
  // fp32; bf16 (CUDA only). Weights, gradients, Adam and EMA stay fp32 in every case.
  std::string precision = "auto";
  std::int64_t log_interval_steps = 10;
  // [validation]
  std::vector<double> val_sigmas;
  std::int64_t val_interval_steps = 100;
  std::int64_t val_max_samples = 1024;
  std::int64_t val_batch_size = 256;
  // [ema]
  std::vector<double> ema_sigma_rels{0.05, 0.10};
  std::int64_t ema_snapshot_interval_steps = 1000;
  // [checkpoint]
  std::int64_t checkpoint_interval_steps = 500;
  DistributedOptions distributed;
};

// Reads a training config: its [model] table names the model config file. Every key is
// checked and unknown keys are errors naming the file, line and key.
TrainConfig read_train_config(const config::Document& document);

// hd_config's check of a training config file (kind "train").
void check_training_config(const config::Document& document);

// alpha(t) = alpha_ref / sqrt(max(t / t_ref, 1)) * min(t / t_warmup, 1), t in steps.
double learning_rate(double lr_ref, std::int64_t step, std::int64_t decay_steps, std::int64_t warmup_steps);

}  // namespace hd::edm2
