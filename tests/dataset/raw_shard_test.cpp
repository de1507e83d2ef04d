// SPDX-License-Identifier: GPL-3.0-or-later
// Raw shards as gen_data writes them: every row reads back bit for bit, and a file that is
// truncated, damaged or foreign is a one-line error naming it, never wrong numbers.
#include "hd/dataset/raw_shard.hpp"

#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "hd/common/error.hpp"
#include "hd/testing/errors.hpp"

namespace hd::dataset {
namespace {

namespace fs = std::filesystem;

class RawShard : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hd_raw_shard_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    RawLayout& l = header_.layout;
    l.channels = {"ne", "ui_1", "phi"};
    l.channel_units = {"m^-3", "m/s", "V"};
    l.z_m = {0.01, 0.03, 0.05, 0.07};
    l.scalar_names = {"discharge_current_a", "thrust_n"};
    l.scalar_units = {"A", "N"};
    l.series_names = {"discharge_current_a"};
    l.series_units = {"A"};
    l.series_time_s = {5e-4, 7.5e-4, 1e-3};
    l.param_names = {"discharge_voltage_v"};
    l.param_units = {"V"};
    l.status_names = {"ok", "nonfinite"};
    header_.data_config = "[output]\nshard_size = 4\n";
    header_.simulation_config = "[domain]\nnum_cells = 4\n";
    header_.version = "test";
    header_.seed = 7;
    header_.num_sims = 10;
    header_.shard = 1;
    header_.num_shards = 3;
    header_.first_index = 4;
    header_.end_index = 8;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Row of simulation k: every value a distinct function of k, so a row read back in the
  // wrong place or mixed with another shows.
  RawRow row(std::int64_t k, std::int8_t status = 0) const {
    RawRow r;
    r.index = k;
    r.seed = 1000003ull * static_cast<std::uint64_t>(k) + 0xfedcba9876543210ull;
    r.status = status;
    r.reason = status == 0 ? "" : "non-finite heavy-species state at t = " + std::to_string(k) + " s";
    r.wall_time_s = 0.25 * static_cast<double>(k);
    for (int i = 0; i < 12; ++i) r.fields.push_back(static_cast<float>(k) + 0.1f * static_cast<float>(i));
    r.scalars = {1.0 / (1.0 + static_cast<double>(k)), 1e-3 * static_cast<double>(k)};
    r.series = {1.0f + static_cast<float>(k), 2.0f, 3.0f};
    r.params = {200.0 + std::sqrt(2.0) * static_cast<double>(k)};
    return r;
  }

  fs::path write(const std::vector<RawRow>& rows, std::int64_t chunk_rows = 2) {
    const fs::path path = dir_ / raw_shard_name(header_.shard, header_.num_shards);
    write_raw_file(path, header_, rows, chunk_rows);
    return path;
  }

