// SPDX-License-Identifier: GPL-3.0-or-later
// Data-parallel training end to end (docs/training.md): ranks of the train app on
// localhost over Gloo (on the CPU, also in CUDA builds), started as separate processes with the variables
// torchrun sets (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT). Processes, not threads: each rank needs its own
// LibTorch generator, thread pool and signal handlers, as in real use, and a killed rank must die the way a
// crashed one does (its connections close).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "hd/edm2/model_config.hpp"
#include "hd/edm2/unet.hpp"

#include "gp_data.hpp"

extern char** environ;

namespace hd::edm2 {
namespace {

namespace fs = std::filesystem;

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The variables of launchers, removed from the children's environment so that only the
// test's own say who they are.
bool launcher_variable(const std::string& name) {
  for (const char* prefix : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                             "MASTER_PORT", "OMPI_COMM_WORLD_", "PMI_", "MPI_LOCAL"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

class DataParallel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("hd_data_parallel_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    write_gp_dataset(dir_);
    write_tiny_model(dir_);
    // 51 = 25 + 26 samples: the ranks' shares differ, as they do whenever N does not
    // divide B. One log row per step; validation, snapshots and checkpoints every 10.
    std::ofstream(dir_ / "train.toml") << gp_training_toml() << R"(
[distributed]
timeout_s = 20
)";
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // Starts `train` on `out` as rank `rank` of `size` (size 0: no launcher variables at
  // all); its stderr goes to out.rankR.err.
  static pid_t launch(const fs::path& out, int rank, int size, int port, std::int64_t total_steps,
                      const std::vector<std::string>& more_sets = {}) {
    std::vector<std::string> args{"train",
                                  "--config",
                                  (dir_ / "train.toml").string(),
                                  "--out",
                                  out.string(),
                                  "--threads",
                                  "1",
                                  "--quiet",
                                  "--set",
                                  "training.batch_size=51",
                                  "--set",
                                  "training.total_steps=" + std::to_string(total_steps),
                                  "--set",
                                  "training.log_interval_steps=1",
                                  "--set",
                                  "validation.interval_steps=10",
                                  "--set",
                                  "ema.snapshot_interval_steps=10",
                                  "--set",
                                  "checkpoint.interval_steps=10",
                                  "--set",
                                  "training.device=cpu"};
    for (const auto& set : more_sets) {
      args.push_back("--set");
      args.push_back(set);
    }
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
      const std::string entry(*e);
      if (!launcher_variable(entry.substr(0, entry.find('=')))) env.push_back(entry);
    }
    if (size > 0) {
      env.push_back("RANK=" + std::to_string(rank));
      env.push_back("WORLD_SIZE=" + std::to_string(size));
      env.push_back("MASTER_ADDR=127.0.0.1");
      env.push_back("MASTER_PORT=" + std::to_string(port));
    }
    const auto err = out.string() + ".rank" + std::to_string(rank) + ".err";
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    const std::string app = HD_TRAIN_APP;  // set by tests/edm2/CMakeLists.txt
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 2);
      ::execve(app.c_str(), argv.data(), envp.data());
      ::_exit(127);
    }
    return pid;
  }

  // The exit status, or 128 + the signal that ended the process. A process still running
  // after `limit` (a hang: the test's failure, not a measurement) is killed.
  static int wait_for(pid_t pid, std::chrono::seconds limit = std::chrono::seconds(300)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, &status, 0);
        ADD_FAILURE() << "process " << pid << " did not end";
        return -1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  static std::string text_of(const fs::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  // Trains `out` to total_steps with `ranks` processes (0: one process, no launcher).
  static void train(const fs::path& out, int ranks, std::int64_t total_steps) {
    const int port = free_port();
    std::vector<pid_t> pids;
    for (int r = 0; r < std::max(ranks, 1); ++r) pids.push_back(launch(out, r, ranks, port, total_steps));
    for (int r = 0; r < std::max(ranks, 1); ++r)
      ASSERT_EQ(wait_for(pids[static_cast<std::size_t>(r)]), 0)
          << text_of(out.string() + ".rank" + std::to_string(r) + ".err");
  }

  static std::vector<std::vector<std::string>> log_rows(const fs::path& out) {
    std::ifstream in(out / "log.csv");
    std::vector<std::vector<std::string>> rows;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::vector<std::string> cells;
      std::stringstream cells_in(line);
      for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
      if (line.back() == ',') cells.emplace_back();
      rows.push_back(cells);
    }
    return rows;
  }

