// SPDX-License-Identifier: GPL-3.0-or-later
// Shared pieces of the gen_data tests: the test data config, scratch folders, and reading
// a raw dataset folder back row by row.
#pragma once
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "hd/datagen/data_config.hpp"
#include "hd/dataset/raw_shard.hpp"

namespace hd::datagen::test {

namespace fs = std::filesystem;

inline fs::path source_dir() {
  const char* dir = std::getenv("HD_SOURCE_DIR");
  return dir != nullptr ? fs::path(dir) : fs::current_path();
}

// tests/datagen/data/small.toml: the reference prior without the physics hallsim lacks
// today, 24 cells, 40 us simulated, 8 simulations per shard.
inline fs::path small_config_path() {
  return source_dir() / "tests" / "datagen" / "data" / "small.toml";
}

inline DataConfig small_config(const std::vector<std::string>& overrides = {}) {
  return load_data_config(small_config_path(), overrides);
}

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// small.toml's text with its base config as an absolute path, to be edited and written
// anywhere.
inline std::string small_config_text() {
  std::string text = read_text(small_config_path());
  const std::string relative = "\"spt100_base.toml\"";
  const auto at = text.find(relative);
  EXPECT_NE(at, std::string::npos);
  // Built piecewise: GCC 12 misreads "\"" + std::string as an overlapping copy.
  std::string absolute(1, '"');
  absolute.append((small_config_path().parent_path() / "spt100_base.toml").string()).append(1, '"');
  text.replace(at, relative.size(), absolute);
  return text;
}

// `text` with the first occurrence of `from` replaced by `to` (the test fails if absent).
inline std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

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
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }

 private:
  fs::path path_;
};

// Every row of a finished dataset folder (through its manifest), by simulation index; a
// simulation found twice fails the test.
inline std::map<std::int64_t, dataset::RawRow> read_dataset(const fs::path& dir) {
  std::map<std::int64_t, dataset::RawRow> rows;
  const dataset::RawManifest manifest = dataset::read_raw_manifest(dir);
  EXPECT_TRUE(manifest.complete()) << dir;
  for (const auto& entry : manifest.shards) {
    const dataset::RawFile file(dir / entry.file);
    for (dataset::RawRow& row : file.read(0, file.rows())) {
      const std::int64_t index = row.index;
      EXPECT_TRUE(rows.emplace(index, std::move(row)).second)
          << "simulation " << index << " twice in " << dir;
    }
  }
  return rows;
}

// Rows equal in every stored value but the wall time, which is a measurement.
inline void expect_same_rows(const std::map<std::int64_t, dataset::RawRow>& expected,
                             const std::map<std::int64_t, dataset::RawRow>& actual) {
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [index, row] : expected) {
    ASSERT_TRUE(actual.contains(index)) << "simulation " << index;
    dataset::RawRow a = actual.at(index);
    a.wall_time_s = row.wall_time_s;
    EXPECT_EQ(a, row) << "simulation " << index;
  }
}

}  // namespace hd::datagen::test
