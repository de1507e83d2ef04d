// SPDX-License-Identifier: GPL-3.0-or-later
// End-to-end: a tiny model learns Gaussian-process profiles, resumes exactly after an
// interruption, and reports bad inputs in one line naming the file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

#include "hd/common/config.hpp"
#include "hd/common/error.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/edm2/model_file.hpp"
#include "hd/edm2/trainer.hpp"
#include "hd/sampler/edm.hpp"
#include "hd/testing/errors.hpp"

#include "gp_data.hpp"

namespace hd::edm2 {
namespace {

namespace fs = std::filesystem;

class Training : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("hd_train_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    write_gp_dataset(dir_);
    write_tiny_model(dir_);
    // One thread: deterministic timing on a shared machine, where spinning OpenMP workers
    // slow down many-fold when another process holds a core.
    torch::set_num_threads(1);
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static TrainConfig config(const std::string& extra = "") {
    std::ofstream(dir_ / "train.toml") << gp_training_toml(extra);
    return read_train_config(config::Document::load(dir_ / "train.toml"));
  }

  static fs::path dir_;
};
fs::path Training::dir_;

double mean_of(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

TEST_F(Training, LearnsGaussianProcessProfilesAndSamplesTheirMoments) {
  Trainer trainer(config(), RunFolder{dir_ / "run"}, /*fresh=*/true);
  const double untrained = mean_of(trainer.validate());
  std::atomic<bool> stop{false};
  ASSERT_TRUE(trainer.run(stop, [](const StepReport&) {}));
  const double trained = mean_of(trainer.validate());
  std::cout << "validation loss: untrained " << untrained << ", trained " << trained << "\n";
  // At init D = c_skip x, whose weighted error is exactly 1 per element for data of std
  // sigma_data; a model that learned the GP's correlations must at least halve it.
  EXPECT_NEAR(untrained, 1.0, 0.1);
  EXPECT_LT(trained, 0.5 * untrained);
  const auto ema = trainer.validate_ema();  // sigma_rel 0.05 and 0.10
  std::cout << "validation loss of the EMA profiles: " << ema[0] << ", " << ema[1] << "\n";
  for (double loss : ema) EXPECT_LT(loss, 0.5 * untrained);

  const ModelFolder folder{dir_ / "run" / "model"};
  export_sampling_model(RunFolder{dir_ / "run"}, 0.10, folder);
  auto model = load_sampling_model(folder).net;
  torch::NoGradGuard no_grad;
  torch::manual_seed(5);
  const int n = 512;
  auto samples =
      sampler::sample([&](const torch::Tensor& x, const torch::Tensor& sigma) { return model(x, sigma); },
                      torch::randn({n, kChannels, kLength}), {.schedule = {.steps = 32}})
          .x;
  dataset::Reader reader(dir_ / "gp.h5");
  std::vector<std::int64_t> all(kRows);
  std::iota(all.begin(), all.end(), 0);
  auto data_batch = reader.read(all);
  auto data = torch::from_blob(data_batch.fields.data(), {kRows, kChannels, kLength}).clone();
  for (int c = 0; c < kChannels; ++c) {
    // Pooled over positions and samples. Per-channel mean is 0 by construction, variance
    // 0.25 + the mean profile's 0.02. Sampling error with 512 correlated profiles is
    // ~0.02 on the mean and ~6 % on the variance; a short training run adds its own
    // bias, so: mean within 0.05 (0.1 sigma_data), variance within 20 %.
    const double data_mean = data.select(1, c).mean().item<double>();
    const double data_var = data.select(1, c).var().item<double>();
    const double sample_mean = samples.select(1, c).mean().item<double>();
    const double sample_var = samples.select(1, c).var().item<double>();
    std::cout << "channel " << c << ": mean " << sample_mean << " vs " << data_mean << ", variance "
              << sample_var << " vs " << data_var << "\n";
    EXPECT_NEAR(sample_mean, data_mean, 0.05);
    EXPECT_NEAR(sample_var / data_var, 1.0, 0.2);
  }
}

// Deterministic mode: every draw of a step comes from (seed, step) and the data order
// from (seed, position), so an interrupted and resumed run must end with bitwise the
// same weights as an uninterrupted one, and the same log.
TEST_F(Training, InterruptedRunResumesToTheSameWeights) {
  auto short_config = [&] {
    auto c = config();
    c.total_steps = 40;
    c.checkpoint_interval_steps = 15;
    c.ema_snapshot_interval_steps = 10;
    c.log_interval_steps = 5;
    c.val_interval_steps = 20;
    return c;
  };
  std::atomic<bool> stop{false};
  Trainer straight(short_config(), RunFolder{dir_ / "straight"}, true);
  ASSERT_TRUE(straight.run(stop, [](const StepReport&) {}));

  {
    Trainer first(short_config(), RunFolder{dir_ / "resumed"}, true);
    EXPECT_FALSE(first.run(stop, [&](const StepReport& r) {
      if (r.step == 25) stop = true;  // between two checkpoints
    }));
    EXPECT_EQ(first.step(), 25);
  }
  stop = false;
  // A snapshot from beyond the checkpoint (as left by a run killed without one) must
  // not survive into the resumed run's exports.
  std::ofstream(dir_ / "resumed" / "ema" / "snapshot-0000000099.pt") << "stale";
  Trainer second(short_config(), RunFolder{dir_ / "resumed"}, false);
  EXPECT_TRUE(second.resumed());
  EXPECT_EQ(second.step(), 25);
  ASSERT_TRUE(second.run(stop, [](const StepReport&) {}));

  auto a = straight.model()->parameters(), b = second.model()->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i])) << "parameter " << i;
  auto listing = [](const fs::path& folder) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(folder))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  EXPECT_EQ(listing(dir_ / "straight" / "ema"), listing(dir_ / "resumed" / "ema"));
  auto read = [](const fs::path& p) {
    std::ifstream in(p);
    std::string line, all;
    while (std::getline(in, line))
      all += line.substr(0, line.find(",", line.find(",", line.find(",") + 1) + 1)) + "\n";
    return all;  // step, images and loss of every row: the curve, not the timings
  };
  EXPECT_EQ(read(dir_ / "straight" / "log.csv"), read(dir_ / "resumed" / "log.csv"));
}

