// SPDX-License-Identifier: GPL-3.0-or-later
// Generating into a folder: the same rows whatever the thread count or the split into
// workers, a stopped run continues to exactly those rows, and a folder from another run or
// with a damaged file is a one-line error that changes nothing on disk.
#include "hd/datagen/generate.hpp"

#include <gtest/gtest.h>

#include <map>
#include <numeric>

#include "hd/common/error.hpp"
#include "hd/testing/errors.hpp"

#include "datagen_test_support.hpp"

namespace hd::datagen {
namespace {

namespace fs = std::filesystem;

using testing::expect_one_line_error;

constexpr std::int64_t kSims = 20;  // shards of 8, 8 and 4

GenerateOptions options(const fs::path& out, int threads, Worker worker = {}) {
  GenerateOptions o;
  o.out = out;
  o.num_sims = kSims;
  o.threads = threads;
  o.worker = worker;
  o.commit_rows = 3;
  return o;
}

// The bytes of every file under `dir`, by path.
std::map<fs::path, std::string> snapshot(const fs::path& dir) {
  std::map<fs::path, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files[entry.path()] = test::read_text(entry.path());
  return files;
}

class Generate : public ::testing::Test {
 protected:
  // A run stopped part-way: worker 0 of 3 completes shard 0, then a run of the whole plan
  // with one thread is stopped once it has finished one more simulation. The stop reaches
  // the worker only after this thread has seen that simulation, so a few more may finish;
  // with 100 us simulated (~20 ms each) shards 1 and 2 are still incomplete.
  GenerateSummary stopped_run(const fs::path& out) const {
    generate(slow_, options(out, 1, {0, 3}));
    std::atomic<bool> stop{false};
    GenerateOptions o = options(out, 1);
    o.stop = &stop;
    o.on_progress = [&](const GenerateProgress& p) {
      if (p.done > p.resumed) stop = true;
    };
    return generate(slow_, o);
  }

  test::ScratchDir scratch_{"generate_test"};
  SimulationFactory factory_{test::small_config(), 3};
  SimulationFactory slow_{test::small_config({"simulation.overrides=[\"domain.num_cells=24\", "
                                              "\"simulation.duration_s=1e-4\", "
                                              "\"simulation.average_start_time_s=5e-5\"]"}),
                          3};
};

TEST_F(Generate, RowsAreTheSameWhateverTheThreadCountAndTheSplitIntoWorkers) {
  const GenerateSummary one = generate(factory_, options(scratch_ / "one", 1));
  EXPECT_EQ(one.progress.total, kSims);
  EXPECT_EQ(one.progress.done, kSims);
  EXPECT_EQ(one.shards_completed, 3);
  EXPECT_FALSE(one.stopped);
  generate(factory_, options(scratch_ / "two", 2));
  for (int w = 0; w < 2; ++w) generate(factory_, options(scratch_ / "halves", 2, {w, 2}));
  // Five workers for three shards: two of them own nothing.
  for (int w = 0; w < 5; ++w) generate(factory_, options(scratch_ / "fifths", 1, {w, 5}));

  const auto rows = test::read_dataset(scratch_ / "one");
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kSims));
  EXPECT_EQ(rows.begin()->first, 0);
  EXPECT_EQ(rows.rbegin()->first, kSims - 1);
  for (const char* other : {"two", "halves", "fifths"}) {
    SCOPED_TRACE(other);
    test::expect_same_rows(rows, test::read_dataset(scratch_ / other));
  }
  // Each row is the factory's row of that simulation; shards hold their range in order.
  for (std::int64_t k : {0, 9, 19}) test::expect_same_rows({{k, factory_.run(k)}}, {{k, rows.at(k)}});
  const dataset::RawFile last(scratch_ / "one" / "shard-00002-of-00003.h5");
  EXPECT_EQ(last.indices(), (std::vector<std::int64_t>{16, 17, 18, 19}));
  const dataset::RawManifest manifest = dataset::read_raw_manifest(scratch_ / "one");
  EXPECT_TRUE(manifest.complete());
  EXPECT_EQ(manifest.simulations(), kSims);
  EXPECT_EQ(manifest.seed, 3u);
}

TEST_F(Generate, AStoppedRunContinuesToTheRowsOfAnUninterruptedOne) {
  const fs::path out = scratch_ / "stopped";
  const GenerateSummary first = stopped_run(out);
  EXPECT_TRUE(first.stopped);
  EXPECT_EQ(first.progress.resumed, 8);
  EXPECT_GT(first.progress.done, 8);
  EXPECT_LT(first.progress.done, kSims);
  EXPECT_FALSE(fs::is_empty(out / "parts"));
  EXPECT_FALSE(dataset::read_raw_manifest(out).complete());
  // A crash while a part was being written leaves its temporary: removed, not read.
  std::ofstream(out / "parts" / "shard-00001-of-00003.part-000009.h5.tmp-4242") << "torn";

  const GenerateSummary second = generate(slow_, options(out, 2));
  EXPECT_EQ(second.progress.resumed, first.progress.done);
  EXPECT_EQ(second.progress.done, kSims);
  EXPECT_FALSE(second.stopped);
  EXPECT_TRUE(fs::is_empty(out / "parts"));
  generate(slow_, options(scratch_ / "uninterrupted", 2));
  test::expect_same_rows(test::read_dataset(scratch_ / "uninterrupted"), test::read_dataset(out));
}

