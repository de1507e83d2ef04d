// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/normalize/metadata.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "hd/testing/errors.hpp"

namespace hd::normalize {
namespace {

namespace fs = std::filesystem;

class MetadataFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hd_normalize_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  std::string read(const std::string& name) const {
    std::ostringstream s;
    s << std::ifstream(dir_ / name).rdbuf();
    return s.str();
  }
  fs::path dir_;
};

// Doubles whose shortest decimal forms are long or extreme: 1/3, an ulp above 1,
// a subnormal, the largest finite, and a typical ln B mean.
Normalization awkward_fields() {
  return {{"B", "ui_1", "phi", "∇pe"},
          {-5.5100000000000007, 1.0 / 3.0, std::nextafter(1.0, 2.0), -1.7976931348623157e308},
          {0.1, 4.9406564584124654e-324, 17901.123456789012, 2.0 / 3.0},
          {true, false, false, false},
          {"T", "m/s", "V", "eV m^-4"}};
}

Metadata awkward_metadata() {
  Metadata m;
  m.target_std = 0.5;
  m.fields = awkward_fields();
  m.params = {{"background_pressure_torr", "discharge_voltage_v"},
              {std::log(1e-5), 400.0},
              {2.0 * std::log(10.0), 115.47005383792516},
              {true, false},
              {"Torr", "V"}};
  return m;  // no scalars: an empty group round-trips too
}

// Bit-exact: the same 64 bits, not merely equal to some tolerance.
void expect_same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(a[i]), std::bit_cast<std::uint64_t>(b[i]))
        << a[i] << " vs " << b[i];
  }
}

void expect_same(const Normalization& a, const Normalization& b, bool with_units = true) {
  EXPECT_EQ(a.names, b.names);
  expect_same_bits(a.mean, b.mean);
  expect_same_bits(a.std, b.std);
  EXPECT_EQ(a.log, b.log);
  if (with_units) {
    EXPECT_EQ(a.units, b.units);
  }
}

TEST_F(MetadataFiles, JsonRoundTripIsBitExact) {
  const Metadata m = awkward_metadata();
  write_json(dir_ / "normalization.json", m);
  const Metadata back = read_json(dir_ / "normalization.json");
  expect_same_bits({m.target_std}, {back.target_std});
  expect_same(m.fields, back.fields);
  expect_same(m.params, back.params);
  expect_same(m.scalars, back.scalars);
  EXPECT_NE(read("normalization.json").find("\"format\": \"hall_diffusion.normalization/1\""),
            std::string::npos);
}

TEST_F(MetadataFiles, CsvRoundTripIsBitExactAndHasTheReferenceLayout) {
  write_csv(dir_ / "norm_data.csv", awkward_fields());
  expect_same(read_csv(dir_ / "norm_data.csv"), awkward_fields(), false);
  EXPECT_EQ(read_csv(dir_ / "norm_data.csv").units, (std::vector<std::string>(4, "")));
  const std::string text = read("norm_data.csv");
  EXPECT_EQ(text.substr(0, text.find('\n')), "Field,Mean,Std,Log");
  EXPECT_NE(text.find("\nB,-5.5100000000000007,0.10000000000000001,true\n"), std::string::npos) << text;
}

TEST_F(MetadataFiles, CsvReadsTheReferenceCodesOutput) {
  // As Julia writes it: shortest floats, Unicode names.
  const auto path = write("norm_params.csv",
                          "Field,Mean,Std,Log\nbackground_pressure_torr,-11.5,4.6,true\n"
                          "∇pe,13454.0,1.0e-5,false\n");
  const Normalization n = read_csv(path);
  EXPECT_EQ(n.names, (std::vector<std::string>{"background_pressure_torr", "∇pe"}));
  EXPECT_EQ(n.mean, (std::vector<double>{-11.5, 13454.0}));
  EXPECT_EQ(n.std, (std::vector<double>{4.6, 1e-5}));
  EXPECT_EQ(n.log, (std::vector<bool>{true, false}));
}

