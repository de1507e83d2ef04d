// SPDX-License-Identifier: GPL-3.0-or-later
// The normalized dataset the diffusion model trains on (docs/formats.md):
//   fields [N, C, L] float32   attribute `channels` (names), `mean`, `std`, `log`
//   params [N, P]    float32   attribute `names`, `mean`, `std`, `log`
//   z      [L]       float64   cell centres in metres
//   file attributes  `format`, `target_std`
// A value v in physical units is stored as (T(v) - mean) / std with T = ln for log
// channels; std already includes the division by target_std, so stored data has std
// target_std. Splits are index files next to the dataset (`indices` [n] int64).
// Torch-free: the model's side converts batches into tensors.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace hd::dataset {

// Per-quantity transform: stored = (log? ln v : v) - mean) / std.
struct Normalization {
  std::vector<std::string> names;
  std::vector<double> mean;
  std::vector<double> std;
  std::vector<bool> log;
};

struct Metadata {
  Normalization fields;  // one entry per channel
  Normalization params;  // one entry per scalar
  std::vector<double> z_m;
  double target_std = 0.5;
  std::int64_t channels() const { return static_cast<std::int64_t>(fields.names.size()); }
  std::int64_t length() const { return static_cast<std::int64_t>(z_m.size()); }
  std::int64_t num_params() const { return static_cast<std::int64_t>(params.names.size()); }
};

// Rows of the dataset, row-major: fields [size, C, L], params [size, P].
struct Batch {
  std::int64_t size = 0;
  std::vector<float> fields;
  std::vector<float> params;
  std::vector<std::int64_t> indices;  // dataset row of each sample
};

// Creates a dataset file and appends rows in any number of calls. The file is complete
// (and readable) after close() or destruction.
class Writer {
 public:
  Writer(const std::filesystem::path& path, const Metadata& metadata, std::int64_t chunk_rows = 64);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  void append(std::span<const float> fields, std::span<const float> params);
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
  // Rows in the given order; adjacent indices are read as one block.
  Batch read(std::span<const std::int64_t> indices) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Split index files: HDF5 with `indices` [n] int64 (attribute `dataset`: the file name).
void write_split(const std::filesystem::path& path, std::span<const std::int64_t> indices,
                 const std::string& dataset_name);
std::vector<std::int64_t> read_split(const std::filesystem::path& path);

struct StreamOptions {
  std::int64_t batch_size = 64;
  std::uint64_t seed = 0;
  std::int64_t chunk_rows = 256;    // rows read together: consecutive rows of the split
  std::int64_t window_chunks = 16;  // chunks shuffled together; memory ~ window * chunk rows
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
  Batch next();
  // Samples delivered so far (over all epochs); seek to resume.
  std::int64_t position() const;
  void seek(std::int64_t position);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hd::dataset
