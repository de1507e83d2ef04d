// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/config.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "hd/common/error.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

#include "test_support.hpp"

namespace hd::hallsim {
namespace {

// The message of the hd::Error thrown by reading case 1 with `overrides`.
std::string error_with(const std::vector<std::string>& overrides) {
  try {
    Simulation simulation(test::shipped_config("landmark_case1.toml", overrides));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// Case 1's text with one line changed.
std::string with_replaced(const std::string& from, const std::string& to) {
  std::ifstream in(test::source_dir() / "configs" / "hallsim" / "landmark_case1.toml");
  std::stringstream text;
  text << in.rdbuf();
  std::string toml = text.str();
  toml.replace(toml.find(from), from.size(), to);
  // Parsed text has no folder to resolve relative paths against.
  const std::string relative = "../../data/";
  toml.replace(toml.find(relative), relative.size(), (test::source_dir() / "data").string() + "/");
  return toml;
}

std::string error_of(const std::string& toml) {
  try {
    const auto doc = hd::config::Document::parse(toml, "bad.toml");
    read_config(doc.root());
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void expect_mentions(const std::string& message, const std::vector<std::string>& parts) {
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
  for (const auto& p : parts)
    EXPECT_NE(message.find(p), std::string::npos) << "'" << p << "' in: " << message;
}

TEST(HallsimConfig, ShippedLandmarkConfigsReadAndResolve) {
  for (const char* name : {"landmark_case1.toml", "landmark_case2.toml", "landmark_case3.toml"}) {
    const auto doc = hd::config::Document::load(test::source_dir() / "configs" / "hallsim" / name);
    const Config c = read_config(doc.root());
    EXPECT_TRUE(c.landmark);
    EXPECT_EQ(c.num_cells, 200u);
    EXPECT_NE(doc.to_toml().find("discharge_voltage_v"), std::string::npos);
  }
  const auto doc =
      hd::config::Document::load(test::source_dir() / "configs" / "hallsim" / "landmark_case3.toml");
  EXPECT_DOUBLE_EQ(std::get<ConstantSheathPotential>(read_config(doc.root()).wall_loss).alpha_inside, 0.4);
}

TEST(HallsimConfig, UnknownModelNameIsAOneLineErrorNamingFileAndKey) {
  expect_mentions(error_with({"anomalous_transport.model=\"magic\""}),
                  {"--set", "anomalous_transport.model", "two_zone_bohm"});
}

TEST(HallsimConfig, ZeroCellsIsAOneLineErrorNamingFileAndKey) {
  expect_mentions(error_with({"domain.num_cells=0"}), {"--set", "domain.num_cells"});
  expect_mentions(error_of(with_replaced("num_cells = 200", "num_cells = 0")),
                  {"bad.toml:", "domain.num_cells"});
}

TEST(HallsimConfig, MissingRateFileIsAOneLineErrorNamingKeyAndFile) {
  expect_mentions(error_with({"physics.landmark_rates_file=\"missing_rates.csv\""}),
                  {"physics.landmark_rates_file", "missing_rates.csv"});
}

TEST(HallsimConfig, MissingLookupRateFileIsAnErrorNamingTheFile) {
  expect_mentions(error_with({"physics.ionization_model=\"lookup\"",
                              "physics.rates_directory=\"../../data/hallthruster/landmark\""}),
                  {"ionization_Xe_Xe+.dat"});
}

// SSPRK(1,2) does not exist: one stage cannot be second order (and its SSP coefficient
// s-1 would be zero); a stage Courant number above the reference code's cap is refused too.
TEST(HallsimConfig, TimeIntegratorSettingsOutOfRangeAreOneLineErrors) {
  expect_mentions(error_with({"numerics.ssp_stages=1"}), {"--set", "numerics.ssp_stages", "out of range"});
  expect_mentions(error_with({"numerics.cfl=0.9"}), {"--set", "numerics.cfl", "out of range"});
}

TEST(HallsimConfig, UnknownKeyIsAnError) {
  expect_mentions(error_with({"domain.num_cell=100"}), {"domain.num_cell"});
}

TEST(HallsimConfig, NegativeFlowIsAOneLineErrorNamingFileAndKey) {
  expect_mentions(
      error_of(with_replaced("anode_mass_flow_rate_kg_s = 5e-6", "anode_mass_flow_rate_kg_s = -5e-6")),
      {"bad.toml:", "propellants", "anode_mass_flow_rate_kg_s"});
}

TEST(HallsimConfig, UnknownModelNameInAFileNamesTheLine) {
  expect_mentions(error_of(with_replaced("model = \"two_zone_bohm\"", "model = \"two_zone_bhom\"")),
                  {"bad.toml:", "anomalous_transport.model", "two_zone_bhom"});
}

}  // namespace
}  // namespace hd::hallsim
