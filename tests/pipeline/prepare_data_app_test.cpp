// SPDX-License-Identifier: GPL-3.0-or-later
// prepare_data as a process: killed with SIGKILL while it generates and again while it
// normalizes, then run again, it ends with the files of an uninterrupted run; the thread
// count changes neither the split nor the normalized dataset; SIGTERM stops it cleanly.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <numeric>
#include <thread>

#include "hd/dataset/normalize_raw.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/dataset/split.hpp"
#include "hd/normalize/metadata.hpp"
#include "hd/testing/process.hpp"

#include "datagen_test_support.hpp"

namespace hd::dataset {
namespace {

namespace fs = std::filesystem;
using datagen::test::ScratchDir;
using hd::testing::poll_exit;
using hd::testing::start_process;
using hd::testing::wait_for;

constexpr int kSims = 48;  // three shards of 16

fs::path pipeline_config() {
  return datagen::test::source_dir() / "tests" / "pipeline" / "data" / "pipeline.toml";
}

// 300 us simulated instead of the config's 40 (about 40 ms a simulation), so that the
// generation lasts long enough to be killed in the middle even on a busy machine.
std::vector<std::string> arguments(const fs::path& out, int threads = 2) {
  return {PREPARE_DATA_PATH,
          "--config",
          pipeline_config().string(),
          "--num-sims",
          std::to_string(kSims),
          "--out",
          out.string(),
          "--threads",
          std::to_string(threads),
          "--quiet",
          "--set",
          "simulation.overrides=[\"domain.num_cells=32\", \"simulation.duration_s=3e-4\", "
          "\"simulation.average_start_time_s=1.5e-4\", \"simulation.num_save=50\"]"};
}

int complete_shards(const fs::path& raw) {
  int count = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(raw, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("shard-") && name.ends_with(".h5") && name.find(".tmp-") == std::string::npos)
      ++count;
  }
  return count;
}

// The temporary folder of a normalization in progress (DIR/normalized.tmp-<pid>), if any.
std::optional<fs::path> normalization_in_progress(const fs::path& out) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out, ec))
    if (entry.path().filename().string().starts_with("normalized.tmp-")) return entry.path();
  return std::nullopt;
}

// Everything a run leaves that a user reads, compared with an uninterrupted run's: every
// raw row (but its wall time), the split, and the normalized dataset with its metadata.
void expect_same_output(const fs::path& expected, const fs::path& actual) {
  datagen::test::expect_same_rows(datagen::test::read_dataset(expected / "raw"),
                                  datagen::test::read_dataset(actual / "raw"));
  EXPECT_EQ(read_simulation_splits(default_split_folder(expected / "raw")).splits,
            read_simulation_splits(default_split_folder(actual / "raw")).splits);
  const NormalizedFolder a{expected / "normalized"}, b{actual / "normalized"};
  const normalize::Metadata ma = normalize::read_json(a.metadata()), mb = normalize::read_json(b.metadata());
  EXPECT_EQ(ma.fields.mean, mb.fields.mean);
  EXPECT_EQ(ma.fields.std, mb.fields.std);
  EXPECT_EQ(ma.params.mean, mb.params.mean);
  EXPECT_EQ(ma.scalars.std, mb.scalars.std);
  const Reader ra(a.dataset()), rb(b.dataset());
  ASSERT_EQ(ra.rows(), rb.rows());
  std::vector<std::int64_t> rows(static_cast<std::size_t>(ra.rows()));
  std::iota(rows.begin(), rows.end(), 0);
  const Batch ba = ra.read(rows), bb = rb.read(rows);
  EXPECT_EQ(ba.fields, bb.fields);
  EXPECT_EQ(ba.params, bb.params);
  EXPECT_EQ(ba.scalars, bb.scalars);
  EXPECT_EQ(ba.simulation, bb.simulation);
  for (const Split s : kSplits) EXPECT_EQ(read_split(a.split(s)), read_split(b.split(s))) << split_name(s);
  for (const auto& entry : fs::directory_iterator(actual))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
}