  fs::path dir_;
  RawHeader header_;
};

TEST_F(RawShard, EveryRowAndTheHeaderReadBackExactly) {
  const std::vector<RawRow> rows{row(6), row(4, 1), row(7), row(5)};
  const RawFile file(write(rows));
  EXPECT_EQ(file.rows(), 4);
  EXPECT_EQ(file.indices(), (std::vector<std::int64_t>{6, 4, 7, 5}));  // stored as given
  EXPECT_EQ(file.statuses(), (std::vector<std::int8_t>{0, 1, 0, 0}));
  const RawHeader& h = file.header();
  EXPECT_EQ(h.layout, header_.layout);
  EXPECT_EQ(h.data_config, header_.data_config);
  EXPECT_EQ(h.simulation_config, header_.simulation_config);
  EXPECT_EQ(h.version, header_.version);
  EXPECT_EQ(h.seed, header_.seed);
  EXPECT_EQ(h.num_sims, header_.num_sims);
  EXPECT_EQ(h.shard, header_.shard);
  EXPECT_EQ(h.num_shards, header_.num_shards);
  EXPECT_EQ(h.first_index, header_.first_index);
  EXPECT_EQ(h.end_index, header_.end_index);
  // Exact equality: float32 fields and series are stored as float32, the rest as 64-bit.
  EXPECT_EQ(file.read(0, 4), rows);
  EXPECT_EQ(file.read(1, 2), std::vector<RawRow>(rows.begin() + 1, rows.begin() + 3));
}

TEST_F(RawShard, AnEmptyFileIsValid) {
  const RawFile file(write({}));
  EXPECT_EQ(file.rows(), 0);
  EXPECT_TRUE(file.read(0, 0).empty());
}

TEST_F(RawShard, ARowThatDoesNotFitTheLayoutIsRefusedAndTheOldFileKept) {
  const fs::path path = write({row(4)});
  RawRow bad = row(5);
  bad.fields.pop_back();
  testing::expect_one_line_error([&] { write({row(4), bad}); }, "simulation 5 does not fit");
  EXPECT_EQ(RawFile(path).indices(), std::vector<std::int64_t>{4});
}

TEST_F(RawShard, ReadingPastTheEndIsAnError) {
  const RawFile file(write({row(4)}));
  testing::expect_one_line_error([&] { file.read(0, 2); }, "out of range");
}

TEST_F(RawShard, ATruncatedFileIsAOneLineErrorNamingIt) {
  const fs::path path = write({row(4), row(5), row(6), row(7)});
  fs::resize_file(path, fs::file_size(path) / 2);
  testing::expect_one_line_error([&] { RawFile{path}; }, path.string() + ": cannot read the raw shard");
}

// A byte flipped inside the first chunk of `fields`: the chunk's checksums (Fletcher-32,
// and deflate's own) turn it into a read error instead of a silently different value.
TEST_F(RawShard, ADamagedChunkIsAReadErrorNotAWrongValue) {
  const fs::path path = write({row(4), row(5), row(6), row(7)});
  haddr_t address = 0;
  hsize_t size = 0;
  {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    const H5::DataSet fields = file.openDataSet("fields");
    const hsize_t origin[3] = {0, 0, 0};
    unsigned filter_mask = 0;
    ASSERT_GE(H5Dget_chunk_info_by_coord(fields.getId(), origin, &filter_mask, &address, &size), 0);
  }
  ASSERT_GT(size, 8u);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(address + size / 2));
    char byte = 0;
    f.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(address + size / 2));
    f.write(&byte, 1);
  }
  const RawFile file(path);
  testing::expect_one_line_error([&] { file.read(0, 4); }, path.string() + ": cannot read rows");
}

TEST_F(RawShard, MissingForeignAndNonHdf5FilesAreNamed) {
  testing::expect_one_line_error([&] { RawFile{dir_ / "none.h5"}; }, "none.h5: no such raw shard");
  std::ofstream(dir_ / "text.h5") << "not hdf5";
  testing::expect_one_line_error([&] { RawFile{dir_ / "text.h5"}; }, "text.h5: not an HDF5 file");
  H5::H5File(std::string(dir_ / "other.h5"), H5F_ACC_TRUNC).close();
  testing::expect_one_line_error([&] { RawFile{dir_ / "other.h5"}; }, "other.h5: not a raw shard");
}

TEST_F(RawShard, ShardNamesSortInShardOrder) {
  EXPECT_EQ(raw_shard_name(3, 16), "shard-00003-of-00016.h5");
  EXPECT_EQ(raw_shard_name(12, 200000), "shard-000012-of-200000.h5");
  EXPECT_LT(raw_shard_name(9, 16), raw_shard_name(10, 16));
}

TEST_F(RawShard, TheManifestRoundTripsAndSaysWhetherTheDatasetIsComplete) {
  write({row(4)});
  RawManifest m;
  m.num_sims = 10;
  m.shard_size = 4;
  m.num_shards = 3;
  m.seed = 0xffffffffffffffffull;  // the full 64-bit range survives JSON
  m.shards.push_back({raw_shard_name(1, 3), 1, 4, 4, 1});
  write_raw_manifest(dir_, m);
  const RawManifest back = read_raw_manifest(dir_);
  EXPECT_EQ(back, m);
  EXPECT_FALSE(back.complete());
  EXPECT_EQ(back.simulations(), 4);
  EXPECT_EQ(back.failed(), 1);
}

TEST_F(RawShard, AMissingMalformedOrDanglingManifestIsAOneLineError) {
  testing::expect_one_line_error([&] { read_raw_manifest(dir_); }, "manifest.json: no manifest");
  std::ofstream(dir_ / kRawManifestName) << "{\"format\": ";
  testing::expect_one_line_error([&] { read_raw_manifest(dir_); }, "manifest.json: malformed manifest");
  RawManifest m;
  m.num_sims = 4;
  m.shard_size = 4;
  m.num_shards = 1;
  m.shards.push_back({raw_shard_name(0, 1), 0, 0, 4, 0});
  write_raw_manifest(dir_, m);
  testing::expect_one_line_error([&] { read_raw_manifest(dir_); },
                                 "lists shard-00000-of-00001.h5, which is missing");
}

}  // namespace
}  // namespace hd::dataset
