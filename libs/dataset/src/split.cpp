// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/dataset/split.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "hd/common/atomic_file.hpp"
#include "hd/common/config.hpp"
#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"
#include "hd/hdf5/hdf5.hpp"

#include "raw_dataset.hpp"

namespace hd::dataset {

namespace fs = std::filesystem;

namespace {

constexpr const char* kSplitFormat = "hall_diffusion.simulation_split/1";

// The key at fault and what is wrong with it, or nothing when the fractions are valid.
std::optional<std::pair<std::string, std::string>> fraction_problem(const SplitOptions& o) {
  for (const auto& [name, value] : {std::pair{"val_small", o.val_small}, std::pair{"val_large", o.val_large}})
    if (!(value >= 0.0 && value < 1.0))
      return std::pair{std::string(name), "= " + config::format_number(value) + " must lie in [0, 1)"};
  if (!(o.val_small + o.val_large < 1.0))
    return std::pair{std::string("val_large"), "= " + config::format_number(o.val_large) +
                                                   " with val_small = " + config::format_number(o.val_small) +
                                                   " leaves nothing to train on (their sum must be below 1)"};
  return std::nullopt;
}

}  // namespace

std::string_view split_name(Split split) {
  static constexpr std::array<std::string_view, kNumSplits> names{"train", "val_small", "val_large"};
  return names[static_cast<std::size_t>(split)];
}

void validate(const SplitOptions& options, const std::string& context) {
  if (const auto problem = fraction_problem(options))
    throw Error(context + ": " + problem->first + " " + problem->second);
}

SplitOptions read_split_options(const config::Table& t) {
  SplitOptions o;
  o.seed = static_cast<std::uint64_t>(t.get_int_or("seed", 0, {0.0, 9.2e18}));
  o.val_small = t.get_double_or("val_small", o.val_small, {0.0, 1.0});
  o.val_large = t.get_double_or("val_large", o.val_large, {0.0, 1.0});
  if (const auto problem = fraction_problem(o)) t.fail(problem->first, problem->second);
  return o;
}

double split_key(std::uint64_t seed, std::int64_t simulation) {
  return static_cast<double>(
             stream_seed(seed, static_cast<std::uint64_t>(simulation), purpose_tag("dataset.split")) >> 11) *
         0x1.0p-53;
}

SimulationSplits split_simulations(std::span<const std::int64_t> simulations, const SplitOptions& options) {
  validate(options, "split");
  struct Keyed {
    double key;
    std::int64_t simulation;
  };
  std::vector<Keyed> keyed;
  keyed.reserve(simulations.size());
  for (std::int64_t k : simulations) keyed.push_back({split_key(options.seed, k), k});
  std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    return a.key != b.key ? a.key < b.key : a.simulation < b.simulation;
  });
  for (std::size_t i = 1; i < keyed.size(); ++i)
    if (keyed[i].simulation == keyed[i - 1].simulation)
      throw Error("split: simulation " + std::to_string(keyed[i].simulation) + " is listed twice");

  // In key order the splits are val_small [0, a), val_large [a, b), train [b, n): the cut
  // points where the key crosses the fractions, moved only as far as the minimum sizes need.
  const auto n = static_cast<std::ptrdiff_t>(keyed.size());
  const auto count_below = [&](double threshold) {
    return std::partition_point(keyed.begin(), keyed.end(),
                                [&](const Keyed& k) { return k.key < threshold; }) -
           keyed.begin();
  };
  const std::ptrdiff_t min_train = n >= 1 ? 1 : 0;
  const std::ptrdiff_t min_small = options.val_small > 0.0 && n >= min_train + 1 ? 1 : 0;
  const std::ptrdiff_t min_large = options.val_large > 0.0 && n >= min_train + min_small + 1 ? 1 : 0;
  const std::ptrdiff_t a = std::clamp(count_below(options.val_small), min_small, n - min_train - min_large);
  const std::ptrdiff_t b =
      std::clamp(count_below(options.val_small + options.val_large), a + min_large, n - min_train);

  SimulationSplits splits;
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const Split s = i < a ? Split::val_small : i < b ? Split::val_large : Split::train;
    splits[s].push_back(keyed[static_cast<std::size_t>(i)].simulation);
  }
  for (auto& list : splits.simulations) std::sort(list.begin(), list.end());
  return splits;
}

