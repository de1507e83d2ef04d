// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/training_config.hpp"

#include <algorithm>
#include <cmath>

namespace hd::edm2 {

TrainConfig read_train_config(const config::Document& document) {
  using config::Range;
  const auto root = document.root();
  TrainConfig c;
  {
    auto t = root.table("model");
    c.model = load_model_config(t.get_path("config"), &c.model_toml);
    t.finish();
  }
  {
    auto t = root.table("data");
    c.dataset = t.get_path("dataset");
    c.train_split = t.get_path("train_split");
    c.val_split = t.get_path("val_split");
    c.labels = t.get_strings_or("labels", {});
    if (static_cast<int>(c.labels.size()) != c.model.label_dim)
      t.fail("labels", "names " + std::to_string(c.labels.size()) +
                           " quantities, but the model has label_dim = " + std::to_string(c.model.label_dim));
    for (std::size_t i = 0; i < c.labels.size(); ++i)
      if (std::count(c.labels.begin(), c.labels.end(), c.labels[i]) > 1)
        t.fail("labels", "names " + c.labels[i] + " twice");
    c.chunk_rows = t.get_int_or("chunk_rows", 256, Range{1, 1e7});
    c.window_chunks = t.get_int_or("window_chunks", 16, Range{1, 1e6});
    t.finish();
  }
  {
    auto t = root.table("training");
    c.batch_size = t.get_int("batch_size", Range{1, 1e7});
    c.total_steps = t.get_int("total_steps", Range{1, 1e12});
    c.lr_ref = t.get_double("lr_ref", Range::positive());
    c.lr_decay_steps = t.get_int("lr_decay_steps", Range{1, 1e12});
    c.lr_warmup_steps = t.get_int_or("lr_warmup_steps", 0, Range{0, 1e12});
    c.adam_beta1 = t.get_double_or("adam_beta1", 0.9, Range{0.0, 0.999999});
    c.adam_beta2 = t.get_double_or("adam_beta2", 0.99, Range{0.0, 0.999999});
    c.adam_eps = t.get_double_or("adam_eps", 1e-8, Range::positive());
    c.loss.p_mean = t.get_double_or("p_mean", -1.2, Range{-20.0, 20.0});
    c.loss.p_std = t.get_double_or("p_std", 1.2, Range::positive());
    c.loss.derivative_penalty = t.get_bool_or("derivative_penalty", false);
    c.label_dropout = t.get_double_or("label_dropout", 0.1, Range::unit());
    c.seed = static_cast<std::uint64_t>(t.get_int_or("seed", 0, Range{0, 9.2e18}));
    c.device = t.get_choice_or("device", {"auto", "cpu", "cuda"}, "auto");
    c.precision = t.get_choice_or("precision", {"auto", "fp32", "bf16"}, "auto");
    if (c.precision == "bf16" && c.device == "cpu")
      t.fail("precision",
             "bf16 autocast is offered on CUDA only (bf16 convolutions are slower on the CPU); "
             "use \"fp32\" or \"auto\"");
    c.log_interval_steps = t.get_int_or("log_interval_steps", 10, Range{1, 1e12});
    t.finish();
  }
  {
    auto t = root.table("validation");
    c.val_sigmas =
        t.get_doubles_or("sigmas", {0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0}, Range::positive());
    if (c.val_sigmas.empty()) t.fail("sigmas", "needs at least one noise level");
    c.val_interval_steps = t.get_int_or("interval_steps", 100, Range{1, 1e12});
    c.val_max_samples = t.get_int_or("max_samples", 1024, Range{1, 1e9});
    c.val_batch_size = t.get_int_or("batch_size", 256, Range{1, 1e7});
    t.finish();
  }
  {
    auto t = root.table_or_empty("ema");
    c.ema_sigma_rels = t.get_doubles_or("sigma_rels", {0.05, 0.10}, Range{1e-6, std::sqrt(1.0 / 12.0)});
    if (c.ema_sigma_rels.empty()) t.fail("sigma_rels", "needs at least one sigma_rel");
    c.ema_snapshot_interval_steps = t.get_int_or("snapshot_interval_steps", 1000, Range{1, 1e12});
    t.finish();
  }
  {
    auto t = root.table_or_empty("checkpoint");
    c.checkpoint_interval_steps = t.get_int_or("interval_steps", 500, Range{1, 1e12});
    t.finish();
  }
  {
    auto t = root.table_or_empty("distributed");
    auto& d = c.distributed;
    d.backend = t.get_choice_or("backend", {"auto", "gloo", "nccl"}, "auto");
    if (d.backend == "nccl" && c.device == "cpu")
      t.fail("backend", "NCCL reduces CUDA tensors only; with device = \"cpu\" use \"gloo\" or \"auto\"");
    d.timeout_s = t.get_double_or("timeout_s", 120.0, Range{0.1, 1e6});
    d.rendezvous_timeout_s = t.get_double_or("rendezvous_timeout_s", 600.0, Range{0.1, 1e6});
    d.bucket_mb = t.get_double_or("bucket_mb", 25.0, Range{0.001, 1e5});
    t.finish();
  }
  root.finish();
  c.train_toml = document.to_toml();
  return c;
}

void check_training_config(const config::Document& document) {
  read_train_config(document);
}

double learning_rate(double lr_ref, std::int64_t step, std::int64_t decay_steps, std::int64_t warmup_steps) {
  const double t = static_cast<double>(step);
  double lr = lr_ref / std::sqrt(std::max(t / static_cast<double>(decay_steps), 1.0));
  if (warmup_steps > 0) lr *= std::min(t / static_cast<double>(warmup_steps), 1.0);
  return lr;
}

}  // namespace hd::edm2
