// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/output.hpp"

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include <filesystem>

namespace hd::hallsim {
namespace {

std::string units_of(const std::filesystem::path& file, const std::string& dataset) {
  H5::H5File h5(file.string(), H5F_ACC_RDONLY);
  H5::Attribute a = h5.openDataSet(dataset).openAttribute("units");
  std::string units;
  a.read(a.getStrType(), units);
  return units;
}

TEST(HallsimOutput, WritesProfilesScalarsSeriesWithUnitsAndReadsThemBack) {
  Result r;
  r.z_m = {0.001, 0.002, 0.003};
  r.average["ne"] = {"m^-3", {1e17, 2e17, 3e17}};
  r.scalars["discharge_current_a"] = {"A", 8.2};
  r.scalars["thrust_n"] = {"N", 0.1};
  r.scalars["anode_efficiency"] = {"1", 0.45};
  r.series["time_s"] = {"s", {0.0, 1e-6}};
  r.series["discharge_current_a"] = {"A", {8.0, 8.4}};
  r.series["thrust_n"] = {"N", {0.09, 0.11}};
  const auto file = std::filesystem::temp_directory_path() / "hallsim_output_test.h5";
  write_result(file, r, "[domain]\nnum_cells = 3\n", "test");
  EXPECT_EQ(read_dataset(file, "/z"), r.z_m);
  EXPECT_EQ(read_dataset(file, "/average/ne"), r.average["ne"].values);
  EXPECT_EQ(read_scalar(file, "/scalars/discharge_current_a"), 8.2);
  EXPECT_EQ(read_dataset(file, "/series/thrust_n"), r.series["thrust_n"].values);
  EXPECT_EQ(units_of(file, "/average/ne"), "m^-3");
  EXPECT_EQ(units_of(file, "/scalars/thrust_n"), "N");
  EXPECT_EQ(units_of(file, "/scalars/anode_efficiency"), "1");
  EXPECT_EQ(units_of(file, "/series/discharge_current_a"), "A");
  EXPECT_EQ(units_of(file, "/series/time_s"), "s");
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace hd::hallsim
