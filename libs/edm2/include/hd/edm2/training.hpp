// SPDX-License-Identifier: GPL-3.0-or-later
// The EDM2 training recipe (arXiv 2312.02696, section 3 and appendix; docs/model.md):
// lognormal noise levels, the learned-uncertainty loss, Adam with inverse-square-root
// decay, post-hoc EMA snapshots, deterministic validation, atomic checkpoints and exact
// resume. The apps only wire this to the command line.
#pragma once
#include <torch/torch.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/edm2/model_config.hpp"
#include "hd/edm2/unet.hpp"

namespace hd::edm2 {

struct LossOptions {
  double p_mean = -1.2;  // ln sigma ~ N(p_mean, p_std^2)
  double p_std = 1.2;
  // Adds the reference's first and second difference penalty along the axis:
  // e^2 -> (e^2 + (De)^2 + (D^2 e)^2) / 3.
  bool derivative_penalty = false;
};

// EDM2 loss with learned uncertainty u(sigma): mean over elements of
// (lambda(sigma)/e^u) (D(x + n; sigma) - x)^2 + u, lambda = (s^2 + sd^2)/(s sd)^2.
// (EDM2 sums over a sample's elements; the mean differs by a constant factor, which Adam
// ignores, and keeps the logged value comparable across sizes.) Draws sigma and n from
// torch's default generator.
torch::Tensor edm2_loss(Precond& model, const torch::Tensor& x, const torch::Tensor& labels,
                        const LossOptions& options);

// Squared error with the optional derivative penalty, per element.
torch::Tensor squared_error(const torch::Tensor& denoised, const torch::Tensor& x, bool derivative_penalty);

// alpha(t) = alpha_ref / sqrt(max(t / t_ref, 1)) * min(t / t_warmup, 1), t in steps.
double learning_rate(double lr_ref, std::int64_t step, std::int64_t decay_steps, std::int64_t warmup_steps);

struct TrainConfig {
  ModelConfig model;
  std::string model_toml;  // the resolved model config, stored in checkpoints
  std::string train_toml;  // the resolved training config (with defaults), likewise
  // [data]
  std::filesystem::path dataset;
  std::filesystem::path train_split;  // empty: every row
  std::filesystem::path val_split;
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
};

// Reads a training config (configs/train/*.toml): its [model] table names the model
// config file. Errors name the file, line and key.
TrainConfig read_train_config(const config::Document& document);

// Loads configs/model/*.toml ([model] table).
ModelConfig load_model_config(const std::filesystem::path& path, std::string* resolved_toml = nullptr);

torch::Device resolve_device(const std::string& device);

// What the trainer reports after each logged step (for progress display).
struct StepReport {
  std::int64_t step = 0;
  std::int64_t images = 0;
  double loss = 0.0;
  double lr = 0.0;
  double grad_norm = 0.0;
  double samples_per_s = 0.0;
  std::int64_t nonfinite_steps = 0;
  std::vector<double> val_losses;  // per sigma; empty when not validated at this step
  double val_loss = 0.0;
};

class Trainer {
 public:
  // Resumes from `out_dir`/checkpoint.pt when it exists (unless `fresh`); otherwise
  // starts from a model initialised from the seed.
  Trainer(TrainConfig config, std::filesystem::path out_dir, bool fresh);
  ~Trainer();
  // Trains until total_steps, or until `stop` becomes true (then checkpoints and returns
  // false). `report` is called at every log and validation step.
  bool run(const std::atomic<bool>& stop, const std::function<void(const StepReport&)>& report);
  std::int64_t step() const;
  bool resumed() const;
  Precond& model();
  // Mean weighted MSE, lambda (D - x)^2, per sigma of the validation grid: the same
  // noise every time, so the numbers of different steps are comparable.
  std::vector<double> validate();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reconstructs the EMA of relative width `sigma_rel` at the last snapshot in
// `out_dir`/ema from the snapshots of the two tracked profiles, and writes a sampling
// model (config + weights, normalized once) to `path`. Returns the weights per snapshot.
std::vector<double> export_sampling_model(const std::filesystem::path& out_dir, double sigma_rel,
                                          const std::filesystem::path& path);

// Loads a sampling model written by export_sampling_model, in evaluation mode.
Precond load_sampling_model(const std::filesystem::path& path, torch::Device device = torch::kCPU);

}  // namespace hd::edm2
