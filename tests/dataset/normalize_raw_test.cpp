// SPDX-License-Identifier: GPL-3.0-or-later
// From raw shards to the normalized dataset: the outlier filter's reasons are counted, the
// statistics are those of the kept training simulations, every kept simulation comes back
// through the written file to float32 precision, each split is a row range, and the output
// folder is replaced whole or not at all.
#include "hd/dataset/normalize_raw.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>

#include <nlohmann/json.hpp>

#include "hd/common/config.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/normalize/metadata.hpp"
#include "hd/testing/errors.hpp"

#include "synthetic_raw.hpp"

namespace hd::dataset {
namespace {

namespace fs = std::filesystem;
using testing::expect_one_line_error;

constexpr std::int64_t kSims = 200;
const std::vector<std::string> kRules{"nonfinite",     "nonpositive",   "discharge_current", "thrust",
                                      "potential_min", "potential_max", "nu_an_max",         "nu_an_min"};

// Simulation 11 + 6 j breaks rule j; every 9th simulation failed in gen_data.
std::vector<RawRow> synthetic_rows() {
  std::vector<RawRow> rows;
  for (std::int64_t k = 0; k < kSims; ++k)
    rows.push_back(k % 9 == 4 ? test::failed_row(k) : test::good_row(k));
  for (std::size_t j = 0; j < kRules.size(); ++j) {
    const std::int64_t k = 11 + 6 * static_cast<std::int64_t>(j);
    EXPECT_NE(k % 9, 4);
    rows[static_cast<std::size_t>(k)] = test::outlier_row(k, kRules[j]);
  }
  return rows;
}

nlohmann::json read_json(const fs::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

class NormalizeRaw : public ::testing::Test {
 protected:
  void SetUp() override {
    rows_ = synthetic_rows();
    test::write_raw_dataset(raw_, rows_, 32);
    splits_ = split_simulations(ok_simulations(raw_), split_options_);
    write_simulation_splits(default_split_folder(raw_), splits_, split_options_);
    request_.raw = raw_;
    request_.out = out_;
    request_.chunk_rows = 8;  // several chunks per shard
  }

  bool kept(std::int64_t k) const {
    const RawRow& r = rows_[static_cast<std::size_t>(k)];
    if (r.status != 0) return false;
    return (k - 11) % 6 != 0 || k < 11 || k >= 11 + 6 * static_cast<std::int64_t>(kRules.size());
  }

  test::ScratchDir scratch_{"normalize_raw_test"};
  fs::path raw_ = scratch_ / "raw", out_ = scratch_ / "norm";
  std::vector<RawRow> rows_;
  SplitOptions split_options_{.seed = 4, .val_small = 0.05, .val_large = 0.2};
  SimulationSplits splits_;
  NormalizeRequest request_;
};

TEST_F(NormalizeRaw, OutliersAreCountedByReasonAndReported) {
  const NormalizeReport report = normalize_raw(request_);
  EXPECT_EQ(report.simulations, kSims);
  ASSERT_EQ(report.failed.size(), 1u);
  EXPECT_EQ(report.failed[0], (std::pair<std::string, std::int64_t>{"nonfinite", 22}));  // 4, 13, ..., 193
  using normalize::Reason;
  // A NaN and a zero in a log quantity (ln 0 is not finite) are both `nonfinite`.
  EXPECT_EQ(report.outliers.rejected(Reason::nonfinite), 2);
  for (const Reason r : {Reason::discharge_current, Reason::thrust, Reason::potential_min,
                         Reason::potential_max, Reason::nu_an_max, Reason::nu_an_min})
    EXPECT_EQ(report.outliers.rejected(r), 1) << normalize::reason_code(r);
  EXPECT_EQ(report.outliers.kept(), kSims - 22 - 8);

  const auto json = read_json(NormalizedFolder{out_}.report());
  EXPECT_EQ(json["simulations"], kSims);
  EXPECT_EQ(json["failed"]["nonfinite"], 22);
  EXPECT_EQ(json["outlier_filter"]["kept"], kSims - 30);
  EXPECT_EQ(json["outlier_filter"]["rejected"]["nonfinite"], 2);
  EXPECT_EQ(json["outlier_filter"]["rejected"]["potential_max"], 1);
  // Each example names the simulation, the rule and the offending value.
  bool seen_potential_max = false;
  for (const auto& e : json["outlier_filter"]["examples"])
    if (e["reason"] == "potential_max") {
      seen_potential_max = true;
      EXPECT_EQ(e["simulation"], 11 + 6 * 5);
      EXPECT_NE(e["detail"].get<std::string>().find("max |phi|"), std::string::npos) << e["detail"];
    }
  EXPECT_TRUE(seen_potential_max);
  EXPECT_NE(report.summary().find(
                "200 simulations (22 failed in gen_data: nonfinite 22); outlier filter: kept 170, "
                "rejected: nonfinite 2, discharge_current 1, thrust 1, potential_min 1, "
                "potential_max 1, nu_an_max 1, nu_an_min 1; rows: train "),
            std::string::npos)
      << report.summary();
}

// Reference statistics: two passes in float64 over the kept training simulations.
struct TwoPass {
  std::vector<std::vector<double>> values;  // per quantity
  double mean(std::size_t i) const {
    double s = 0.0;
    for (double v : values[i]) s += v;
    return s / static_cast<double>(values[i].size());
  }
  double std(std::size_t i) const {
    const double m = mean(i);
    double s = 0.0;
    for (double v : values[i]) s += (v - m) * (v - m);
    return std::sqrt(s / static_cast<double>(values[i].size() - 1));
  }
};

TEST_F(NormalizeRaw, StatisticsAreTheTwoPassFloat64StatisticsOfTheKeptTrainingSimulations) {
  request_.options.target_std = 0.25;
  normalize_raw(request_);
  const normalize::Metadata m = normalize::read_json(NormalizedFolder{out_}.metadata());
  EXPECT_EQ(m.target_std, 0.25);
  const RawLayout l = test::synthetic_layout();
  TwoPass fields{std::vector<std::vector<double>>(4)}, params{std::vector<std::vector<double>>(3)},
      scalars{std::vector<std::vector<double>>(3)};
  const std::vector<bool> field_log{true, true, false, false}, param_log{true, false, false},
      scalar_log{true, true, false};
  std::size_t used = 0;
  for (const std::int64_t k : splits_[Split::train]) {
    if (!kept(k)) continue;
    ++used;
    const RawRow& r = rows_[static_cast<std::size_t>(k)];
    const auto t = [](bool log, double v) { return log ? std::log(v) : v; };
    for (std::size_t c = 0; c < 4; ++c)
      for (std::size_t i = 0; i < test::kCells; ++i)
        fields.values[c].push_back(t(field_log[c], r.fields[c * test::kCells + i]));
    for (std::size_t j = 0; j < 3; ++j) params.values[j].push_back(t(param_log[j], r.params[j]));
    for (std::size_t j = 0; j < 3; ++j) scalars.values[j].push_back(t(scalar_log[j], r.scalars[j]));
  }
  ASSERT_GT(used, 100u);
  // Welford in float64 over a few hundred values agrees with two passes to a few ulps of
  // the spread; 1e-12 relative leaves room for the summation order and nothing else.
  const auto check = [](const normalize::Normalization& n, const TwoPass& ref, const std::vector<bool>& log,
                        const std::vector<std::string>& names) {
    ASSERT_EQ(n.names, names);
    for (std::size_t i = 0; i < names.size(); ++i) {
      EXPECT_EQ(n.log[i], log[i]) << names[i];
      const double s = ref.std(i);
      EXPECT_NEAR(n.mean[i], ref.mean(i), 1e-12 * (std::abs(ref.mean(i)) + s)) << names[i];
      EXPECT_NEAR(n.std[i], s / 0.25, 1e-12 * s / 0.25) << names[i];
    }
  };
  check(m.fields, fields, field_log, l.channels);
  check(m.params, params, param_log, l.param_names);
  check(m.scalars, scalars, scalar_log, l.scalar_names);
  EXPECT_EQ(m.fields.units, l.channel_units);
  EXPECT_EQ(m.scalars.units, l.scalar_units);
  // The reference code's tables hold the same numbers.
  const NormalizedFolder folder{out_};
  EXPECT_EQ(normalize::read_csv(folder.field_table()).mean, m.fields.mean);
  EXPECT_EQ(normalize::read_csv(folder.parameter_table()).std, m.params.std);
  EXPECT_EQ(normalize::read_csv(folder.scalar_table()).log, m.scalars.log);
}

TEST_F(NormalizeRaw, EveryKeptSimulationRoundTripsThroughTheWrittenDatasetToFloat32Precision) {
  normalize_raw(request_);
  const Reader reader(NormalizedFolder{out_}.dataset());
  const Metadata& m = reader.metadata();
  std::vector<std::int64_t> all(static_cast<std::size_t>(reader.rows()));
  std::iota(all.begin(), all.end(), 0);
  const Batch batch = reader.read(all);
  // Stored s = (T(v) - mean) / std rounds to float32: |ds| <= 2^-24 |s|, so T(v) comes back
  // within 2^-24 |s| std (+ the float64 arithmetic, far below). For a log quantity that is a
  // relative error of v; for a linear one an absolute error.
  const auto check = [](const normalize::Normalization& n, std::size_t i, float stored, double v,
                        const std::string& what) {
    const double t = n.log[i] ? std::log(v) : v;
    const double tolerance = std::ldexp(1.0, -24) * std::abs(stored) * n.std[i] * 1.01 +
                             1e-13 * (std::abs(n.mean[i]) + std::abs(t) + 1);
    const double back = n.inverse(i, stored);
    if (n.log[i]) {
      EXPECT_NEAR(std::log(back), t, tolerance) << what;
    } else {
      EXPECT_NEAR(back, v, tolerance) << what;
    }
  };
  std::size_t expected_rows = 0;
  for (std::int64_t k = 0; k < kSims; ++k) expected_rows += kept(k) ? 1 : 0;
  ASSERT_EQ(static_cast<std::size_t>(batch.size), expected_rows);
  std::set<std::int64_t> seen;
  for (std::int64_t row = 0; row < batch.size; ++row) {
    const std::int64_t k = batch.simulation[static_cast<std::size_t>(row)];
    ASSERT_TRUE(kept(k)) << "simulation " << k << " should have been filtered out";
    EXPECT_TRUE(seen.insert(k).second);
    const RawRow& r = rows_[static_cast<std::size_t>(k)];
    const std::string sim = "simulation " + std::to_string(k);
    const auto at = static_cast<std::size_t>(row);
    for (std::size_t c = 0; c < 4; ++c)
      for (std::size_t i = 0; i < test::kCells; ++i)
        check(m.fields, c, batch.fields[(at * 4 + c) * test::kCells + i], r.fields[c * test::kCells + i],
              sim + " " + m.fields.names[c]);
    for (std::size_t j = 0; j < 3; ++j) check(m.params, j, batch.params[at * 3 + j], r.params[j], sim);
    for (std::size_t j = 0; j < 3; ++j) check(m.scalars, j, batch.scalars[at * 3 + j], r.scalars[j], sim);
  }
  EXPECT_EQ(m.z_m, test::synthetic_layout().z_m);
}

TEST_F(NormalizeRaw, EachSplitIsARowRangeHoldingTheKeptSimulationsOfThatSplit) {
  const NormalizeReport report = normalize_raw(request_);
  const NormalizedFolder folder{out_};
  const Reader reader(folder.dataset());
  std::int64_t first = 0;
  for (const Split s : kSplits) {
    const auto rows = read_split(folder.split(s));
    std::vector<std::int64_t> expected_rows(rows.size());
    std::iota(expected_rows.begin(), expected_rows.end(), first);
    EXPECT_EQ(rows, expected_rows) << split_name(s);
    first += static_cast<std::int64_t>(rows.size());
    std::vector<std::int64_t> expected;
    for (const std::int64_t k : splits_[s])
      if (kept(k)) expected.push_back(k);
    EXPECT_EQ(reader.read(rows).simulation, expected) << split_name(s);
    EXPECT_EQ(report.rows[static_cast<std::size_t>(s)], static_cast<std::int64_t>(expected.size()));
    EXPECT_EQ(report.split_simulations[static_cast<std::size_t>(s)],
              static_cast<std::int64_t>(splits_[s].size()));
    EXPECT_FALSE(expected.empty()) << split_name(s);
  }
  EXPECT_EQ(first, reader.rows());
  // Nothing else in the folder: the staged validation rows are gone.
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(out_)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"dataset.h5", "dataset.train.h5", "dataset.val_small.h5",
                                          "dataset.val_large.h5", "normalization.json", "norm_data.csv",
                                          "norm_params.csv", "norm_scalars.csv", "report.json"}));
}

