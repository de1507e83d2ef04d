// SPDX-License-Identifier: GPL-3.0-or-later
#include "gp_data.hpp"

#include <torch/torch.h>

#include <cmath>
#include <fstream>
#include <numeric>
#include <vector>

namespace hd::edm2 {

namespace fs = std::filesystem;

dataset::Metadata gp_metadata() {
  dataset::Metadata m;
  m.fields = {{"a", "b"}, {0, 0}, {1, 1}, {false, false}, {"1", "1"}};
  m.params = {{"p"}, {0}, {1}, {false}, {"1"}};
  for (int i = 0; i < kLength; ++i) m.z_m.push_back(0.08 * (i + 0.5) / kLength);
  return m;
}

void write_gp_dataset(const fs::path& dir) {
  torch::manual_seed(11);
  auto z = torch::linspace(0, 1, kLength, torch::kFloat64);
  auto k = torch::exp(-0.5 * (z.unsqueeze(0) - z.unsqueeze(1)).square() / (0.15 * 0.15)) +
           1e-6 * torch::eye(kLength, torch::kFloat64);
  auto chol = torch::linalg_cholesky(k);
  auto a = torch::matmul(torch::randn({kRows, kLength}, torch::kFloat64), chol.t());
  auto b = torch::matmul(torch::randn({kRows, kLength}, torch::kFloat64), chol.t());
  auto mean = 0.2 * torch::sin(2 * M_PI * z);
  auto ch0 = 0.5 * a + mean, ch1 = 0.5 * (0.8 * a + 0.6 * b) - mean;
  auto fields = torch::stack({ch0, ch1}, 1).to(torch::kFloat32).contiguous();
  auto params = torch::randn({kRows, 1}, torch::kFloat32) * 0.5;

  std::vector<std::int64_t> simulation(kRows);
  std::iota(simulation.begin(), simulation.end(), 0);
  const std::vector<float> no_scalars;
  dataset::Writer writer(dir / "gp.h5", gp_metadata(), 64);
  writer.append({fields.data_ptr<float>(), static_cast<std::size_t>(fields.numel())},
                {params.data_ptr<float>(), static_cast<std::size_t>(params.numel())}, no_scalars, simulation);
  writer.close();
  std::vector<std::int64_t> train, val;
  for (std::int64_t r = 0; r < kRows; ++r) (r < kRows - kValRows ? train : val).push_back(r);
  dataset::write_split(dir / "gp.train.h5", train, "gp.h5");
  dataset::write_split(dir / "gp.val_small.h5", val, "gp.h5");
}

void write_tiny_model(const fs::path& dir) {
  std::ofstream(dir / "tiny.toml") << R"(
[model]
channels = 2
length = 32
base_channels = 32
channel_mult = [1, 2]
num_blocks = 1
attention_resolutions = [16]
channels_per_head = 32
)";
}

std::string gp_training_toml(const std::string& extra) {
  return R"(
[model]
config = "tiny.toml"
[data]
dataset = "gp.h5"
train_split = "gp.train.h5"
val_split = "gp.val_small.h5"
chunk_rows = 64
window_chunks = 4
[training]
batch_size = 64
total_steps = 600
lr_ref = 0.01
lr_decay_steps = 300
lr_warmup_steps = 30
log_interval_steps = 50
[validation]
sigmas = [0.05, 0.2, 0.5, 1.0, 2.0]
interval_steps = 300
[ema]
sigma_rels = [0.05, 0.10]
snapshot_interval_steps = 50
[checkpoint]
interval_steps = 100
)" + extra;
}

}  // namespace hd::edm2
