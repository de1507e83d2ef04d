// SPDX-License-Identifier: GPL-3.0-or-later
// The normalized dataset the diffusion model trains on (docs/formats.md):
//   fields  [N, C, L] float32  attributes `channels` (names), `mean`, `std`, `log`, `units`
//   params  [N, P]    float32  attributes `names`, `mean`, `std`, `log`, `units`
//   scalars [N, S]    float32  the same
//   index   [N]       int64    the simulation each row comes from (gen_data's index)
//   z       [L]       float64  cell centres in metres
//   file attributes  `format`, `target_std`
// A value v in physical units is stored as (T(v) - mean) / std with T = ln for log
// quantities (hd::normalize::Normalization); std already includes the division by
// target_std, so stored data has std target_std. Splits are index files next to the
// dataset (`indices` [n] int64). Torch-free: the model's side converts batches into tensors.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hd/normalize/metadata.hpp"

namespace hd::dataset {

// The normalization of every group (target_std, fields, params, scalars) and the grid.
struct Metadata : normalize::Metadata {
  std::vector<double> z_m;
  std::int64_t channels() const { return static_cast<std::int64_t>(fields.size()); }
  std::int64_t length() const { return static_cast<std::int64_t>(z_m.size()); }
  std::int64_t num_params() const { return static_cast<std::int64_t>(params.size()); }
  std::int64_t num_scalars() const { return static_cast<std::int64_t>(scalars.size()); }
};

// Rows of the dataset, row-major: fields [size, C, L], params [size, P], scalars [size, S].
struct Batch {
  std::int64_t size = 0;
  std::vector<float> fields;
  std::vector<float> params;
  std::vector<float> scalars;
  std::vector<std::int64_t> rows;        // dataset row of each sample
  std::vector<std::int64_t> simulation;  // the simulation (gen_data index) of each sample
};

// Creates a dataset file and appends rows in any number of calls. The file is complete
// (and readable) after close() or destruction.
class Writer {
 public:
  Writer(const std::filesystem::path& path, const Metadata& metadata, std::int64_t chunk_rows = 64);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  // Whole rows: fields [n, C, L], params [n, P], scalars [n, S], simulation [n]. Non-finite
  // values are refused (the model must never see them).
  void append(std::span<const float> fields, std::span<const float> params, std::span<const float> scalars,
              std::span<const std::int64_t> simulation);
  void close();
  std::int64_t rows() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Random access to rows (validation sets, tests) and the metadata.
class Reader {
 public:
  explicit Reader(const std::filesystem::path& path);
  ~Reader();
  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  const Metadata& metadata() const;
  std::int64_t rows() const;
  const std::filesystem::path& path() const;
  // Rows in the given order; adjacent indices are read as one block. A row holding a
  // non-finite value is an hd::Error naming the file and the row.
  Batch read(std::span<const std::int64_t> rows) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Split index files: HDF5 with `indices` [n] int64 (attribute `dataset`: the file name).
void write_split(const std::filesystem::path& path, std::span<const std::int64_t> indices,
                 const std::string& dataset_name);
std::vector<std::int64_t> read_split(const std::filesystem::path& path);
// The dataset a split indexes: its `dataset` attribute, a file in the split's folder.
std::filesystem::path split_dataset(const std::filesystem::path& path);

struct StreamOptions {
  std::int64_t batch_size = 64;
  std::uint64_t seed = 0;
  std::int64_t chunk_rows = 256;    // rows read together: consecutive rows of the split
  std::int64_t window_chunks = 16;  // chunks shuffled together; memory ~ window * chunk rows
  // Data-parallel training: the stream is cut into global batches of batch_size, and this
  // reader delivers slice shard_index of shard_count of each (rows [floor(i B / n),
  // floor((i + 1) B / n)) of the batch), so the shards of all readers together see the
  // stream of one unsharded reader. position() and seek() count global samples.
  std::int64_t shard_index = 0;
  std::int64_t shard_count = 1;
};

// An endless, shuffled stream of batches over a split. Each epoch visits every row once:
// the chunk order is a fresh permutation, and the rows of each window of chunks are
// shuffled together, so only one window is in memory. The order is a pure function of
// (seed, position), which makes seek() exact: a resumed run sees the same batches.
class StreamingReader {
 public:
  StreamingReader(const std::filesystem::path& path, std::vector<std::int64_t> split,
                  const StreamOptions& options);
  ~StreamingReader();
  const Metadata& metadata() const;
  std::int64_t split_size() const;
  // The next global batch (this reader's shard of it).
  Batch next();
  // Samples delivered so far (over all epochs); seek to resume.
  std::int64_t position() const;
  void seek(std::int64_t position);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hd::dataset