std::vector<std::int64_t> ok_simulations(const fs::path& raw, RawShards which) {
  const RawDataset dataset = open_raw_dataset(raw, which);
  std::vector<std::int64_t> ok;
  for (const RawShardEntry& entry : dataset.manifest.shards) {
    const RawFile file = open_raw_shard(dataset, entry);
    const std::vector<std::int8_t> status = file.statuses();
    for (std::size_t i = 0; i < status.size(); ++i)
      if (status[i] == 0) ok.push_back(file.indices()[i]);
  }
  std::sort(ok.begin(), ok.end());
  return ok;
}

fs::path default_split_folder(const fs::path& raw) {
  return raw / "splits";
}

fs::path simulation_split_path(const fs::path& folder, Split split) {
  return folder / (std::string(split_name(split)) + ".h5");
}

void write_simulation_splits(const fs::path& folder, const SimulationSplits& splits,
                             const SplitOptions& options) {
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec || !fs::is_directory(folder, ec))
    throw Error(folder.string() + ": cannot create the split folder" + (ec ? " (" + ec.message() + ")" : ""));
  std::int64_t total = 0;
  for (const auto& list : splits.simulations) total += static_cast<std::int64_t>(list.size());
  for (const Split s : kSplits) {
    const fs::path path = simulation_split_path(folder, s);
    write_file_atomically(path, [&](const fs::path& tmp) {
      hdf5::guarded(path, "write the split", [&] {
        H5::H5File file(tmp.string(), H5F_ACC_TRUNC);
        const std::vector<std::int64_t>& indices = splits[s];
        const hsize_t n = indices.size();
        auto set = file.createDataSet("indices", H5::PredType::STD_I64LE, H5::DataSpace(1, &n));
        if (n > 0) set.write(indices.data(), H5::PredType::NATIVE_INT64);
        hdf5::write_string(set, "dataset", "simulations");
        hdf5::write_string(file, "format", kSplitFormat);
        hdf5::write_string(file, "split", std::string(split_name(s)));
        hdf5::write_number<std::uint64_t>(file, "seed", options.seed);
        hdf5::write_number<double>(file, "val_small", options.val_small);
        hdf5::write_number<double>(file, "val_large", options.val_large);
        hdf5::write_number<std::int64_t>(file, "simulations", total);
        file.close();
        return 0;
      });
    });
  }
}

StoredSplits read_simulation_splits(const fs::path& folder) {
  StoredSplits stored;
  for (const Split s : kSplits) {
    const fs::path path = simulation_split_path(folder, s);
    std::error_code ec;
    if (!fs::exists(path, ec))
      throw Error(path.string() + ": no such split file; run split_data on the raw dataset first");
    hdf5::require_hdf5_file(path, "split file");
    SplitOptions o;
    hdf5::guarded(path, "read the split (damaged file?)", [&] {
      H5::H5File file(path.string(), H5F_ACC_RDONLY);
      if (!file.attrExists("format") || hdf5::read_string(file, "format") != kSplitFormat)
        throw Error(path.string() + ": not a split of simulations (its `format` attribute is not " +
                    kSplitFormat + ")");
      if (!file.attrExists("split") || hdf5::read_string(file, "split") != split_name(s))
        throw Error(path.string() + ": holds another split than " + std::string(split_name(s)));
      o.seed = hdf5::read_number<std::uint64_t>(file, "seed");
      o.val_small = hdf5::read_number<double>(file, "val_small");
      o.val_large = hdf5::read_number<double>(file, "val_large");
      const H5::DataSet set = file.openDataSet("indices");
      auto& indices = stored.splits[s];
      indices.resize(static_cast<std::size_t>(set.getSpace().getSimpleExtentNpoints()));
      if (!indices.empty()) set.read(indices.data(), H5::PredType::NATIVE_INT64);
      return 0;
    });
    if (s == Split::train) {
      stored.options = o;
    } else if (o.seed != stored.options.seed || o.val_small != stored.options.val_small ||
               o.val_large != stored.options.val_large) {
      throw Error(path.string() + ": written with other split options than " +
                  simulation_split_path(folder, Split::train).string() +
                  " (an interrupted split_data?); run split_data again");
    }
  }
  return stored;
}

}  // namespace hd::dataset
