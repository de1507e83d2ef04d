// SPDX-License-Identifier: GPL-3.0-or-later
// Generating a raw dataset into a folder, resumable after a crash (docs/data.md):
//
//   DIR/run.json                    what the folder holds: seed, simulation count, configs
//   DIR/shard-00003-of-00016.h5     a complete shard, rows sorted by simulation index
//   DIR/parts/shard-00003-of-00016.part-000002.h5   finished rows of a shard in progress
//   DIR/manifest.json               the complete shards
//
// Every file is written whole under a temporary name, synced and renamed, so a crash (kill
// -9 included) leaves complete files and at most a stale temporary, which the next run
// removes. Finished rows are committed as part files in order of completion; when a
// shard's simulations are all committed, its parts are merged into the shard file. A rerun
// reads the `index` of every part and shard it owns and runs only what is missing, so no
// simulation is lost or run twice, and each row equals what an uninterrupted run writes.
#pragma once
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "hd/datagen/factory.hpp"
#include "hd/dataset/raw_shard.hpp"

namespace hd::datagen {

// Shard j holds simulations [j shard_size, min((j + 1) shard_size, num_sims)).
struct ShardPlan {
  std::int64_t num_sims = 0, shard_size = 1;
  std::int64_t num_shards() const { return (num_sims + shard_size - 1) / shard_size; }
  std::int64_t first(std::int64_t shard) const { return shard * shard_size; }
  std::int64_t end(std::int64_t shard) const { return std::min(num_sims, (shard + 1) * shard_size); }
};

// This process is worker `index` of `count` (MPI ranks times job-array tasks): it owns the
// shards j with j mod count = index, and no other process writes them.
struct Worker {
  int index = 0, count = 1;
};

struct GenerateProgress {
  std::int64_t total = 0;    // simulations of the owned shards
  std::int64_t done = 0;     // finished, failed ones included (resumed ones too)
  std::int64_t failed = 0;   // status other than ok
  std::int64_t resumed = 0;  // found on disk at the start
};

struct GenerateOptions {
  std::filesystem::path out;
  std::int64_t num_sims = 0;
  int threads = 1;
  Worker worker;
  // A shard's finished rows are committed once this many wait, or once the oldest has
  // waited commit_interval_s: a crash loses at most that much work.
  std::int64_t commit_rows = 64;
  double commit_interval_s = 60.0;
  // When set (e.g. from a signal handler), no new simulation starts; the running ones
  // finish and are committed.
  const std::atomic<bool>* stop = nullptr;
  // Called from the calling thread after every batch of finished simulations.
  std::function<void(const GenerateProgress&)> on_progress;
};

struct GenerateSummary {
  GenerateProgress progress;
  std::int64_t shards_completed = 0;  // by this call
  bool stopped = false;               // `stop` ended it before every owned simulation ran
};

// Creates `out` and out/run.json, or checks that the run recorded there is this one (seed,
// simulation count, data and simulation configs): a difference is an hd::Error naming the
// file and what differs.
void prepare_output(const SimulationFactory& factory, const std::filesystem::path& out,
                    std::int64_t num_sims);

// The simulation count an earlier prepare_output recorded in out/run.json, or nothing when
// `out` holds no run yet (a caller continuing a run need not be told the count again). A
// malformed record is an hd::Error naming it.
std::optional<std::int64_t> recorded_num_sims(const std::filesystem::path& out);

// Runs the owned simulations that `out` does not hold yet on `threads` threads. Any part
// or shard file that is unreadable, or from another run, is an hd::Error naming it; files
// already there are never modified.
GenerateSummary generate(const SimulationFactory& factory, const GenerateOptions& options);

// Rewrites out/manifest.json from the complete shards present (under a lock on
// out/.manifest.lock, so concurrent processes do not lose each other's shards).
dataset::RawManifest update_manifest(const std::filesystem::path& out, const ShardPlan& plan,
                                     std::uint64_t seed);

}  // namespace hd::datagen