TEST_F(MetadataFiles, MalformedJsonGivesOneLineNamingTheFileAndEntry) {
  write_json(dir_ / "good.json", awkward_metadata());
  const std::string good = read("good.json");
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return write("bad.json", text.replace(at, from.size(), to)).string();
  };
  const auto expect_error = [](const std::string& path, const std::string& needle) {
    testing::expect_one_line_error([&] { read_json(path); }, path + ": " + needle);
  };
  expect_error(write("bad.json", good.substr(0, good.size() / 2)).string(), "not valid JSON");
  expect_error(replaced("\"std\": 0.1,", ""), "fields[0] has no `std`");
  expect_error(replaced("\"mean\": -5.510000000000001", "\"mean\": null"),
               "fields[0] `mean` must be of type number, not null");
  expect_error(replaced("\"mean\": -5.510000000000001", "\"mean\": NaN"), "not valid JSON");
  expect_error(replaced("\"std\": 0.1", "\"std\": -1"),
               "fields: entry 0 (B): std = -1 must be finite and positive");
  expect_error(replaced("\"log\": false", "\"log\": 0"), "fields[1] `log` must be of type boolean");
  expect_error(replaced("\"ui_1\"", "\"B\""), "fields: entry 1 (B) repeats the name B");
  expect_error(replaced("\"target_std\": 0.5", "\"target_std\": 0.0"), "target_std = 0");
  expect_error(replaced("normalization/1", "normalization/2"),
               "format is \"hall_diffusion.normalization/2\"");
  expect_error(replaced("\"params\"", "\"parameters\""), "has no `params`");
  testing::expect_one_line_error([&] { read_json(dir_ / "missing.json"); }, "missing.json: cannot open");
}

TEST_F(MetadataFiles, MalformedCsvGivesOneLineNamingTheFileAndLine) {
  const auto expect_error = [&](const std::string& rows, const std::string& needle) {
    const auto path = write("bad.csv", "Field,Mean,Std,Log\nB,-5.5,0.4,true\n" + rows);
    testing::expect_one_line_error([&] { read_csv(path); }, path.string() + ":" + needle);
  };
  expect_error("phi,1.0,2.0\n", "3: expected 4 columns (Field,Mean,Std,Log), got 3");
  expect_error("phi,1.0,-1,false\n", "3: phi: std = -1 must be finite and positive");
  expect_error("phi,nan,2.0,false\n", "3: phi: mean = nan is not finite");
  expect_error("phi,NaN,2.0,false\n", "3: phi: mean = nan is not finite");
  expect_error("phi,1.0,abc,false\n", "3: Std of phi is \"abc\", not a number");
  expect_error("phi,1.0,2.0,yes\n", "3: Log of phi is \"yes\"");
  expect_error("\nB,1.0,2.0,false\n", "4: B appears twice");
  const auto headerless = write("headerless.csv", "B,-5.5,0.4,true\n");
  testing::expect_one_line_error([&] { read_csv(headerless); }, "headerless.csv:1: the header must be");
}

TEST_F(MetadataFiles, InvalidMetadataIsNotWritten) {
  Metadata m = awkward_metadata();
  m.params.mean[1] = std::numeric_limits<double>::quiet_NaN();
  testing::expect_one_line_error([&] { write_json(dir_ / "n.json", m); },
                                 "params: entry 1 (discharge_voltage_v): mean");
  EXPECT_FALSE(fs::exists(dir_ / "n.json"));
  Normalization comma = awkward_fields();
  comma.names[0] = "B,T";
  testing::expect_one_line_error([&] { write_csv(dir_ / "n.csv", comma); }, "cannot be written to CSV");
  EXPECT_FALSE(fs::exists(dir_ / "n.csv"));
}

}  // namespace
}  // namespace hd::normalize