TEST_F(NormalizeRaw, ARerunWithTheSameInputsDoesNothingAndOtherInputsRedoIt) {
  ASSERT_FALSE(normalize_raw(request_).skipped);
  const auto written = fs::last_write_time(NormalizedFolder{out_}.dataset());
  EXPECT_TRUE(normalize_raw(request_).skipped);
  EXPECT_EQ(fs::last_write_time(NormalizedFolder{out_}.dataset()), written);
  request_.options.target_std = 0.4;
  EXPECT_FALSE(normalize_raw(request_).skipped);
  EXPECT_EQ(normalize::read_json(NormalizedFolder{out_}.metadata()).target_std, 0.4);
  EXPECT_TRUE(normalize_raw(request_).skipped);
  request_.force = true;
  EXPECT_FALSE(normalize_raw(request_).skipped);
  request_.force = false;
  // Another split: redone.
  write_simulation_splits(default_split_folder(raw_), split_simulations(ok_simulations(raw_), {.seed = 5}),
                          {.seed = 5});
  EXPECT_FALSE(normalize_raw(request_).skipped);
}

TEST_F(NormalizeRaw, TheCompletedShardsOfAnUnfinishedDatasetAreNormalizedOnRequest) {
  const RawManifest finished = read_raw_manifest(raw_);
  RawManifest manifest = finished;
  manifest.shards.resize(3);  // simulations [0, 96) of 200
  write_raw_manifest(raw_, manifest);
  expect_one_line_error([&] { normalize_raw(request_); }, "holds 3 of its 7 shards; finish gen_data");
  const fs::path part_splits = scratch_ / "part_splits";
  write_simulation_splits(part_splits, split_simulations(ok_simulations(raw_, RawShards::completed), split_options_),
                          split_options_);
  request_.splits = part_splits;
  request_.shards = RawShards::completed;
  const NormalizeReport report = normalize_raw(request_);
  EXPECT_EQ(report.simulations, 96);
  std::int64_t rows = 0;
  for (const std::int64_t n : report.rows) rows += n;
  std::int64_t expected = 0;
  for (std::int64_t k = 0; k < 96; ++k) expected += kept(k) ? 1 : 0;
  EXPECT_EQ(rows, expected);
  EXPECT_TRUE(normalize_raw(request_).skipped);
  // Once more shards are complete, the part's splits no longer cover the dataset.
  write_raw_manifest(raw_, finished);
  expect_one_line_error([&] { normalize_raw(request_); }, "no split holds simulation");
}

