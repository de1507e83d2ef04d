// SPDX-License-Identifier: GPL-3.0-or-later
// gen_data as a process: killed with SIGKILL mid-run (twice) and run again, it ends with
// every simulation exactly once and each row equal to an uninterrupted run's; SIGTERM
// stops it cleanly; job-array tasks and MPI ranks together write the same rows as one
// process.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "hd/testing/process.hpp"

#include "datagen_test_support.hpp"

namespace hd::datagen {
namespace {

namespace fs = std::filesystem;

constexpr int kSims = 40;  // five shards of 8

// 300 us simulated instead of the config's 40 (about 40 ms a simulation), so that a run
// lasts long enough (a second or more on two threads) to be killed in the middle even when
// other work delays this process.
std::vector<std::string> arguments(const fs::path& out, int threads = 2,
                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{
      GEN_DATA_PATH,
      "--config",
      test::small_config_path().string(),
      "--num-sims",
      std::to_string(kSims),
      "--out",
      out.string(),
      "--threads",
      std::to_string(threads),
      "--quiet",
      "--set",
      "simulation.overrides=[\"domain.num_cells=24\", \"simulation.duration_s=3e-4\", "
      "\"simulation.average_start_time_s=1.5e-4\", \"simulation.num_save=50\"]"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

using hd::testing::start_process;
using hd::testing::wait_for;

int run(const std::vector<std::string>& args, const fs::path& log) {
  return hd::testing::run_process(args, log);
}

// Committed files: complete shards in the folder and parts in out/parts.
int committed_files(const fs::path& out) {
  int count = 0;
  std::error_code ec;
  for (const fs::path& folder : {out, out / "parts"})
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("shard-") && name.ends_with(".h5")) ++count;
    }
  return count;
}

// Simulations held by committed files.
std::int64_t committed_simulations(const fs::path& out) {
  std::int64_t count = 0;
  std::error_code ec;
  for (const fs::path& folder : {out, out / "parts"})
    for (const auto& entry : fs::directory_iterator(folder, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with("shard-") && name.ends_with(".h5")) count += dataset::RawFile(entry.path()).rows();
    }
  return count;
}

// Waits until the folder holds more than `files` committed files, then sends `signal`.
void signal_after_commits(pid_t pid, const fs::path& out, int files, int signal) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (committed_files(out) <= files && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::microseconds(500));
  ::kill(pid, signal);
}

// Every test compares with one uninterrupted run, made once for the suite.
class GenDataApp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    shared_ = std::make_unique<test::ScratchDir>("gen_data_app_full");
    const fs::path log = *shared_ / "log.txt";
    full_ok_ = run(arguments(*shared_ / "full"), log) == 0;
    if (!full_ok_) full_log_ = test::read_text(log);
  }
  static void TearDownTestSuite() { shared_.reset(); }
  void SetUp() override { ASSERT_TRUE(full_ok_) << full_log_; }
  static std::map<std::int64_t, dataset::RawRow> full() { return test::read_dataset(*shared_ / "full"); }

  static inline std::unique_ptr<test::ScratchDir> shared_;
  static inline bool full_ok_ = false;
  static inline std::string full_log_;
  test::ScratchDir scratch_{"gen_data_app_test"};
  fs::path log_ = scratch_ / "log.txt";
};

TEST_F(GenDataApp, KilledTwiceWithSigkillThenRerunHoldsEverySimulationOnceAsAnUninterruptedRun) {
  const fs::path out = scratch_ / "killed";
  const auto args = arguments(out, 2, {"--commit-rows", "1"});

  pid_t pid = start_process(args, log_);
  signal_after_commits(pid, out, 1, SIGKILL);
  ASSERT_EQ(wait_for(pid), 128 + SIGKILL);
  const std::int64_t after_first = committed_simulations(out);
  EXPECT_GT(after_first, 0);
  EXPECT_LT(after_first, kSims) << "the run ended before it was killed: nothing was tested";

  pid = start_process(args, log_);
  signal_after_commits(pid, out, committed_files(out) + 2, SIGKILL);
  ASSERT_EQ(wait_for(pid), 128 + SIGKILL);
  const std::int64_t after_second = committed_simulations(out);
  EXPECT_LT(after_second, kSims) << "the rerun ended before it was killed";

  ASSERT_EQ(run(args, log_), 0) << test::read_text(log_);
  const auto rows = test::read_dataset(out);
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(kSims));
  test::expect_same_rows(full(), rows);
  for (const fs::path& folder : {out, out / "parts"})
    for (const auto& entry : fs::directory_iterator(folder))
      EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST_F(GenDataApp, SigtermStopsAfterCommittingAndARerunFinishes) {
  const fs::path out = scratch_ / "terminated";
  const auto args = arguments(out, 2, {"--commit-rows", "4"});
  const pid_t pid = start_process(args, log_);
  signal_after_commits(pid, out, 0, SIGTERM);
  EXPECT_EQ(wait_for(pid), 130) << test::read_text(log_);  // hd::app::kStoppedExitCode
  EXPECT_LT(committed_simulations(out), kSims);
  ASSERT_EQ(run(args, log_), 0) << test::read_text(log_);
  test::expect_same_rows(full(), test::read_dataset(out));
}

TEST_F(GenDataApp, JobArrayTasksTogetherWriteTheRowsOfOneProcess) {
  const fs::path out = scratch_ / "array";
  for (const char* shard : {"0/3", "1/3", "2/3"})
    ASSERT_EQ(run(arguments(out, 1, {"--shard", shard}), log_), 0) << test::read_text(log_);
  test::expect_same_rows(full(), test::read_dataset(out));
}

TEST_F(GenDataApp, TwoMpiRanksWriteTheRowsOfOneProcess) {
#ifndef HD_TEST_MPIEXEC
  GTEST_SKIP() << "gen_data is built without MPI";
#else
  if (!fs::exists(HD_TEST_MPIEXEC)) GTEST_SKIP() << HD_TEST_MPIEXEC << " is missing";
  // Open MPI refuses to start as root unless told it may (containers, CI).
  if (::geteuid() == 0) {
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  }
  // Open MPI never frees some of its start-up allocations (ompi_op_base_op_select, its
  // plugins); under LeakSanitizer they would fail the ranks, so the ranks skip leak checks.
  if (const char* asan = std::getenv("ASAN_OPTIONS"))
    ::setenv("ASAN_OPTIONS", (std::string(asan) + ":detect_leaks=0").c_str(), 1);
  const fs::path out = scratch_ / "mpi";
  std::vector<std::string> args{HD_TEST_MPIEXEC, "-n", "2"};
#ifdef HD_TEST_MPIEXEC_OVERSUBSCRIBE
  args.push_back("--oversubscribe");
#endif
  for (const auto& a : arguments(out, 1)) args.push_back(a);
  ASSERT_EQ(run(args, log_), 0) << test::read_text(log_);
  // Each rank wrote its own shards: ranks 0 and 1 own the even and the odd ones.
  test::expect_same_rows(full(), test::read_dataset(out));
#endif
}

}  // namespace
}  // namespace hd::datagen