  static torch::serialize::InputArchive archive_of(const fs::path& path) {
    torch::serialize::InputArchive archive;
    archive.load_from(path.string());
    return archive;
  }

  // The weights a checkpoint holds, and its step.
  static std::vector<torch::Tensor> checkpoint_weights(const fs::path& path, std::int64_t* step = nullptr) {
    auto archive = archive_of(path);
    if (step != nullptr) {
      c10::IValue value;
      archive.read("step", value);
      *step = value.toInt();
    }
    torch::serialize::InputArchive weights;
    archive.read("model", weights);
    Precond model(load_model_config(dir_ / "tiny.toml"));
    model->load(weights);
    return model->parameters();
  }

  // EMA profile k of a snapshot.
  static std::vector<torch::Tensor> snapshot_profile(const fs::path& path, int k) {
    auto archive = archive_of(path);
    torch::serialize::InputArchive profile;
    archive.read("ema" + std::to_string(k), profile);
    std::vector<torch::Tensor> tensors;
    for (int i = 0;; ++i) {
      torch::Tensor t;
      std::string key = std::to_string(i);
      key.insert(0, 1, 'p');  // ("p" + ... trips GCC 12's -Wrestrict false positive)
      if (!profile.try_read(key, t)) break;
      tensors.push_back(t);
    }
    return tensors;
  }

  static fs::path dir_;
};
fs::path DataParallel::dir_;

// Float32 results of the same sums taken in another order differ by an ulp or so (~1e-7
// relative); over 20 Adam steps such differences grow but stay many orders of magnitude
// below what a wrong sample, share or noise draw would cause (a different batch changes
// the loss by ~1e-2 and the weights by ~1e-3). Tolerances: loss, gradient norm and
// validation loss 1e-5 relative; weights and EMA 1e-5 absolute (they are O(0.1)).
constexpr double kRelative = 1e-5, kAbsolute = 1e-5;

void expect_close_tensors(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b,
                          const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  double worst = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i)
    worst = std::max(worst, (a[i] - b[i]).abs().max().item<double>());
  std::cout << what << ": largest difference " << worst << "\n";
  EXPECT_LE(worst, kAbsolute) << what;
}

// Columns: step, images, loss, lr, grad_norm, nonfinite_steps, samples_per_s, val_loss,
// val_sigma_*..., val_loss_ema_*...: all but the timing agree.
void expect_same_curve(const std::vector<std::vector<std::string>>& a,
                       const std::vector<std::vector<std::string>>& b) {
  ASSERT_EQ(a.size(), b.size());
  double worst = 0.0;
  for (std::size_t r = 0; r < a.size(); ++r) {
    ASSERT_EQ(a[r].size(), b[r].size()) << "row " << r;
    for (std::size_t c = 0; c < a[r].size(); ++c) {
      if (c == 6) continue;  // samples_per_s
      if (c <= 1 || c == 3 || c == 5 || a[r][c].empty() || b[r][c].empty()) {
        EXPECT_EQ(a[r][c], b[r][c]) << "row " << r << ", column " << c;
        continue;
      }
      const double x = std::stod(a[r][c]), y = std::stod(b[r][c]);
      worst = std::max(worst, std::abs(x - y) / std::abs(x));
      EXPECT_NEAR(x, y, kRelative * std::abs(x)) << "row " << r << ", column " << c;
    }
  }
  std::cout << "log.csv: largest relative difference " << worst << "\n";
}

// Two ranks with 25 and 26 samples of each global batch of 51 train the same model as
// one process with all 51: the same loss, gradient norm and validation curve over 20
// steps, the same weights and EMA after (checked across the ranks at every checkpoint by
// the trainer itself, which would stop otherwise).
TEST_F(DataParallel, TwoRanksFollowTheOneProcessTrajectory) {
  train(dir_ / "one", 0, 20);
  train(dir_ / "two", 2, 20);
  const auto one = log_rows(dir_ / "one"), two = log_rows(dir_ / "two");
  ASSERT_EQ(one.size(), 20u);
  expect_same_curve(one, two);
  expect_close_tensors(checkpoint_weights(dir_ / "one" / "checkpoint.pt"),
                       checkpoint_weights(dir_ / "two" / "checkpoint.pt"), "weights after 20 steps");
  for (int k = 0; k < 2; ++k)
    expect_close_tensors(snapshot_profile(dir_ / "one" / "ema" / "snapshot-0000000020.pt", k),
                         snapshot_profile(dir_ / "two" / "ema" / "snapshot-0000000020.pt", k),
                         "EMA profile " + std::to_string(k));
}