TEST_F(NormalizeRaw, AStoppedRunLeavesThePreviousOutputAndNoTemporaries) {
  normalize_raw(request_);
  const std::string before = read_json(NormalizedFolder{out_}.report()).dump();
  std::atomic<bool> stop{false};
  request_.stop = &stop;
  request_.force = true;
  request_.on_progress = [&](const NormalizeProgress& p) {
    if (p.pass == 2 && p.done > 64) stop = true;
  };
  EXPECT_TRUE(normalize_raw(request_).stopped);
  EXPECT_EQ(read_json(NormalizedFolder{out_}.report()).dump(), before);
  for (const auto& e : fs::directory_iterator(scratch_.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(NormalizeRaw, StaleTemporariesOfAKilledRunAreRemoved) {
  fs::create_directories(scratch_ / "norm.tmp-999999");
  fs::create_directories(scratch_ / "norm.old-999998");
  fs::create_directories(scratch_ / "norm.tmp-keep");  // not a temporary of ours
  normalize_raw(request_);
  EXPECT_FALSE(fs::exists(scratch_ / "norm.tmp-999999"));
  EXPECT_FALSE(fs::exists(scratch_ / "norm.old-999998"));
  EXPECT_TRUE(fs::exists(scratch_ / "norm.tmp-keep"));
}

TEST_F(NormalizeRaw, BadInputIsAOneLineErrorAndTheEarlierOutputStaysIntact) {
  normalize_raw(request_);
  const std::string before = read_json(NormalizedFolder{out_}.report()).dump();
  request_.force = true;
  const fs::path shard = raw_ / raw_shard_name(3, 7);

  // A truncated shard: the first half of its bytes.
  const auto size = fs::file_size(shard);
  fs::resize_file(shard, size / 2);
  expect_one_line_error([&] { normalize_raw(request_); }, shard.string() + ":");
  // A corrupt one.
  { std::ofstream(shard, std::ios::binary | std::ios::trunc) << std::string(size, 'x'); }
  expect_one_line_error([&] { normalize_raw(request_); }, shard.string() + ": not an HDF5 file");
  // A missing manifest.
  fs::rename(raw_ / kRawManifestName, scratch_ / "manifest.json");
  expect_one_line_error([&] { normalize_raw(request_); }, "manifest.json: no manifest");
  EXPECT_EQ(read_json(NormalizedFolder{out_}.report()).dump(), before);
  for (const auto& e : fs::directory_iterator(scratch_.path()))
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(NormalizeRaw, ShardsOfDifferentLayoutsAreRefused) {
  const fs::path shard = raw_ / raw_shard_name(2, 7);
  RawFile file(shard);
  RawHeader header = file.header();
  const std::vector<RawRow> rows = file.read(0, file.rows());
  header.layout.channel_units[1] = "cm^-3";
  file = RawFile(raw_ / raw_shard_name(0, 7));  // the shard to replace must not be open
  write_raw_file(shard, header, rows);
  expect_one_line_error(
      [&] { normalize_raw(request_); },
      shard.string() + ": its layout (channels, grid, scalars or parameters) differs from ");
}

TEST_F(NormalizeRaw, ASplitOfAnotherDatasetIsRefused) {
  const fs::path other = scratch_ / "other";
  std::vector<RawRow> rows;
  for (std::int64_t k = 0; k < 300; ++k) rows.push_back(test::good_row(k));
  test::write_raw_dataset(other, rows, 64);
  write_simulation_splits(default_split_folder(other), split_simulations(ok_simulations(other), {}), {});
  request_.splits = default_split_folder(other);
  expect_one_line_error([&] { normalize_raw(request_); },
                        "the split is for another dataset (run split_data again)");
}

TEST_F(NormalizeRaw, AnOutputFolderHoldingOtherFilesIsNotReplaced) {
  fs::create_directories(out_);
  { std::ofstream(out_ / "notes.txt") << "mine"; }
  expect_one_line_error([&] { normalize_raw(request_); }, "holds files normalize_data did not write");
  EXPECT_TRUE(fs::exists(out_ / "notes.txt"));
  expect_one_line_error(
      [&] {
        request_.out = out_ / "notes.txt" / "norm";
        normalize_raw(request_);
      },
      "cannot create the output folder");
}

TEST_F(NormalizeRaw, TooFewTrainingSimulationsForStatisticsIsAOneLineError) {
  std::vector<RawRow> rows{test::good_row(0), test::outlier_row(1, "thrust"), test::good_row(2)};
  test::write_raw_dataset(raw_, rows, 8);
  SimulationSplits splits;
  splits[Split::train] = {0, 1};
  splits[Split::val_small] = {2};
  write_simulation_splits(default_split_folder(raw_), splits, {});
  expect_one_line_error(
      [&] { normalize_raw(request_); },
      "train.h5: 1 training simulation(s) passed the outlier filter; the statistics need at least 2");
}

TEST_F(NormalizeRaw, ALogQuantityNeitherInTheDatasetNorInTheDefaultsIsANamedError) {
  const auto doc =
      config::Document::parse("[normalization]\nlog_quantities = [\"ne\", \"nee\"]\n", "data.toml");
  request_.options = read_normalize_options(doc.root().table("normalization"));
  expect_one_line_error([&] { normalize_raw(request_); },
                        "data.toml:2: normalization.log_quantities: names \"nee\", which");
}

TEST(NormalizeOptionsTable, ReadsEveryKeyWithDefaultsAndRefusesUnknownOnes) {
  const auto read = [](const std::string& text) {
    const auto doc = config::Document::parse(text, "data.toml");
    const NormalizeOptions o = read_normalize_options(doc.root().table_or_empty("normalization"));
    doc.root().finish();
    return o;
  };
  const NormalizeOptions defaults = read("");
  EXPECT_EQ(defaults.target_std, 0.5);
  EXPECT_EQ(defaults.log_quantities, normalize::default_log_quantities());
  EXPECT_EQ(defaults.outlier_filter.discharge_current_limit_a, 150.0);
  const NormalizeOptions o = read(
      "[normalization]\ntarget_std = 1.0\nlog_quantities = [\"ne\"]\n[normalization.outlier_filter]\n"
      "thrust_limit_n = 2.0\n");
  EXPECT_EQ(o.target_std, 1.0);
  EXPECT_EQ(o.log_quantities, std::vector<std::string>{"ne"});
  EXPECT_EQ(o.outlier_filter.thrust_limit_n, 2.0);
  expect_one_line_error([&] { read("[normalization]\ntarget_std = 0\n"); },
                        "data.toml:2: normalization.target_std");
  expect_one_line_error([&] { read("[normalization.outlier_filter]\nthrust_limit = 2.0\n"); },
                        "data.toml:2: unknown key normalization.outlier_filter.thrust_limit");
  // The record of the options reads back as the same options.
  const auto again = read(to_toml(o));
  EXPECT_EQ(to_toml(again), to_toml(o));
}

}  // namespace
}  // namespace hd::dataset
