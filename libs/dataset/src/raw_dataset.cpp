// SPDX-License-Identifier: GPL-3.0-or-later
#include "raw_dataset.hpp"

#include <numeric>

#include "hd/common/error.hpp"

namespace hd::dataset {

namespace fs = std::filesystem;

RawDataset open_raw_dataset(const fs::path& folder, RawShards which) {
  RawDataset d{folder, read_raw_manifest(folder)};
  const RawManifest& m = d.manifest;
  const std::string manifest = (folder / kRawManifestName).string();
  if (which == RawShards::all && !m.complete())
    throw Error(manifest + ": the raw dataset holds " + std::to_string(m.shards.size()) + " of its " +
                std::to_string(m.num_shards) + " shards; finish gen_data first (rerun it with the same arguments)");
  if (m.shards.empty()) throw Error(manifest + ": no shard of the raw dataset is complete yet");
  return d;
}

RawFile open_raw_shard(const RawDataset& d, const RawShardEntry& entry) {
  RawFile file(d.shard_path(entry));
  const RawHeader& h = file.header();
  const std::string name = file.path().string();
  if (h.seed != d.manifest.seed || h.num_sims != d.manifest.num_sims)
    throw Error(name + ": written by another run than the manifest's (seed " + std::to_string(h.seed) + ", " +
                std::to_string(h.num_sims) + " simulations; the manifest says seed " +
                std::to_string(d.manifest.seed) + ", " + std::to_string(d.manifest.num_sims) + ")");
  std::vector<std::int64_t> expected(static_cast<std::size_t>(entry.count));
  std::iota(expected.begin(), expected.end(), entry.first_index);
  if (file.indices() != expected)
    throw Error(name + ": does not hold exactly simulations [" + std::to_string(entry.first_index) + ", " +
                std::to_string(entry.first_index + entry.count) +
                ") in order, as the manifest says: a damaged or replaced shard");
  return file;
}

}  // namespace hd::dataset
