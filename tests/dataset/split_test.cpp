// SPDX-License-Identifier: GPL-3.0-or-later
// Splitting a raw dataset's simulations: a partition, reproducible from the seed, with the
// configured fractions, stable when the dataset grows, and written next to the raw shards.
#include "hd/dataset/split.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "hd/common/config.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/testing/errors.hpp"

#include "synthetic_raw.hpp"

namespace hd::dataset {
namespace {

namespace fs = std::filesystem;
using testing::expect_one_line_error;

std::vector<std::int64_t> range(std::int64_t first, std::int64_t end) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(end - first));
  std::iota(v.begin(), v.end(), first);
  return v;
}

// The split each simulation is in.
std::map<std::int64_t, Split> membership(const SimulationSplits& splits) {
  std::map<std::int64_t, Split> of;
  for (const Split s : kSplits)
    for (const std::int64_t k : splits[s])
      EXPECT_TRUE(of.emplace(k, s).second) << "simulation " << k << " twice";
  return of;
}

TEST(SplitSimulations, IsAPartitionOfTheSimulationsWithTheConfiguredFractions) {
  const auto all = range(0, 100000);
  const SimulationSplits splits = split_simulations(all, {});
  const auto of = membership(splits);
  EXPECT_EQ(of.size(), all.size());  // complete, and disjoint (membership checks)
  for (const Split s : kSplits) EXPECT_TRUE(std::is_sorted(splits[s].begin(), splits[s].end()));
  // Each simulation lands in a split with probability equal to its fraction: binomial
  // counts, within 5 standard deviations (a false failure about once in 10^6 seeds).
  const double n = static_cast<double>(all.size());
  for (const auto& [split, p] : {std::pair{Split::val_small, 0.002}, std::pair{Split::val_large, 0.1}}) {
    const double count = static_cast<double>(splits[split].size());
    EXPECT_NEAR(count, n * p, 5.0 * std::sqrt(n * p * (1 - p))) << split_name(split);
  }
}

TEST(SplitSimulations, IsReproducibleFromTheSeedAndIndependentOfTheOrder) {
  auto all = range(0, 5000);
  const SimulationSplits a = split_simulations(all, {.seed = 3});
  std::mt19937 shuffler(1);
  std::shuffle(all.begin(), all.end(), shuffler);
  EXPECT_EQ(split_simulations(all, {.seed = 3}), a);
  const SimulationSplits other = split_simulations(all, {.seed = 4});
  EXPECT_NE(other[Split::val_large], a[Split::val_large]);
}

TEST(SplitSimulations, ASimulationKeepsItsSplitWhenTheDatasetGrowsOrLosesSimulations) {
  const SplitOptions options{.seed = 11, .val_small = 0.01, .val_large = 0.1};
  const auto small = membership(split_simulations(range(0, 2000), options));
  const auto large = membership(split_simulations(range(0, 20000), options));
  // Failed simulations removed: every third one.
  std::vector<std::int64_t> some;
  for (std::int64_t k = 0; k < 20000; ++k)
    if (k % 3 != 0) some.push_back(k);
  const auto thinned = membership(split_simulations(some, options));
  for (const auto& [k, s] : small) EXPECT_EQ(large.at(k), s) << "simulation " << k;
  for (const auto& [k, s] : thinned) EXPECT_EQ(large.at(k), s) << "simulation " << k;
}

TEST(SplitSimulations, SmallDatasetsStillGetOneSimulationInEverySplit) {
  const SplitOptions defaults;  // 0.2 % and 10 %: a dataset of 64 expects 0.13 in val_small
  EXPECT_EQ(split_simulations(range(0, 1), defaults)[Split::train].size(), 1u);
  const auto two = split_simulations(range(0, 2), defaults);
  EXPECT_EQ(two[Split::train].size(), 1u);
  EXPECT_EQ(two[Split::val_small].size(), 1u);
  for (const std::int64_t n : {3, 5, 64}) {
    const auto splits = split_simulations(range(0, n), defaults);
    for (const Split s : kSplits) EXPECT_GE(splits[s].size(), 1u) << n << " simulations, " << split_name(s);
    EXPECT_EQ(membership(splits).size(), static_cast<std::size_t>(n));
  }
  // A split with fraction 0 stays empty.
  const auto none = split_simulations(range(0, 64), {.seed = 0, .val_small = 0.0, .val_large = 0.1});
  EXPECT_TRUE(none[Split::val_small].empty());
  EXPECT_GE(none[Split::val_large].size(), 1u);
}

