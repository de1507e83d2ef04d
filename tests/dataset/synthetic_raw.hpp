// SPDX-License-Identifier: GPL-3.0-or-later
// Raw datasets built by hand for the split and normalization tests: plausible thruster
// rows whose values are known functions of the simulation index, failed rows, and one row
// for each rule of the outlier filter.
#pragma once
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "hd/dataset/raw_shard.hpp"

namespace hd::dataset::test {

namespace fs = std::filesystem;

// A scratch folder removed with everything in it at the end of the test.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name)
      : path_(fs::temp_directory_path() / ("hd_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

inline constexpr std::size_t kCells = 6;

// Channels nu_an, ne (log by default), phi, ui_1 (linear); scalars discharge_current_a,
// thrust_n (log), anode_efficiency; params background_pressure_torr (log),
// discharge_voltage_v, wall_loss_scale.
inline RawLayout synthetic_layout() {
  RawLayout l;
  l.channels = {"nu_an", "ne", "phi", "ui_1"};
  l.channel_units = {"1/s", "m^-3", "V", "m/s"};
  for (std::size_t i = 0; i < kCells; ++i) l.z_m.push_back(0.08 * (static_cast<double>(i) + 0.5) / kCells);
  l.scalar_names = {"discharge_current_a", "thrust_n", "anode_efficiency"};
  l.scalar_units = {"A", "N", "1"};
  l.series_names = {"discharge_current_a"};
  l.series_units = {"A"};
  l.series_time_s = {1e-4, 2e-4};
  l.param_names = {"background_pressure_torr", "discharge_voltage_v", "wall_loss_scale"};
  l.param_units = {"Torr", "V", "1"};
  l.status_names = {"ok", "nonfinite", "step_size_collapse"};
  return l;
}

// A deterministic number in [0, 1) for (k, j).
inline double unit(std::int64_t k, int j) {
  const double x = std::sin(12.9898 * static_cast<double>(k) + 78.233 * j) * 43758.5453;
  return x - std::floor(x);
}

// Simulation k, kept by the filter: every value a distinct function of k, within every
// threshold (nu_an in 1e5..3e7 1/s with a maximum above 2e6; phi within (-0.3 Vd, Vd) and
// within 0.1 Vd of zero at the last cell).
inline RawRow good_row(std::int64_t k) {
  RawRow r;
  r.index = k;
  r.seed = 1000003ull * static_cast<std::uint64_t>(k) + 17;
  const double vd = 200.0 + 400.0 * unit(k, 0);
  r.params = {std::pow(10.0, -6.0 + 2.0 * unit(k, 1)), vd, 2.0 * unit(k, 2)};
  r.fields.push_back(static_cast<float>(2e6 + 1e7 * unit(k, 10)));
  for (std::size_t i = 1; i < kCells; ++i)
    r.fields.push_back(static_cast<float>(1e5 * std::pow(300.0, unit(k, 10 + static_cast<int>(i)))));
  for (std::size_t i = 0; i < kCells; ++i)
    r.fields.push_back(static_cast<float>(1e17 * (1.0 + 9.0 * unit(k, 20 + static_cast<int>(i)))));
  for (std::size_t i = 0; i + 1 < kCells; ++i)
    r.fields.push_back(static_cast<float>(vd * (1.3 * unit(k, 30 + static_cast<int>(i)) - 0.3)));
  r.fields.push_back(static_cast<float>(vd * (0.2 * unit(k, 39) - 0.1)));  // near 0 at the cathode
  for (std::size_t i = 0; i < kCells; ++i)
    r.fields.push_back(static_cast<float>(-1000.0 + 21000.0 * unit(k, 40 + static_cast<int>(i))));
  r.scalars = {2.0 + 8.0 * unit(k, 3), 0.03 + 0.07 * unit(k, 4), 0.3 + 0.3 * unit(k, 5)};
  r.series = {static_cast<float>(r.scalars[0]), static_cast<float>(r.scalars[0])};
  r.wall_time_s = 0.01 * static_cast<double>(k);
  return r;
}

// A simulation gen_data records as failed: zeros, as gen_data writes them.
inline RawRow failed_row(std::int64_t k) {
  RawRow r = good_row(k);
  r.status = 1;
  r.reason = "non-finite heavy-species state";
  for (float& v : r.fields) v = 0.0f;
  for (double& v : r.scalars) v = 0.0;
  for (float& v : r.series) v = 0.0f;
  return r;
}

// Field value (channel c, cell i) of a row.
inline float& field(RawRow& r, std::size_t c, std::size_t i) {
  return r.fields[c * kCells + i];
}

// Simulation k broken so that exactly `rule` rejects it ("nonfinite", "nonpositive" (ne =
// 0, which ln cannot take), "discharge_current", "thrust", "potential_min",
// "potential_max", "nu_an_max", "nu_an_min").
inline RawRow outlier_row(std::int64_t k, const std::string& rule) {
  RawRow r = good_row(k);
  const double vd = r.params[1];
  if (rule == "nonfinite") field(r, 1, 2) = std::numeric_limits<float>::quiet_NaN();
  if (rule == "nonpositive") field(r, 1, 3) = 0.0f;
  if (rule == "discharge_current") r.scalars[0] = 151.0;
  if (rule == "thrust") r.scalars[1] = 10.5;
  if (rule == "potential_min") field(r, 2, 0) = static_cast<float>(-0.6 * vd);
  if (rule == "potential_max") field(r, 2, 2) = static_cast<float>(1.6 * vd);
  if (rule == "nu_an_max") field(r, 0, 1) = 2e11f;
  if (rule == "nu_an_min")
    for (std::size_t i = 0; i < kCells; ++i) field(r, 0, i) = i == 0 ? 1e3f : 1e7f;
  return r;
}

// Writes `rows` (indexed 0..n-1 by their `index`) as shards of `shard_size` with a
// manifest, as gen_data leaves a finished folder.
inline void write_raw_dataset(const fs::path& folder, const std::vector<RawRow>& rows,
                              std::int64_t shard_size, std::uint64_t seed = 7) {
  fs::create_directories(folder);
  RawManifest manifest;
  manifest.num_sims = static_cast<std::int64_t>(rows.size());
  manifest.shard_size = shard_size;
  manifest.num_shards = (manifest.num_sims + shard_size - 1) / shard_size;
  manifest.seed = seed;
  for (std::int64_t j = 0; j < manifest.num_shards; ++j) {
    RawHeader h;
    h.layout = synthetic_layout();
    h.data_config = "[output]\nshard_size = " + std::to_string(shard_size) + "\n";
    h.simulation_config = "[domain]\nnum_cells = 6\n";
    h.version = "test";
    h.seed = seed;
    h.num_sims = manifest.num_sims;
    h.shard = j;
    h.num_shards = manifest.num_shards;
    h.first_index = j * shard_size;
    h.end_index = std::min(manifest.num_sims, (j + 1) * shard_size);
    const std::vector<RawRow> shard(rows.begin() + h.first_index, rows.begin() + h.end_index);
    const std::string name = raw_shard_name(j, manifest.num_shards);
    write_raw_file(folder / name, h, shard, 4);
    std::int64_t failed = 0;
    for (const RawRow& r : shard) failed += r.status != 0 ? 1 : 0;
    manifest.shards.push_back({name, j, h.first_index, h.end_index - h.first_index, failed});
  }
  write_raw_manifest(folder, manifest);
}

}  // namespace hd::dataset::test
