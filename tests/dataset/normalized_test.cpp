// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/dataset/normalized.hpp"

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <numeric>
#include <set>

#include "hd/common/error.hpp"
#include "hd/testing/errors.hpp"

namespace hd::dataset {
namespace {

namespace fs = std::filesystem;

class NormalizedDataset : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hd_dataset_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    metadata_.fields = {{"ui_1", "nu_an"}, {1.0, 2.0}, {3.0, 4.0}, {false, true}, {"m/s", "s^-1"}};
    metadata_.params = {{"discharge_voltage_v", "magnetic_field_scale", "wall_loss_scale"},
                        {300, 1, 1},
                        {100, 0.3, 0.5},
                        {false, false, false},
                        {"V", "1", "1"}};
    metadata_.scalars = {{"discharge_current_a"}, {1.5}, {0.5}, {true}, {"A"}};
    metadata_.z_m = {0.01, 0.03, 0.05, 0.07};
    metadata_.target_std = 0.5;
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Row r holds the value 1000 r + position in every field, 10 r + j in params, -r in the
  // scalar and comes from simulation 7 r, so any row read back identifies itself.
  fs::path write(std::int64_t rows, std::int64_t per_append) {
    auto path = dir_ / "data.h5";
    Writer writer(path, metadata_, 8);
    for (std::int64_t first = 0; first < rows; first += per_append) {
      std::vector<float> fields, params, scalars;
      std::vector<std::int64_t> simulation;
      for (std::int64_t r = first; r < std::min(rows, first + per_append); ++r) {
        for (int k = 0; k < 8; ++k) fields.push_back(static_cast<float>(1000 * r + k));
        for (int j = 0; j < 3; ++j) params.push_back(static_cast<float>(10 * r + j));
        scalars.push_back(static_cast<float>(-r));
        simulation.push_back(7 * r);
      }
      writer.append(fields, params, scalars, simulation);
    }
    writer.close();
    return path;
  }

  fs::path dir_;
  Metadata metadata_;
};

TEST_F(NormalizedDataset, WrittenRowsAndMetadataReadBackExactly) {
  auto path = write(37, 10);
  Reader reader(path);
  ASSERT_EQ(reader.rows(), 37);
  const auto& m = reader.metadata();
  EXPECT_EQ(m.fields.names, metadata_.fields.names);
  EXPECT_EQ(m.fields.log, metadata_.fields.log);
  EXPECT_EQ(m.params.mean, metadata_.params.mean);
  EXPECT_EQ(m.params.units, metadata_.params.units);
  EXPECT_EQ(m.scalars.names, metadata_.scalars.names);
  EXPECT_EQ(m.z_m, metadata_.z_m);
  EXPECT_EQ(m.target_std, 0.5);
  std::vector<std::int64_t> rows{36, 3, 4, 5, 0};
  auto batch = reader.read(rows);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(batch.fields[i * 8 + 7], 1000.0f * rows[i] + 7);
    EXPECT_EQ(batch.params[i * 3 + 2], 10.0f * rows[i] + 2);
    EXPECT_EQ(batch.scalars[i], -static_cast<float>(rows[i]));
    EXPECT_EQ(batch.simulation[i], 7 * rows[i]);
    EXPECT_EQ(batch.rows[i], rows[i]);
  }
}

TEST_F(NormalizedDataset, StreamVisitsEverySplitRowOncePerEpoch) {
  auto path = write(100, 100);
  std::vector<std::int64_t> split;
  for (std::int64_t r = 0; r < 100; r += 3) split.push_back(r);  // 34 rows
  StreamingReader stream(path, split, {.batch_size = 5, .seed = 7, .chunk_rows = 4, .window_chunks = 2});
  std::multiset<std::int64_t> first_epoch, second_epoch;
  std::vector<std::int64_t> order;
  while (stream.position() < 2 * 34) {
    auto batch = stream.next();
    for (std::int64_t b = 0; b < batch.size; ++b) {
      const auto row = batch.rows[b];
      EXPECT_EQ(batch.fields[b * 8 + 1], 1000.0f * row + 1) << "data and row disagree";
      EXPECT_EQ(batch.scalars[b], -static_cast<float>(row));
      EXPECT_EQ(batch.simulation[b], 7 * row);
      const auto position = stream.position() - batch.size + b;
      (position < 34 ? first_epoch : second_epoch).insert(row);
      order.push_back(row);
    }
  }
  EXPECT_EQ(first_epoch, std::multiset<std::int64_t>(split.begin(), split.end()));
  // The second epoch starts mid-batch (70 > 68 samples): check its first 34 - 2.
  std::vector<std::int64_t> epoch1(order.begin(), order.begin() + 34),
      epoch2(order.begin() + 34, order.begin() + 68);
  EXPECT_NE(epoch1, epoch2) << "each epoch has a fresh order";
  std::vector<std::int64_t> sorted1(epoch1), sorted2(epoch2);
  std::sort(sorted1.begin(), sorted1.end());
  std::sort(sorted2.begin(), sorted2.end());
  EXPECT_EQ(sorted1, sorted2);
  EXPECT_NE(epoch1, sorted1) << "rows are shuffled";
}

TEST_F(NormalizedDataset, SeekReproducesTheStreamExactly) {
  auto path = write(50, 50);
  StreamOptions options{.batch_size = 7, .seed = 3, .chunk_rows = 4, .window_chunks = 3};
  std::vector<std::int64_t> all(50);
  std::iota(all.begin(), all.end(), 0);
  StreamingReader a(path, all, options);
  for (int i = 0; i < 9; ++i) a.next();
  const auto position = a.position();
  auto expected = a.next();
  StreamingReader b(path, all, options);
  b.seek(position);
  auto resumed = b.next();
  EXPECT_EQ(resumed.rows, expected.rows);
  EXPECT_EQ(resumed.fields, expected.fields);
}