TEST(SplitSimulations, TheMinimumTakesTheSimulationsClosestToTheSplit) {
  // With 64 simulations val_small is empty by its fraction: it takes the simulation of the
  // smallest key, the first to enter it as the fraction grows.
  const auto sims = range(0, 64);
  const auto splits = split_simulations(sims, {.seed = 5});
  const auto smallest = *std::min_element(sims.begin(), sims.end(), [](std::int64_t a, std::int64_t b) {
    return split_key(5, a) < split_key(5, b);
  });
  ASSERT_EQ(splits[Split::val_small].size(), 1u);
  EXPECT_EQ(splits[Split::val_small][0], smallest);
}

TEST(SplitSimulations, RefusesFractionsThatLeaveNothingToTrainOn) {
  expect_one_line_error(
      [] { split_simulations(range(0, 4), {.seed = 0, .val_small = 0.5, .val_large = 0.5}); },
      "leaves nothing to train on");
  expect_one_line_error(
      [] { split_simulations(range(0, 4), {.seed = 0, .val_small = -0.1, .val_large = 0.1}); },
      "val_small = -0.1 must lie in [0, 1)");
  expect_one_line_error(
      [] {
        split_simulations({std::vector<std::int64_t>{1, 2, 1}}, {});
      },
      "simulation 1 is listed twice");
}

TEST(SplitOptionsTable, ReadsEveryKeyAndNamesTheFileLineAndKeyOfAMistake) {
  const auto read = [](const std::string& text) {
    const auto doc = config::Document::parse(text, "data.toml");
    const auto t = doc.root().table_or_empty("split");
    const SplitOptions o = read_split_options(t);
    doc.root().finish();
    return o;
  };
  const SplitOptions defaults = read("");
  EXPECT_EQ(defaults.seed, 0u);
  EXPECT_EQ(defaults.val_small, 0.002);
  EXPECT_EQ(defaults.val_large, 0.1);
  const SplitOptions o = read("[split]\nseed = 9\nval_small = 0.01\nval_large = 0.2\n");
  EXPECT_EQ(o.seed, 9u);
  EXPECT_EQ(o.val_small, 0.01);
  EXPECT_EQ(o.val_large, 0.2);
  expect_one_line_error([&] { read("[split]\nval_large = 1.0\n"); },
                        "data.toml:2: split.val_large = 1 must lie in [0, 1)");
  expect_one_line_error([&] { read("[split]\nval_small = 0.6\nval_large = 0.5\n"); },
                        "data.toml:3: split.val_large = 0.5 with val_small = 0.6 leaves nothing to train on");
  expect_one_line_error([&] { read("[split]\nval_smal = 0.1\n"); },
                        "data.toml:2: unknown key split.val_smal");
}

class SplitFiles : public ::testing::Test {
 protected:
  // 40 simulations in shards of 16; every fifth failed in gen_data.
  void SetUp() override {
    std::vector<RawRow> rows;
    for (std::int64_t k = 0; k < 40; ++k)
      rows.push_back(k % 5 == 2 ? test::failed_row(k) : test::good_row(k));
    test::write_raw_dataset(raw_, rows, 16);
  }
  test::ScratchDir scratch_{"split_test"};
  fs::path raw_ = scratch_ / "raw";
};

TEST_F(SplitFiles, OnlyOkSimulationsAreSplit) {
  const auto ok = ok_simulations(raw_);
  EXPECT_EQ(ok.size(), 32u);
  for (const std::int64_t k : ok) EXPECT_NE(k % 5, 2);
  EXPECT_TRUE(std::is_sorted(ok.begin(), ok.end()));
}