// A stop in the middle of a log interval: the resumed run's first row still averages the
// losses of the whole interval (the partial sum travels in the checkpoint), so the log is
// the same as an uninterrupted run's; a torn last row left by a crash is dropped.
TEST_F(Training, ResumeInTheMiddleOfALogIntervalKeepsTheLogIdentical) {
  auto short_config = [&] {
    auto c = config();
    c.total_steps = 20;
    c.log_interval_steps = 8;
    c.val_interval_steps = 100;
    c.checkpoint_interval_steps = 100;
    c.ema_snapshot_interval_steps = 10;
    return c;
  };
  std::atomic<bool> stop{false};
  Trainer straight(short_config(), RunFolder{dir_ / "log_straight"}, true);
  ASSERT_TRUE(straight.run(stop, [](const StepReport&) {}));
  {
    Trainer partial(short_config(), RunFolder{dir_ / "log_partial"}, true);
    EXPECT_FALSE(partial.run(
        stop, [](const StepReport&) {}, /*pause_at_step=*/11));
  }
  std::ofstream(dir_ / "log_partial" / "log.csv", std::ios::app) << "12,768,0.5";  // torn row
  Trainer resumed(short_config(), RunFolder{dir_ / "log_partial"}, false);
  EXPECT_EQ(resumed.step(), 11);
  EXPECT_EQ(resumed.dropped_log_rows(), 1);
  ASSERT_TRUE(resumed.run(stop, [](const StepReport&) {}));
  auto losses = [](const fs::path& p) {
    std::ifstream in(p);
    std::string line, all;
    std::getline(in, line);
    while (std::getline(in, line))
      all += line.substr(0, line.find(",", line.find(",", line.find(",") + 1) + 1)) + "\n";
    return all;
  };
  EXPECT_EQ(losses(dir_ / "log_straight" / "log.csv"), losses(dir_ / "log_partial" / "log.csv"));
}

// A batch whose loss overflows float32 (a finite value of 3e38 squared) makes every
// gradient non-finite: the step is counted, its gradients are zeroed (so Adam's first
// steps leave the weights unchanged, up to the forced weight normalization of the first
// forward pass), and training goes on.
TEST_F(Training, NonFiniteGradientsAreZeroedAndCounted) {
  {
    dataset::Writer writer(dir_ / "huge.h5", gp_metadata(), 16);
    std::vector<float> fields(64 * kChannels * kLength, 0.1f), params(64, 0.0f);
    std::vector<std::int64_t> simulation(64);
    std::iota(simulation.begin(), simulation.end(), 0);
    fields[5] = 3e38f;  // row 0 only
    writer.append(fields, params, {}, simulation);
  }
  std::vector<std::int64_t> train(61);
  std::iota(train.begin(), train.end(), 3);
  train.front() = 0;
  dataset::write_split(dir_ / "huge.train.h5", train, "huge.h5");
  dataset::write_split(dir_ / "huge.val.h5", std::vector<std::int64_t>{1, 2}, "huge.h5");
  auto c = config();
  c.dataset = dir_ / "huge.h5";
  c.train_split = dir_ / "huge.train.h5";
  c.val_split = dir_ / "huge.val.h5";
  c.batch_size = 61;  // every batch holds the huge row
  c.total_steps = 3;
  c.log_interval_steps = 1;
  c.lr_warmup_steps = 0;  // full learning rate from the first step
  Trainer trainer(c, RunFolder{dir_ / "huge_run"}, true);
  std::vector<torch::Tensor> before;
  for (const auto& p : trainer.model()->parameters()) before.push_back(p.detach().clone());
  std::vector<StepReport> reports;
  std::atomic<bool> stop{false};
  ASSERT_TRUE(trainer.run(stop, [&](const StepReport& r) { reports.push_back(r); }));
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports.back().nonfinite_steps, 3);
  EXPECT_EQ(reports.back().grad_norm, 0.0);
  auto after = trainer.model()->parameters();
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (after[i].dim() < 2) {
      EXPECT_TRUE(torch::equal(before[i], after[i])) << i;  // gains: untouched
    } else {
      // Weights: projected onto the sphere, nothing else. Each forced normalization moves
      // them by about eps = 1e-4; one Adam step at lr 0.01 would move them by ~1e-2.
      EXPECT_TRUE(torch::allclose(normalize_rows(before[i]), after[i], 0.0, 1e-3)) << i;
    }
  }
}