TEST_F(Generate, AFolderOfAnotherRunIsAnErrorNamingItsRunRecord) {
  const fs::path out = scratch_ / "run";
  generate(factory_, options(out, 2));
  const std::string record = (out / "run.json").string();
  expect_one_line_error([&] { generate(SimulationFactory(test::small_config(), 4), options(out, 2)); },
                        record + ": this folder holds a run with --seed 3, not 4");
  GenerateOptions more = options(out, 2);
  more.num_sims = 30;
  expect_one_line_error([&] { generate(factory_, more); },
                        record + ": this folder holds a run of --num-sims 20, not 30");
  expect_one_line_error(
      [&] {
        generate(SimulationFactory(test::small_config({"output.series_frames=8"}), 3), options(out, 2));
      },
      record + ": the data config differs from the one this folder was generated with (line ");
  expect_one_line_error(
      [&] {
        generate(SimulationFactory(test::small_config({"output.series_frames=8"}), 3), options(out, 2));
      },
      "\"series_frames = 16\" then, \"series_frames = 8\" now)");
}

TEST_F(Generate, ADamagedPartOrShardIsAOneLineErrorThatChangesNoFile) {
  const fs::path out = scratch_ / "damaged";
  stopped_run(out);
  std::vector<fs::path> parts;
  for (const auto& entry : fs::directory_iterator(out / "parts")) parts.push_back(entry.path());
  ASSERT_FALSE(parts.empty());

  fs::resize_file(parts.front(), fs::file_size(parts.front()) / 2);
  std::ofstream(out / "parts" / "shard-00002-of-00003.part-000007.h5.tmp-4242") << "torn";  // kept too
  auto before = snapshot(out);
  expect_one_line_error([&] { generate(slow_, options(out, 2)); },
                        parts.front().string() + ": cannot read the raw shard");
  EXPECT_EQ(snapshot(out), before);

  fs::remove(parts.front());  // the user's way out: its simulations run again
  const fs::path shard = out / "shard-00000-of-00003.h5";
  fs::resize_file(shard, fs::file_size(shard) - 100);
  before = snapshot(out);
  expect_one_line_error([&] { generate(slow_, options(out, 2)); },
                        shard.string() + ": cannot read the raw shard");
  EXPECT_EQ(snapshot(out), before);
}

TEST_F(Generate, AShardOfAnotherRunIsRefusedByName) {
  generate(factory_, options(scratch_ / "a", 2));
  const fs::path out = scratch_ / "b";
  generate(SimulationFactory(test::small_config(), 5), options(out, 2));
  fs::copy_file(scratch_ / "a" / "shard-00001-of-00003.h5", out / "shard-00001-of-00003.h5",
                fs::copy_options::overwrite_existing);
  expect_one_line_error([&] { generate(SimulationFactory(test::small_config(), 5), options(out, 2)); },
                        "shard-00001-of-00003.h5: written by another run (its seed differs");
}

TEST_F(Generate, AMissingManifestIsAnErrorForReadersAndRebuiltByARerun) {
  const fs::path out = scratch_ / "manifest";
  generate(factory_, options(out, 2));
  const dataset::RawManifest manifest = dataset::read_raw_manifest(out);
  fs::remove(out / "manifest.json");
  expect_one_line_error([&] { dataset::read_raw_manifest(out); }, "manifest.json: no manifest");
  const GenerateSummary rerun = generate(factory_, options(out, 2));
  EXPECT_EQ(rerun.progress.resumed, kSims);  // nothing ran again
  EXPECT_EQ(dataset::read_raw_manifest(out), manifest);
}

TEST_F(Generate, FailedSimulationsAreRowsWithTheirStatus) {
  const SimulationFactory failing(
      test::small_config({"simulation.overrides=[\"domain.num_cells=24\", \"simulation.duration_s=4e-5\", "
                          "\"simulation.average_start_time_s=2e-5\", \"simulation.max_steps=3\"]"}),
      3);
  const fs::path out = scratch_ / "failing";
  const GenerateSummary s = generate(failing, options(out, 2));
  EXPECT_EQ(s.progress.failed, kSims);
  const dataset::RawManifest manifest = dataset::read_raw_manifest(out);
  EXPECT_EQ(manifest.simulations(), kSims);
  EXPECT_EQ(manifest.failed(), kSims);
  for (const auto& [index, row] : test::read_dataset(out)) {
    EXPECT_EQ(status_names().at(static_cast<std::size_t>(row.status)), "step_limit") << index;
    EXPECT_FALSE(row.reason.empty());
  }
}

TEST_F(Generate, AWorkerThatDoesNotExistIsRefused) {
  expect_one_line_error(
      [&] {
        generate(factory_, options(scratch_ / "w", 1, {2, 2}));
      },
      "worker 2 of 2 does not exist");
}

}  // namespace
}  // namespace hd::datagen