TEST_F(SplitFiles, WriteAndReadBackTheSplitsAndTheirOptions) {
  const SplitOptions options{.seed = 2, .val_small = 0.1, .val_large = 0.2};
  const auto splits = split_simulations(ok_simulations(raw_), options);
  const fs::path folder = default_split_folder(raw_);
  write_simulation_splits(folder, splits, options);
  const StoredSplits stored = read_simulation_splits(folder);
  EXPECT_EQ(stored.splits, splits);
  EXPECT_EQ(stored.options.seed, 2u);
  EXPECT_EQ(stored.options.val_small, 0.1);
  EXPECT_EQ(stored.options.val_large, 0.2);
  // The files are ordinary split files too.
  EXPECT_EQ(read_split(simulation_split_path(folder, Split::val_large)), splits[Split::val_large]);
}

TEST_F(SplitFiles, FilesOfDifferentRunsOrAMissingFileAreOneLineErrors) {
  const fs::path folder = default_split_folder(raw_);
  const auto ok = ok_simulations(raw_);
  write_simulation_splits(folder, split_simulations(ok, {.seed = 1}), {.seed = 1});
  const fs::path other = scratch_ / "other";
  write_simulation_splits(other, split_simulations(ok, {.seed = 2}), {.seed = 2});
  fs::copy_file(simulation_split_path(other, Split::val_large),
                simulation_split_path(folder, Split::val_large), fs::copy_options::overwrite_existing);
  expect_one_line_error([&] { read_simulation_splits(folder); },
                        "val_large.h5: written with other split options");
  fs::remove(simulation_split_path(folder, Split::val_small));
  expect_one_line_error([&] { read_simulation_splits(folder); },
                        "val_small.h5: no such split file; run split_data");
}

TEST_F(SplitFiles, AnIncompleteOrMissingRawDatasetIsAOneLineError) {
  expect_one_line_error([&] { ok_simulations(scratch_ / "nothing"); }, "manifest.json: no manifest");
  RawManifest manifest = read_raw_manifest(raw_);
  manifest.shards.pop_back();
  write_raw_manifest(raw_, manifest);
  expect_one_line_error([&] { ok_simulations(raw_); },
                        "the raw dataset holds 2 of its 3 shards; finish gen_data");
}

TEST_F(SplitFiles, TheCompletedShardsOfAnUnfinishedDatasetCanBeSplitAndKeepTheirSplits) {
  const auto all = ok_simulations(raw_);
  RawManifest manifest = read_raw_manifest(raw_);
  manifest.shards.pop_back();
  write_raw_manifest(raw_, manifest);
  const auto part = ok_simulations(raw_, RawShards::completed);
  EXPECT_EQ(part, std::vector<std::int64_t>(all.begin(), all.begin() + 26));  // [0, 32) less 6 failed
  // The part's splits are the finished dataset's restricted to it.
  const SplitOptions options{.seed = 3, .val_small = 0.1, .val_large = 0.3};
  const auto of_all = membership(split_simulations(all, options));
  for (const auto& [k, split] : membership(split_simulations(part, options))) EXPECT_EQ(split, of_all.at(k)) << k;
  manifest.shards.clear();
  write_raw_manifest(raw_, manifest);
  expect_one_line_error([&] { ok_simulations(raw_, RawShards::completed); },
                        "manifest.json: no shard of the raw dataset is complete yet");
}

TEST_F(SplitFiles, ADamagedShardIsAOneLineErrorNamingIt) {
  const fs::path shard = raw_ / raw_shard_name(1, 3);
  { std::ofstream(shard, std::ios::binary | std::ios::trunc) << "not a shard"; }
  expect_one_line_error([&] { ok_simulations(raw_); }, shard.string() + ": not an HDF5 file");
}

TEST_F(SplitFiles, AShardHoldingOtherSimulationsThanItsManifestEntryIsRefused) {
  fs::copy_file(raw_ / raw_shard_name(0, 3), raw_ / raw_shard_name(1, 3),
                fs::copy_options::overwrite_existing);
  expect_one_line_error([&] { ok_simulations(raw_); }, "does not hold exactly simulations [16, 32)");
}

}  // namespace
}  // namespace hd::dataset