using hd::testing::expect_one_line_error;

// A checkpoint whose weights went non-finite (a damaged file, or a run that diverged past
// the gradient guard) must not resume: training on would only spread the NaN.
TEST_F(Training, CheckpointWithNonFiniteWeightsIsRefused) {
  auto c = config();
  c.total_steps = 2;
  {
    Trainer trainer(c, RunFolder{dir_ / "nan_weights"}, true);
    std::atomic<bool> stop{false};
    ASSERT_TRUE(trainer.run(stop, [](const StepReport&) {}));
    torch::NoGradGuard no_grad;
    trainer.model()->parameters()[0].fill_(std::numeric_limits<float>::quiet_NaN());
  }
  {
    // The finished run's checkpoint is fine; write one holding the NaN weights.
    auto more = c;
    more.total_steps = 3;
    Trainer trainer(more, RunFolder{dir_ / "nan_weights"}, false);
    torch::NoGradGuard no_grad;
    trainer.model()->parameters()[0].fill_(std::numeric_limits<float>::quiet_NaN());
    std::atomic<bool> stop{true};
    EXPECT_FALSE(trainer.run(stop, [](const StepReport&) {}));
  }
  const auto before = fs::last_write_time(dir_ / "nan_weights" / "checkpoint.pt");
  expect_one_line_error([&] { Trainer t(c, RunFolder{dir_ / "nan_weights"}, false); },
                        "checkpoint.pt: entry `model` holds non-finite weights");
  EXPECT_EQ(fs::last_write_time(dir_ / "nan_weights" / "checkpoint.pt"), before);
}

TEST_F(Training, CorruptCheckpointIsAOneLineErrorNamingTheFile) {
  fs::create_directories(dir_ / "corrupt");
  std::ofstream(dir_ / "corrupt" / "checkpoint.pt") << "garbage";
  expect_one_line_error([&] { Trainer t(config(), RunFolder{dir_ / "corrupt"}, false); },
                        "checkpoint.pt: not a readable checkpoint");
  expect_one_line_error([&] { load_sampling_model(ModelFolder{dir_ / "absent"}); },
                        "absent: no such model folder");
}

TEST_F(Training, ConfigErrorsNameTheFileAndKey) {
  expect_one_line_error([&] { config("bogus_key = 1\n"); }, "train.toml");
  expect_one_line_error([&] { config("bogus_key = 1\n"); }, "bogus_key");
  std::ofstream(dir_ / "bad_model.toml") << "[model]\nchannels = 2\nlength = 30\nchannel_mult = [1, 2, 3]\n";
  expect_one_line_error([&] { load_model_config(dir_ / "bad_model.toml"); }, "length");
}

// The real signal path: SIGINT to the train app checkpoints and exits 130; running the
// same command again finishes the run.
TEST_F(Training, AppCheckpointsOnSigintAndResumes) {
  const fs::path app = HD_TRAIN_APP;  // set by tests/edm2/CMakeLists.txt
  config();                           // writes train.toml
  const auto out = dir_ / "app_run";
  auto launch = [&] {
    pid_t pid = fork();
    if (pid == 0) {
      const std::string cfg = (dir_ / "train.toml").string(), out_s = out.string();
      execl(app.c_str(), "train", "--config", cfg.c_str(), "--out", out_s.c_str(), "--threads", "1",
            "--quiet", "--set", "training.total_steps=200", "--set", "checkpoint.interval_steps=1000",
            nullptr);
      _exit(127);
    }
    return pid;
  };
  pid_t pid = launch();
  // Wait until training has logged a few rows, then interrupt.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  auto rows = [&] {
    std::ifstream in(out / "log.csv");
    return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
  };
  while (rows() < 2 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_TRUE(fs::exists(out / "checkpoint.pt"));
  pid = launch();
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(out / "log.csv");
  std::string line, last;
  while (std::getline(in, line)) last = line;
  EXPECT_EQ(last.substr(0, last.find(',')), "200");
}

}  // namespace
}  // namespace hd::edm2
