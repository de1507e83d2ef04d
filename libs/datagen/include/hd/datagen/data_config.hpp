// SPDX-License-Identifier: GPL-3.0-or-later
// The data config of gen_data (docs/data.md): which hallsim config every simulation starts
// from, which of its keys the prior sets, and what each simulation's row keeps.
//
//   [simulation]  config = "../hallsim/spt100.toml"    overrides = ["domain.num_cells=128"]
//                 retry_overrides = ["numerics.cfl=0.3"]
//   [params.<name>]  a prior distribution (docs/prior.md), its units and sets = "<hallsim key>"
//   [anomalous_profile]  the profile prior's keys and sets = "<hallsim table>"
//   [output]  channels, scalars, series_frames, shard_size
//   [split]  how split_data divides the simulations (hd/dataset/split.hpp)
//   [normalization]  how normalize_data normalizes them (hd/dataset/normalize_raw.hpp)
// gen_data reads [split] and [normalization] like every table (an unknown key is an error)
// and leaves them to the later steps: they are not part of what generation records.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/dataset/normalize_raw.hpp"
#include "hd/dataset/split.hpp"
#include "hd/prior/anomalous_profile.hpp"
#include "hd/prior/prior.hpp"

namespace hd::datagen {

// A fixed `key=value` for the hallsim config, and how messages name it.
struct Assignment {
  std::string text;    // "domain.num_cells=128"
  std::string origin;  // "gen.toml:4: simulation.overrides[0]"
};

// Where a sampled value goes: hallsim config key `key` (e.g. "propellants[0].neutral_velocity_m_s").
// Empty for the anomalous profile's shape parameters, which [anomalous_profile] consumes.
struct ParameterTarget {
  std::string key;
  std::string origin;  // "gen.toml:12: params.neutral_velocity_m_s.sets = ..."
};

// The node profile c(z) drawn for each simulation, written as a multi_log_bohm model
// (`model`, `z_m`, `c`) into hallsim table `table` (e.g. "anomalous_transport").
struct AnomalousProfileTarget {
  prior::AnomalousProfileModel model;
  std::string table;
  std::string origin;
};

struct OutputSpec {
  // Averaged profiles kept, in this order (hallsim's names, docs/physics.md).
  std::vector<std::string> channels;
  std::string channels_origin;
  // Scalars kept; empty: every scalar hallsim writes, in its order.
  std::vector<std::string> scalars;
  std::string scalars_origin;
  // Discharge current and thrust resampled onto this many uniform times over the averaging window.
  int series_frames = 128;
  // Simulations per shard file.
  std::int64_t shard_size = 1024;
};

// Which attempt at a simulation a hallsim config is built for: the first, or the one more
// with `retry_overrides` after a numerical failure (hd/datagen/factory.hpp, simulate).
enum class Attempt { first, retry };

struct DataConfig {
  std::filesystem::path source;  // the data config file (or the text's name)
  // The tables generation reads, after overrides and with defaults filled in: what raw
  // shards record and a resumed gen_data compares. [split] and [normalization] are left
  // out, so that changing them never invalidates generated simulations.
  std::string resolved_toml;
  std::filesystem::path simulation_config;  // the hallsim config every simulation starts from
  std::vector<Assignment> simulation_overrides;
  // numerics.* assignments for a second attempt of a simulation that ended nonfinite or with
  // its step size collapsed (simulation.retry_overrides); empty: no second attempt.
  std::vector<Assignment> retry_overrides;
  prior::Prior prior;
  std::vector<ParameterTarget> targets;  // one per prior parameter, in the prior's order
  // Units of each prior parameter (its `units` key: part of its definition, stored with
  // the value in every row), in the prior's order.
  std::vector<std::string> parameter_units;
  std::optional<AnomalousProfileTarget> anomalous_profile;
  OutputSpec output;
  dataset::SplitOptions split;
  dataset::NormalizeOptions normalization;
};

// The reference list of stored channels.
const std::vector<std::string>& default_channels();

// Reads every table of a data config and rejects unknown keys. Checks what can be checked
// without hallsim (a missing base config, a `sets` missing or repeated, a key that would
// change the grid or the time window); the factory then configures simulation 0 to find
// keys hallsim does not know.
DataConfig read_data_config(const config::Document& doc);
DataConfig load_data_config(const std::filesystem::path& file,
                            const std::vector<std::string>& overrides = {});

// The hallsim config every simulation starts from: the base config with the fixed overrides.
config::Document simulation_document(const DataConfig& config);

// For Attempt::retry, writes retry_overrides into a simulation's config; called last, so that
// the retry's numerics win. Nothing for the first attempt.
void apply_attempt(const DataConfig& config, Attempt attempt, config::Document& doc);

}  // namespace hd::datagen
