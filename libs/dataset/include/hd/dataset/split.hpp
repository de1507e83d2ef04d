// SPDX-License-Identifier: GPL-3.0-or-later
// Splitting a raw dataset's simulations into train / val_small / val_large (docs/data.md,
// "Splits"). No data is copied: a split is a file of simulation indices next to the raw
// shards, RAW/splits/<split>.h5 (`indices` [n] int64, readable by read_split).
//
// Simulation k gets the key u_k = uniform(stream_seed(seed, k, "dataset.split")) in [0, 1)
// and goes to val_small when u_k < val_small, to val_large when u_k < val_small +
// val_large, to train otherwise. The key depends on (seed, k) alone, so a simulation keeps
// its split when the dataset grows or shrinks, whatever thread, shard or order produced
// it. Only in a dataset so small that a split with a positive fraction would be empty does
// the cut move: the simulations are ordered by key and the cut points shift just enough
// that train, then val_small, then val_large hold at least one simulation each.
#pragma once
#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hd/dataset/raw_shard.hpp"

namespace hd::config {
class Table;
}

namespace hd::dataset {

enum class Split : std::int8_t { train, val_small, val_large };
inline constexpr std::size_t kNumSplits = 3;
inline constexpr std::array<Split, kNumSplits> kSplits{Split::train, Split::val_small, Split::val_large};

// "train", "val_small", "val_large".
std::string_view split_name(Split split);

struct SplitOptions {
  std::uint64_t seed = 0;
  double val_small = 0.002;  // fraction of the simulations in val_small
  double val_large = 0.1;    // fraction in val_large
};

// The [split] table of a data config: `seed`, `val_small`, `val_large`, each optional with
// the default above. Fractions lie in [0, 1) and leave a positive share to train; anything
// else is an hd::Error naming the file, line and key.
SplitOptions read_split_options(const config::Table& table);
// Throws hd::Error "<context>: ..." unless the fractions are valid as above.
void validate(const SplitOptions& options, const std::string& context);

// u_k, in [0, 1).
double split_key(std::uint64_t seed, std::int64_t simulation);

// Simulation indices per split, each sorted.
struct SimulationSplits {
  std::array<std::vector<std::int64_t>, kNumSplits> simulations;
  const std::vector<std::int64_t>& operator[](Split s) const {
    return simulations[static_cast<std::size_t>(s)];
  }
  std::vector<std::int64_t>& operator[](Split s) { return simulations[static_cast<std::size_t>(s)]; }
  bool operator==(const SimulationSplits&) const = default;
};

// Assigns every simulation of `simulations` (distinct indices, any order) as described
// above; the result is a partition of them.
SimulationSplits split_simulations(std::span<const std::int64_t> simulations, const SplitOptions& options);

// The simulations of a raw dataset folder whose status is ok, sorted. With RawShards::all
// the manifest must list every shard (gen_data finished); a missing manifest, an incomplete
// dataset, or a shard that is damaged or holds simulations outside its range is a one-line
// hd::Error naming the file.
std::vector<std::int64_t> ok_simulations(const std::filesystem::path& raw, RawShards which = RawShards::all);

// RAW/splits, the default place of a raw dataset's split files.
std::filesystem::path default_split_folder(const std::filesystem::path& raw);
// FOLDER/<split>.h5.
std::filesystem::path simulation_split_path(const std::filesystem::path& folder, Split split);

// Writes the three files atomically, each with the options and the number of simulations
// split as attributes.
void write_simulation_splits(const std::filesystem::path& folder, const SimulationSplits& splits,
                             const SplitOptions& options);

struct StoredSplits {
  SimulationSplits splits;
  SplitOptions options;
};
// Reads the three files back; a missing or damaged file, or files written with different
// options (a split_data run interrupted between two files), is a one-line hd::Error.
StoredSplits read_simulation_splits(const std::filesystem::path& folder);

}  // namespace hd::dataset