// Data-parallel readers: the slices of 3 shards (7 = 2 + 2 + 3 rows, uneven on purpose)
// put side by side are the unsharded reader's batches, row for row, across an epoch
// boundary and after a seek, whose position counts global samples.
TEST_F(NormalizedDataset, ShardsOfEachBatchTogetherAreTheUnshardedBatch) {
  auto path = write(50, 50);
  std::vector<std::int64_t> all(50);
  std::iota(all.begin(), all.end(), 0);
  const StreamOptions options{.batch_size = 7, .seed = 3, .chunk_rows = 4, .window_chunks = 3};
  StreamingReader whole(path, all, options);
  std::vector<std::unique_ptr<StreamingReader>> shards;
  for (std::int64_t i = 0; i < 3; ++i) {
    auto o = options;
    o.shard_index = i;
    o.shard_count = 3;
    shards.push_back(std::make_unique<StreamingReader>(path, all, o));
  }
  auto check_step = [&] {
    const auto expected = whole.next();
    std::vector<std::int64_t> rows;
    std::vector<float> fields;
    std::vector<std::int64_t> sizes;
    for (auto& shard : shards) {
      const auto part = shard->next();
      sizes.push_back(part.size);
      rows.insert(rows.end(), part.rows.begin(), part.rows.end());
      fields.insert(fields.end(), part.fields.begin(), part.fields.end());
      EXPECT_EQ(shard->position(), whole.position());
    }
    EXPECT_EQ(sizes, (std::vector<std::int64_t>{2, 2, 3}));
    EXPECT_EQ(rows, expected.rows);
    EXPECT_EQ(fields, expected.fields);
  };
  for (int step = 0; step < 9; ++step) check_step();  // 63 samples: past the first epoch
  whole.seek(91);
  for (auto& shard : shards) shard->seek(91);
  check_step();
  auto too_many = options;
  too_many.shard_count = 8;
  hd::testing::expect_one_line_error([&] { StreamingReader s(path, all, too_many); }, "shard 0 of 8");
}

TEST_F(NormalizedDataset, MissingOrCorruptFilesAreOneLineErrorsNamingTheFile) {
  hd::testing::expect_one_line_error([&] { Reader r(dir_ / "absent.h5"); },
                                     "absent.h5: no such dataset file");
  std::ofstream(dir_ / "corrupt.h5") << "not hdf5";
  hd::testing::expect_one_line_error([&] { Reader r(dir_ / "corrupt.h5"); }, "corrupt.h5: not an HDF5 file");
  auto path = write(10, 10);
  write_split(dir_ / "split.h5", std::vector<std::int64_t>{3, 12}, "data.h5");
  hd::testing::expect_one_line_error([&] { StreamingReader s(path, read_split(dir_ / "split.h5"), {}); },
                                     "out of range");
  hd::testing::expect_one_line_error([&] { read_split(dir_ / "nosplit.h5"); },
                                     "nosplit.h5: no such split file");
}

// The model must never see a NaN: the writer refuses one, and a reader stops at a row
// holding one (in a file written by another tool), naming the file and the row.
TEST_F(NormalizedDataset, NonFiniteValuesAreRefusedOnWriteAndOnRead) {
  Writer writer(dir_ / "nan.h5", metadata_, 8);
  std::vector<float> fields(8, 0.0f), params(3, 0.0f), scalars{0.0f};
  const std::vector<std::int64_t> simulation{0};
  fields[3] = std::numeric_limits<float>::quiet_NaN();
  hd::testing::expect_one_line_error([&] { writer.append(fields, params, scalars, simulation); },
                                     "nan.h5: refusing to store non-finite values");
  fields[3] = 0.0f;
  scalars[0] = std::numeric_limits<float>::infinity();
  hd::testing::expect_one_line_error([&] { writer.append(fields, params, scalars, simulation); },
                                     "refusing to store non-finite values");
  writer.close();
  EXPECT_EQ(Reader(dir_ / "nan.h5").rows(), 0);

  auto path = write(4, 4);
  {
    H5::H5File file(path.string(), H5F_ACC_RDWR);
    auto set = file.openDataSet("fields");
    const float nan = std::numeric_limits<float>::quiet_NaN();
    hsize_t start[3] = {2, 1, 0}, count[3] = {1, 1, 1};
    auto space = set.getSpace();
    space.selectHyperslab(H5S_SELECT_SET, count, start);
    H5::DataSpace one(3, count);
    set.write(&nan, H5::PredType::NATIVE_FLOAT, one, space);
  }
  Reader reader(path);
  const std::vector<std::int64_t> good{0, 1, 3}, bad{1, 2};
  EXPECT_EQ(reader.read(good).size, 3);
  hd::testing::expect_one_line_error([&] { reader.read(bad); }, "data.h5: row 2 holds a non-finite value");
}

TEST_F(NormalizedDataset, AFileOfAnotherFormatIsRefused) {
  { H5::H5File file((dir_ / "other.h5").string(), H5F_ACC_TRUNC); }
  hd::testing::expect_one_line_error([&] { Reader r(dir_ / "other.h5"); },
                                     "other.h5: not a normalized dataset (its `format` attribute");
}

TEST_F(NormalizedDataset, SplitFilesRoundTrip) {
  std::vector<std::int64_t> indices{5, 1, 9};
  write_split(dir_ / "val.h5", indices, "data.h5");
  EXPECT_EQ(read_split(dir_ / "val.h5"), indices);
}

}  // namespace
}  // namespace hd::dataset
