// SPDX-License-Identifier: GPL-3.0-or-later
// A raw dataset folder as the pipeline steps after gen_data read it: the manifest, which
// lists every shard once gen_data has finished, and each shard checked against its
// manifest entry.
#pragma once
#include <filesystem>

#include "hd/dataset/raw_shard.hpp"

namespace hd::dataset {

struct RawDataset {
  std::filesystem::path folder;
  RawManifest manifest;
  std::filesystem::path shard_path(const RawShardEntry& entry) const { return folder / entry.file; }
};

// Reads FOLDER/manifest.json. With RawShards::all a dataset with shards still missing is an
// hd::Error saying how many are there and to finish gen_data first; with
// RawShards::completed it stands for the shards completed so far. Either way a dataset
// without a complete shard is an hd::Error.
RawDataset open_raw_dataset(const std::filesystem::path& folder, RawShards which = RawShards::all);

// Opens a shard of the dataset and checks it holds exactly the simulations its manifest
// entry promises and was written by the same run (seed, simulation count).
RawFile open_raw_shard(const RawDataset& dataset, const RawShardEntry& entry);

}  // namespace hd::dataset