class PrepareDataApp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = std::make_unique<ScratchDir>("prepare_data_app_full");
    const fs::path log = *shared_ / "log.txt";
    full_ok_ = hd::testing::run_process(arguments(*shared_ / "full"), log) == 0;
    if (!full_ok_) full_log_ = datagen::test::read_text(log);
  }
  static void TearDownTestSuite() { shared_.reset(); }
  void SetUp() override { ASSERT_TRUE(full_ok_) << full_log_; }
  static fs::path full() { return *shared_ / "full"; }

  static inline std::unique_ptr<ScratchDir> shared_;
  static inline bool full_ok_ = false;
  static inline std::string full_log_;
  ScratchDir scratch_{"prepare_data_app_test"};
  fs::path log_ = scratch_ / "log.txt";
};

TEST_F(PrepareDataApp, KilledWhileGeneratingAndWhileNormalizingThenRerunEndsAsAnUninterruptedRun) {
  const fs::path out = scratch_ / "killed";
  const auto args = arguments(out);

  // 1. SIGKILL once the first shard is complete.
  pid_t pid = start_process(args, log_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (complete_shards(out / "raw") < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  ::kill(pid, SIGKILL);
  ASSERT_EQ(wait_for(pid), 128 + SIGKILL);
  EXPECT_LT(complete_shards(out / "raw"), kSims / 16)
      << "the run ended before it was killed: nothing was tested";
  EXPECT_FALSE(fs::exists(out / "normalized"));

  // 2. The rerun finishes the generation; SIGKILL it while it normalizes. The process is
  // stopped first, so that the test knows where it was when it died: a normalization
  // that finished before the stop is removed and tried again.
  bool killed_while_normalizing = false;
  for (int attempt = 0; attempt < 5 && !killed_while_normalizing; ++attempt) {
    fs::remove_all(out / "normalized");
    pid = start_process(args, log_);
    std::optional<int> exited;
    while (!exited && !normalization_in_progress(out)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
      exited = poll_exit(pid);
    }
    if (exited) continue;
    ::kill(pid, SIGSTOP);
    killed_while_normalizing = normalization_in_progress(out) && !fs::exists(out / "normalized");
    ::kill(pid, SIGKILL);
    ASSERT_EQ(wait_for(pid), 128 + SIGKILL);
  }
  ASSERT_TRUE(killed_while_normalizing) << datagen::test::read_text(log_);
  EXPECT_EQ(complete_shards(out / "raw"), kSims / 16);
  EXPECT_TRUE(normalization_in_progress(out));

  // 3. The last rerun cleans up and ends with the uninterrupted run's files.
  ASSERT_EQ(hd::testing::run_process(args, log_), 0) << datagen::test::read_text(log_);
  expect_same_output(full(), out);
}

TEST_F(PrepareDataApp, TheThreadCountChangesNeitherTheSplitNorTheDataset) {
  const fs::path out = scratch_ / "one_thread";
  ASSERT_EQ(hd::testing::run_process(arguments(out, 1), log_), 0) << datagen::test::read_text(log_);
  expect_same_output(full(), out);
}

TEST_F(PrepareDataApp, ARerunOfAFinishedRunChangesNothing) {
  const fs::path out = scratch_ / "again";
  fs::create_directories(out);
  fs::copy(full(), out, fs::copy_options::recursive);
  const auto written = fs::last_write_time(out / "normalized" / "dataset.h5");
  auto args = arguments(out);
  args.erase(args.begin() + 3, args.begin() + 5);  // without --num-sims: the recorded count
  ASSERT_EQ(hd::testing::run_process(args, log_), 0) << datagen::test::read_text(log_);
  EXPECT_EQ(fs::last_write_time(out / "normalized" / "dataset.h5"), written);
  expect_same_output(full(), out);
}

TEST_F(PrepareDataApp, SigtermStopsItAndARerunFinishes) {
  const fs::path out = scratch_ / "terminated";
  const auto args = arguments(out);
  const pid_t pid = start_process(args, log_);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (complete_shards(out / "raw") < 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(wait_for(pid), 130) << datagen::test::read_text(log_);  // hd::app::kStoppedExitCode
  EXPECT_FALSE(fs::exists(out / "normalized"));
  ASSERT_EQ(hd::testing::run_process(args, log_), 0) << datagen::test::read_text(log_);
  expect_same_output(full(), out);
}

}  // namespace
}  // namespace hd::dataset
