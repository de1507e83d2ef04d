// SPDX-License-Identifier: GPL-3.0-or-later
// Who a process is in a data-parallel run, as launchers say it (hd/edm2/world.hpp), and
// the training config's keys for it (docs/training.md). Torch-free.
#include "hd/edm2/world.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "hd/common/config.hpp"
#include "hd/edm2/training_config.hpp"
#include "hd/testing/errors.hpp"

namespace hd::edm2 {
namespace {

namespace fs = std::filesystem;

World world_of(const std::map<std::string, std::string>& variables) {
  return world_from_environment([&](const std::string& name) -> std::optional<std::string> {
    const auto it = variables.find(name);
    if (it == variables.end()) return std::nullopt;
    return it->second;
  });
}

TEST(World, WithoutLauncherVariablesAProcessIsAWorldOfOne) {
  const auto w = world_of({{"HOME", "/root"}});
  EXPECT_EQ(w.rank, 0);
  EXPECT_EQ(w.size, 1);
  EXPECT_FALSE(w.distributed());
}

TEST(World, TorchrunVariablesGiveRankSizeLocalRankAndRendezvous) {
  const auto w = world_of({{"RANK", "5"},
                           {"WORLD_SIZE", "8"},
                           {"LOCAL_RANK", "1"},
                           {"LOCAL_WORLD_SIZE", "4"},
                           {"MASTER_ADDR", "node7"},
                           {"MASTER_PORT", "1234"}});
  EXPECT_EQ(w.rank, 5);
  EXPECT_EQ(w.size, 8);
  EXPECT_EQ(w.local_rank, 1);
  EXPECT_EQ(w.local_size, 4);
  EXPECT_EQ(w.master_addr, "node7");
  EXPECT_EQ(w.master_port, 1234);
  EXPECT_TRUE(w.distributed());
}

// On one node an MPI launcher needs nothing else: the rendezvous defaults to torchrun's
// 127.0.0.1:29500.
TEST(World, MpiLaunchersNameTheRankWhenRankIsUnset) {
  const auto open_mpi = world_of({{"OMPI_COMM_WORLD_RANK", "1"},
                                  {"OMPI_COMM_WORLD_SIZE", "2"},
                                  {"OMPI_COMM_WORLD_LOCAL_RANK", "1"},
                                  {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}});
  EXPECT_EQ(open_mpi.rank, 1);
  EXPECT_EQ(open_mpi.size, 2);
  EXPECT_EQ(open_mpi.local_rank, 1);
  EXPECT_EQ(open_mpi.master_addr, "127.0.0.1");
  EXPECT_EQ(open_mpi.master_port, 29500);
  const auto pmi = world_of({{"PMI_RANK", "2"}, {"PMI_SIZE", "3"}});
  EXPECT_EQ(pmi.rank, 2);
  EXPECT_EQ(pmi.size, 3);
  EXPECT_EQ(pmi.local_rank, 2) << "without a local rank, the rank";
  // RANK and WORLD_SIZE set by hand win over the MPI launcher's.
  const auto both = world_of({{"RANK", "0"}, {"WORLD_SIZE", "1"}, {"PMI_RANK", "2"}, {"PMI_SIZE", "3"}});
  EXPECT_EQ(both.size, 1);
}

TEST(World, HalfSetOrMalformedVariablesAreOneLineErrorsNamingThem) {
  using hd::testing::expect_one_line_error;
  expect_one_line_error([] { world_of({{"RANK", "0"}}); }, "RANK is set but WORLD_SIZE is not");
  expect_one_line_error([] { world_of({{"PMI_SIZE", "2"}}); }, "PMI_SIZE is set but PMI_RANK is not");
  expect_one_line_error([] { world_of({{"RANK", "2"}, {"WORLD_SIZE", "2"}}); }, "RANK = \"2\"");
  expect_one_line_error([] { world_of({{"RANK", "0"}, {"WORLD_SIZE", "two"}}); }, "WORLD_SIZE = \"two\"");
  expect_one_line_error([] { world_of({{"MASTER_PORT", "70000"}}); }, "MASTER_PORT = \"70000\"");
  // Ranks on two nodes cannot meet at 127.0.0.1.
  expect_one_line_error(
      [] {
        world_of({{"OMPI_COMM_WORLD_RANK", "0"},
                  {"OMPI_COMM_WORLD_SIZE", "4"},
                  {"OMPI_COMM_WORLD_LOCAL_SIZE", "2"}});
      },
      "set MASTER_ADDR");
}

class DistributedConfig : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hd_world_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "model.toml") << "[model]\nchannels = 2\nlength = 32\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  TrainConfig read(const std::string& extra) {
    std::ofstream(dir_ / "train.toml") << R"([model]
config = "model.toml"
[data]
dataset = "d.h5"
train_split = "t.h5"
val_split = "v.h5"
[training]
batch_size = 8
total_steps = 10
lr_ref = 0.01
lr_decay_steps = 10
[validation]
)" + extra;
    return read_train_config(config::Document::load(dir_ / "train.toml"));
  }
  fs::path dir_;
};

TEST_F(DistributedConfig, DefaultsAndKeysAreRead) {
  const auto defaults = read("");
  EXPECT_EQ(defaults.precision, "auto");
  EXPECT_EQ(defaults.distributed.backend, "auto");
  EXPECT_EQ(defaults.distributed.timeout_s, 120.0);
  const auto set = read("[distributed]\nbackend = \"gloo\"\ntimeout_s = 5\nbucket_mb = 1.5\n");
  EXPECT_EQ(set.distributed.backend, "gloo");
  EXPECT_EQ(set.distributed.timeout_s, 5.0);
  EXPECT_EQ(set.distributed.bucket_mb, 1.5);
}

// bf16 autocast and NCCL exist for CUDA only: a CPU run asking for them is refused,
// naming the key.
TEST_F(DistributedConfig, CudaOnlyChoicesOnTheCpuAreOneLineErrorsNamingTheKey) {
  using hd::testing::expect_one_line_error;
  expect_one_line_error([&] { read("[distributed]\nbackend = \"mpi\"\n"); }, "distributed.backend");
  expect_one_line_error([&] { read("[distributed]\ntimeout_s = 0\n"); }, "distributed.timeout_s");
  const auto on_cpu = [&](const std::string& keys) {
    auto document = config::Document::load(dir_ / "train.toml");
    document.set("training.device=\"cpu\"", "test");
    document.set(keys, "test");
    return read_train_config(document);
  };
  read("");
  expect_one_line_error([&] { on_cpu("training.precision=\"bf16\""); }, "training.precision");
  expect_one_line_error([&] { on_cpu("training.precision=\"bf16\""); },
                        "bf16 autocast is offered on CUDA only");
  read("[distributed]\n");
  expect_one_line_error([&] { on_cpu("distributed.backend=\"nccl\""); }, "distributed.backend");
  expect_one_line_error([&] { on_cpu("distributed.backend=\"nccl\""); }, "NCCL reduces CUDA tensors only");
}

}  // namespace
}  // namespace hd::edm2
