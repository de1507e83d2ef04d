// SPDX-License-Identifier: GPL-3.0-or-later
// The end of the data pipeline is the start of training: `train` reads what prepare_data
// writes from a data config, with no conversion step between them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <fstream>

#include "hd/common/config.hpp"
#include "hd/dataset/normalize_raw.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/edm2/run_folder.hpp"
#include "hd/edm2/trainer.hpp"
#include "hd/normalize/metadata.hpp"
#include "hd/testing/process.hpp"

namespace hd::edm2 {
namespace {

namespace fs = std::filesystem;

fs::path source_dir() {
  const char* dir = std::getenv("HD_SOURCE_DIR");
  return dir != nullptr ? fs::path(dir) : fs::current_path();
}

class TrainOnPrepared : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hd_train_on_prepared_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(TrainOnPrepared, TrainReadsThePreparedDatasetAndItsSplitsAsTheyAre) {
  // 64 simulations of 32 cells and 40 us (tests/pipeline/data/pipeline.toml): about a second.
  const fs::path data = dir_ / "data";
  ASSERT_EQ(
      hd::testing::run_process({PREPARE_DATA_PATH, "--config",
                                (source_dir() / "tests" / "pipeline" / "data" / "pipeline.toml").string(),
                                "--num-sims", "64", "--out", data.string(), "--threads", "2", "--quiet"},
                               dir_ / "prepare.log"),
      0);
  const dataset::NormalizedFolder prepared{data / "normalized"};

  // A tiny model over all 17 channels, conditioned on two of the sampled parameters.
  std::ofstream(dir_ / "model.toml") << R"(
[model]
channels = 17
length = 32
base_channels = 16
channel_mult = [1, 2]
num_blocks = 1
attention_resolutions = [16]
channels_per_head = 16
label_dim = 2
)";
  std::ofstream(dir_ / "train.toml") << "[model]\nconfig = \"model.toml\"\n[data]\ndataset = \""
                                     << prepared.dataset().string() << "\"\ntrain_split = \""
                                     << prepared.split(dataset::Split::train).string() << "\"\nval_split = \""
                                     << prepared.split(dataset::Split::val_small).string() << R"("
labels = ["discharge_voltage_v", "anode_mass_flow_rate_kg_s"]
chunk_rows = 16
window_chunks = 2
[training]
batch_size = 8
total_steps = 6
lr_ref = 0.01
lr_decay_steps = 100
log_interval_steps = 2
device = "cpu"
[validation]
sigmas = [0.1, 1.0]
interval_steps = 6
[ema]
sigma_rels = [0.05, 0.10]
snapshot_interval_steps = 3
[checkpoint]
interval_steps = 3
)";
  torch::set_num_threads(1);
  const RunFolder run{dir_ / "run"};
  Trainer trainer(read_train_config(config::Document::load(dir_ / "train.toml")), run, /*fresh=*/true);
  std::atomic<bool> stop{false};
  std::vector<double> val_losses;
  ASSERT_TRUE(trainer.run(stop, [&](const StepReport& r) {
    EXPECT_TRUE(std::isfinite(r.loss)) << "step " << r.step;
    if (!r.val_losses.empty()) val_losses = r.val_losses;
  }));
  EXPECT_EQ(trainer.step(), 6);
  ASSERT_EQ(val_losses.size(), 2u);
  for (double loss : val_losses) EXPECT_TRUE(std::isfinite(loss));
  EXPECT_TRUE(fs::exists(run.checkpoint()));

  // The run records the prepared dataset's normalization and the labels by name, so that a
  // model exported from it maps samples back to physical units.
  const normalize::Metadata from_run = normalize::read_json(run.normalization());
  const normalize::Metadata prepared_metadata = normalize::read_json(prepared.metadata());
  EXPECT_EQ(from_run.fields.names, prepared_metadata.fields.names);
  EXPECT_EQ(from_run.fields.mean, prepared_metadata.fields.mean);
  EXPECT_EQ(from_run.params.std, prepared_metadata.params.std);
  EXPECT_EQ(from_run.target_std, 0.5);
  std::ifstream description(run.description());
  const std::string text((std::istreambuf_iterator<char>(description)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("labels = [\"discharge_voltage_v\", \"anode_mass_flow_rate_kg_s\"]"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace hd::edm2