// A checkpoint of two ranks (step 10) resumed by one process continues the same run: the
// weights after 20 steps and the whole curve are those of one process from the start.
TEST_F(DataParallel, OneProcessResumesATwoRankRun) {
  train(dir_ / "straight", 0, 20);
  train(dir_ / "resumed", 2, 10);
  std::int64_t step = 0;
  checkpoint_weights(dir_ / "resumed" / "checkpoint.pt", &step);
  ASSERT_EQ(step, 10);
  train(dir_ / "resumed", 0, 20);
  expect_same_curve(log_rows(dir_ / "straight"), log_rows(dir_ / "resumed"));
  expect_close_tensors(checkpoint_weights(dir_ / "straight" / "checkpoint.pt"),
                       checkpoint_weights(dir_ / "resumed" / "checkpoint.pt"), "weights after 20 steps");
}

// Kill -9 one rank mid-run: the other stops with one line saying which operation failed
// and why, and the run folder keeps a whole checkpoint (rank 1 killed: rank 0, the
// writer, never leaves a temporary either). The same folder then resumes with two ranks,
// and killing rank 0 stops rank 1 the same way.
TEST_F(DataParallel, AKilledRankStopsTheOtherWithAOneLineErrorAndAWholeCheckpoint) {
  const auto out = dir_ / "killed";
  auto rows = [&] { return log_rows(out).size(); };
  auto kill_and_check = [&](int victim, std::size_t after_rows) {
    const int port = free_port();
    const std::vector<pid_t> pids{launch(out, 0, 2, port, 100000, {"checkpoint.interval_steps=5"}),
                                  launch(out, 1, 2, port, 100000, {"checkpoint.interval_steps=5"})};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (rows() < after_rows && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_GE(rows(), after_rows) << text_of(out.string() + ".rank0.err");
    ::kill(pids[static_cast<std::size_t>(victim)], SIGKILL);
    const int survivor = 1 - victim;
    EXPECT_EQ(wait_for(pids[static_cast<std::size_t>(victim)]), 128 + SIGKILL);
    EXPECT_EQ(wait_for(pids[static_cast<std::size_t>(survivor)]), 1);
    const auto err = text_of(out.string() + ".rank" + std::to_string(survivor) + ".err");
    std::cout << "rank " << survivor << ": " << err;
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_EQ(err.rfind("train: error: rank " + std::to_string(survivor) + " of 2 (gloo): ", 0), 0u) << err;
    EXPECT_NE(err.find(" failed ("), std::string::npos) << err;
    std::int64_t step = 0;
    checkpoint_weights(out / "checkpoint.pt", &step);
    EXPECT_GE(step, 5);
    EXPECT_EQ(step % 5, 0);
  };
  kill_and_check(1, 8);
  for (const auto& entry : fs::directory_iterator(out))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  kill_and_check(0, rows() + 3);
}

// A rank that hangs (stopped, its connections open) is noticed after distributed.timeout_s:
// the other rank's collective times out and it stops with one line naming the timeout.
TEST_F(DataParallel, AHungRankStopsTheOtherAfterTheTimeout) {
  const auto out = dir_ / "hung";
  const int port = free_port();
  const std::vector<std::string> sets{"distributed.timeout_s=8"};
  const std::vector<pid_t> pids{launch(out, 0, 2, port, 100000, sets), launch(out, 1, 2, port, 100000, sets)};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (log_rows(out).size() < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ::kill(pids[1], SIGSTOP);
  EXPECT_EQ(wait_for(pids[0]), 1);
  ::kill(pids[1], SIGKILL);
  wait_for(pids[1]);
  const auto err = text_of(out.string() + ".rank0.err");
  std::cout << "rank 0: " << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_EQ(err.rfind("train: error: rank 0 of 2 (gloo): ", 0), 0u) << err;
  EXPECT_NE(err.find("distributed.timeout_s = 8 s"), std::string::npos) << err;
}

}  // namespace
}  // namespace hd::edm2
