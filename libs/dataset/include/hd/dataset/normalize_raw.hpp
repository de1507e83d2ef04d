// SPDX-License-Identifier: GPL-3.0-or-later
// From a finished raw dataset and its split to the normalized dataset `train` reads
// (docs/data.md, "Normalization"; formats in docs/formats.md). Two streaming passes over
// the shards, a chunk of rows at a time, so memory does not grow with the dataset:
//   1. every ok simulation goes through the outlier filter; the float64 statistics (Welford)
//      of the kept simulations of the training split give the normalization;
//   2. every kept simulation of every split is normalized with it and written.
// The output folder NORM is written whole under a temporary name and renamed into place:
// an interrupted run leaves the previous NORM (or none), never a half dataset. NORM holds
//   dataset.h5                             the normalized rows: train, then val_small, then val_large
//   dataset.{train,val_small,val_large}.h5 row splits (contiguous row ranges)
//   normalization.json, norm_data.csv, norm_params.csv, norm_scalars.csv
//   report.json                            inputs, outliers by reason, rows per split
// A rerun whose inputs (raw shards, split, options, version) match report.json does nothing.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hd/dataset/split.hpp"
#include "hd/normalize/normalization.hpp"
#include "hd/normalize/outlier_filter.hpp"

namespace hd::config {
class Table;
}

namespace hd::dataset {

struct NormalizeOptions {
  double target_std = 0.5;  // standard deviation of every normalized quantity (the model's sigma_data)
  // Quantities normalized in log space, by name (compared ignoring case). Names of the
  // default list that a dataset lacks are ignored; any other name must be in the dataset.
  std::vector<std::string> log_quantities = normalize::default_log_quantities();
  std::string log_quantities_origin = "normalization.log_quantities";  // names the list in messages
  normalize::OutlierThresholds outlier_filter;
};

// The [normalization] table of a data config: `target_std`, `log_quantities` and the
// sub-table [normalization.outlier_filter] (normalize::read_outlier_thresholds), all
// optional with the defaults above.
NormalizeOptions read_normalize_options(const config::Table& table);
// The options as a [normalization] table with every value, for records.
std::string to_toml(const NormalizeOptions& options);

// The files of normalize_data's output folder.
struct NormalizedFolder {
  std::filesystem::path root;
  std::filesystem::path dataset() const { return root / "dataset.h5"; }
  std::filesystem::path split(Split split) const;  // dataset.<split>.h5
  std::filesystem::path metadata() const { return root / "normalization.json"; }
  std::filesystem::path field_table() const { return root / "norm_data.csv"; }
  std::filesystem::path parameter_table() const { return root / "norm_params.csv"; }
  std::filesystem::path scalar_table() const { return root / "norm_scalars.csv"; }
  std::filesystem::path report() const { return root / "report.json"; }
};

struct NormalizeProgress {
  int pass = 1;           // 1: filter and statistics, 2: writing
  std::int64_t done = 0;  // raw rows of this pass
  std::int64_t total = 0;
};

struct RejectedExample {
  std::int64_t simulation = 0;
  std::string reason, detail;
};

struct NormalizeReport {
  bool skipped = false;          // NORM already held this normalization of these inputs
  bool stopped = false;          // `stop` ended the run; nothing was written
  std::int64_t simulations = 0;  // rows of the raw dataset
  std::vector<std::pair<std::string, std::int64_t>> failed;  // gen_data status (not ok): count
  normalize::RejectionTally outliers;                        // of the ok simulations
  std::vector<RejectedExample> examples;                     // the first few of each reason
  std::array<std::int64_t, kNumSplits> split_simulations{};  // ok simulations per split
  std::array<std::int64_t, kNumSplits> rows{};               // kept rows per split
  // "64 simulations (1 failed: nonfinite 1); kept 60, rejected: potential_max 3; rows: train 53, ..."
  std::string summary() const;
};

struct NormalizeRequest {
  std::filesystem::path raw;     // gen_data's folder
  std::filesystem::path splits;  // split_data's folder; empty: RAW/splits
  std::filesystem::path out;     // NORM
  NormalizeOptions options;
  RawShards shards = RawShards::all;        // `completed`: the shards gen_data has completed so far
  bool force = false;                       // redo even when NORM is up to date
  std::int64_t chunk_rows = 64;             // rows read and written at a time
  const std::atomic<bool>* stop = nullptr;  // polled between chunks
  std::function<void(const NormalizeProgress&)> on_progress;
};

// Runs both passes into NORM. Everything wrong with the inputs (an incomplete or damaged
// raw dataset, shards of different layouts, splits of another dataset, too few training
// simulations, an output folder that holds other files) is a one-line hd::Error naming
// the file; NORM is then left as it was.
NormalizeReport normalize_raw(const NormalizeRequest& request);

}  // namespace hd::dataset
