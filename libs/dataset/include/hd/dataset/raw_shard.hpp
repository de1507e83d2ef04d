// SPDX-License-Identifier: GPL-3.0-or-later
// The raw dataset gen_data writes (docs/data.md): one HDF5 file per shard, every
// simulation a row, failed ones included, in physical units:
//   fields      [N, C, L] float32  attributes `channels`, `units` (one per channel)
//   z           [L]       float64  cell centres, `units` = "m"
//   scalars     [N, S]    float64  attributes `names`, `units`
//   series      [N, K, T] float32  attributes `names`, `units`, `time_s` [T]
//   params      [N, P]    float64  attributes `names`, `units`
//   index       [N]       int64    simulation index in the dataset
//   seed        [N]       uint64   the simulation's own seed
//   status      [N]       int8     attribute `status_names` (status k is status_names[k]; 0 = ok)
//   reason      [N]       string   why a simulation failed ("" when it did not)
//   wall_time_s [N]       float64
// and file attributes `format`, `format_version`, `version`, `data_config`,
// `simulation_config`, `seed`, `num_sims`, `shard`, `num_shards`, `first_index`,
// `end_index`, `channels`. Files are written whole and atomically (a crash leaves the old
// file or the new one), so a file that exists is complete; h5py reads it without this
// project. Torch-free.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hd::dataset {

inline constexpr const char* kRawFormat = "hall_diffusion.raw";
inline constexpr int kRawFormatVersion = 1;

// The shape and meaning of every row.
struct RawLayout {
  std::vector<std::string> channels, channel_units;
  std::vector<double> z_m;
  std::vector<std::string> scalar_names, scalar_units;
  std::vector<std::string> series_names, series_units;
  std::vector<double> series_time_s;
  std::vector<std::string> param_names, param_units;
  std::vector<std::string> status_names;

  std::size_t field_size() const { return channels.size() * z_m.size(); }
  std::size_t series_size() const { return series_names.size() * series_time_s.size(); }
  bool operator==(const RawLayout&) const = default;
};

// Where the rows of a file come from: the run (identical in every shard of a dataset) and
// the range of simulations this shard holds once complete.
struct RawHeader {
  RawLayout layout;
  std::string data_config;        // the generation config, resolved (TOML)
  std::string simulation_config;  // the hallsim config every simulation starts from, resolved (TOML)
  std::string version;            // the project version that wrote the file
  std::uint64_t seed = 0;         // the run's master seed
  std::int64_t num_sims = 0;      // simulations in the whole dataset
  std::int64_t shard = 0, num_shards = 1;
  std::int64_t first_index = 0, end_index = 0;  // simulations [first_index, end_index)
};

struct RawRow {
  std::int64_t index = 0;
  std::uint64_t seed = 0;
  std::int8_t status = 0;
  std::string reason;
  double wall_time_s = 0.0;
  std::vector<float> fields;    // [C, L], row-major
  std::vector<double> scalars;  // [S]
  std::vector<float> series;    // [K, T], row-major
  std::vector<double> params;   // [P]
  bool operator==(const RawRow&) const = default;
};

// Writes `rows` (any order; stored as given) to `path` atomically: the file appears
// complete or not at all. Rows whose sizes do not match the layout are an hd::Error.
void write_raw_file(const std::filesystem::path& path, const RawHeader& header, std::span<const RawRow> rows,
                    std::int64_t chunk_rows = 64);

// A raw file opened for reading. Opening checks the format and that every dataset agrees
// on N and on the layout; anything else (truncated, corrupt, foreign) is a one-line
// hd::Error naming the file.
class RawFile {
 public:
  explicit RawFile(const std::filesystem::path& path);
  ~RawFile();
  RawFile(RawFile&&) noexcept;
  RawFile& operator=(RawFile&&) noexcept;

  const std::filesystem::path& path() const;
  const RawHeader& header() const;
  std::int64_t rows() const;
  // The `index` dataset: which simulations the file holds, in row order.
  const std::vector<std::int64_t>& indices() const;
  // The `status` dataset, in row order.
  std::vector<std::int8_t> statuses() const;
  // Rows [first, first + count).
  std::vector<RawRow> read(std::int64_t first, std::int64_t count) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "shard-00003-of-00016.h5": file names sort in shard order.
std::string raw_shard_name(std::int64_t shard, std::int64_t num_shards);

// The manifest of a raw dataset folder, DIR/manifest.json: the complete shards and what
// they hold. Written atomically after each shard completes.
struct RawShardEntry {
  std::string file;  // relative to the folder
  std::int64_t shard = 0, first_index = 0, count = 0, failed = 0;
  bool operator==(const RawShardEntry&) const = default;
};

struct RawManifest {
  std::int64_t num_sims = 0, shard_size = 0, num_shards = 0;
  std::uint64_t seed = 0;
  std::vector<RawShardEntry> shards;  // complete shards, in shard order
  bool complete() const { return static_cast<std::int64_t>(shards.size()) == num_shards; }
  std::int64_t simulations() const;
  std::int64_t failed() const;
  bool operator==(const RawManifest&) const = default;
};

inline constexpr const char* kRawManifestName = "manifest.json";

// Which shards the steps after gen_data read: all of them (gen_data finished), or those
// completed so far, so that a model can be trained on the first part of a long generation
// while it goes on (a shard's simulations are fixed by its index, so the part is the same
// simulations the finished run will hold).
enum class RawShards { all, completed };

void write_raw_manifest(const std::filesystem::path& folder, const RawManifest& manifest);
// A missing or malformed manifest, or one listing a shard file that is not there, is a
// one-line hd::Error naming the file.
RawManifest read_raw_manifest(const std::filesystem::path& folder);

}  // namespace hd::dataset
