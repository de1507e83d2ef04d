// SPDX-License-Identifier: GPL-3.0-or-later
// The shared readers of numeric tables: CSV files, interpolation in them, and the
// name-to-model tables of config model families.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <variant>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/common/csv.hpp"
#include "hd/common/interpolate.hpp"
#include "hd/common/model_family.hpp"
#include "hd/common/rng.hpp"
#include "hd/testing/errors.hpp"

namespace {

namespace fs = std::filesystem;

class CsvFile : public ::testing::Test {
 protected:
  fs::path write(const std::string& text) {
    const fs::path p = fs::temp_directory_path() / ("hd_csv_test_" + std::to_string(::getpid()) + "_" +
                                                    std::to_string(files_.size()) + ".csv");
    std::ofstream(p) << text;
    files_.push_back(p);
    return p;
  }
  void TearDown() override {
    for (const auto& f : files_) fs::remove(f);
  }
  std::vector<fs::path> files_;
};

TEST_F(CsvFile, ReadsCommaAndWhitespaceSeparatedColumnsAfterTheHeader) {
  const auto file = write("Energy (eV)\tRate\n0.5, 1e-14\n\n 2\t+3.5E-13\r\n4 , 5\n");
  const auto columns = hd::read_numeric_csv(file, {.columns = 2, .header_lines = 1});
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_EQ(columns[0], (std::vector<double>{0.5, 2.0, 4.0}));
  EXPECT_EQ(columns[1], (std::vector<double>{1e-14, 3.5e-13, 5.0}));
}

TEST_F(CsvFile, BadRowsAreOneLineErrorsNamingFileAndLine) {
  hd::testing::expect_one_line_error(
      [&] { hd::read_numeric_csv(write("1, 2\n3\n"), {.what = "magnetic field file"}); },
      ":2: expected 2 numbers per row in this magnetic field file");
  hd::testing::expect_one_line_error([&] { hd::read_numeric_csv(write("1, 2\n3, x\n"), {}); },
                                     ":2: expected 2 numbers");
  hd::testing::expect_one_line_error([&] { hd::read_numeric_csv(write("1, 2\n3, nan\n"), {}); },
                                     ":2: non-finite value");
  hd::testing::expect_one_line_error([&] { hd::read_numeric_csv(write("1, 2\n1, 3\n"), {}); },
                                     ":2: the first column must increase");
  hd::testing::expect_one_line_error([&] { hd::read_numeric_csv(write("1, 2\n"), {}); },
                                     "needs at least 2 rows, has 1");
  hd::testing::expect_one_line_error([&] { hd::read_numeric_csv("/no/such/file.csv", {.what = "curve"}); },
                                     "/no/such/file.csv: cannot open curve");
}

TEST(Interpolate, IsLinearInsideAndClampedOutside) {
  const std::vector<double> x{0.0, 1.0, 3.0}, y{1.0, 3.0, -1.0};
  EXPECT_DOUBLE_EQ(hd::interpolate_clamped(x, y, 0.5), 2.0);
  EXPECT_DOUBLE_EQ(hd::interpolate_clamped(x, y, 2.0), 1.0);
  EXPECT_DOUBLE_EQ(hd::interpolate_clamped(x, y, 1.0), 3.0);
  EXPECT_DOUBLE_EQ(hd::interpolate_clamped(x, y, -5.0), 1.0);
  EXPECT_DOUBLE_EQ(hd::interpolate_clamped(x, y, 9.0), -1.0);
  const hd::Bracket b = hd::bracket(x, 2.5);
  EXPECT_EQ(b.i, 1u);
  EXPECT_DOUBLE_EQ(b.w, 0.75);
}

struct Small {
  double size;
};
struct Large {
  double size;
  int count;
};
using Thing = std::variant<Small, Large>;

const hd::config::ModelFamily<Thing, double> things{
    {"small", [](const hd::config::Table& t,
                 const double& scale) { return Thing{Small{scale * t.get_double_or("size", 1.0)}}; }},
    {"large", [](const hd::config::Table& t, const double&) {
       return Thing{Large{t.get_double("size"), static_cast<int>(t.get_int_or("count", 2))}};
     }}};

TEST(ModelFamily, DispatchesOnTheNameAndReadsThatModelsKeys) {
  auto doc = hd::config::Document::parse("model = \"large\"\nsize = 4.0\n", "things.toml");
  const Thing t = things.read(doc.root(), "model", "small", 10.0);
  ASSERT_TRUE(std::holds_alternative<Large>(t));
  EXPECT_EQ(std::get<Large>(t).count, 2);
  doc.root().finish();

  auto fallback = hd::config::Document::parse("size = 3.0\n", "things.toml");
  EXPECT_DOUBLE_EQ(std::get<Small>(things.read(fallback.root(), "model", "small", 10.0)).size, 30.0);
  EXPECT_EQ(things.names(), (std::vector<std::string>{"small", "large"}));
}

TEST(ModelFamily, AnUnknownNameListsTheFamily) {
  auto doc = hd::config::Document::parse("model = \"huge\"\n", "things.toml");
  hd::testing::expect_one_line_error([&] { things.read(doc.root(), "model", "small", 1.0); },
                                     "things.toml:1: model = \"huge\" is not one of: small, large");
}

TEST(Shuffle, IsAPermutationFixedByTheStream) {
  std::vector<int> a(100), b;
  for (int i = 0; i < 100; ++i) a[static_cast<std::size_t>(i)] = i;
  b = a;
  hd::RngStream r1(5, 1), r2(5, 1);
  hd::shuffle(std::span(a), r1);
  hd::shuffle(std::span(b), r2);
  EXPECT_EQ(a, b);
  auto sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 100; ++i) EXPECT_EQ(sorted[static_cast<std::size_t>(i)], i);
  EXPECT_NE(a[0] + 100 * a[1], 0 + 100 * 1);
}

}  // namespace
