// SPDX-License-Identifier: GPL-3.0-or-later
// Reading a data config: what it means, and every mistake as one line naming the file, the
// entry and the key, before any simulation runs.
#include "hd/datagen/data_config.hpp"

#include <gtest/gtest.h>

#include "hd/datagen/factory.hpp"
#include "hd/testing/errors.hpp"

#include "datagen_test_support.hpp"

namespace hd::datagen {
namespace {

namespace fs = std::filesystem;

using testing::expect_one_line_error;

class DataConfigFile : public ::testing::Test {
 protected:
  // `text` written as a data config file, then read and probed as gen_data does.
  void load(const std::string& text) const {
    const SimulationFactory factory(load_data_config(scratch_.write("data.toml", text)), 0);
  }
  std::string file() const { return (scratch_ / "data.toml").string(); }

  test::ScratchDir scratch_{"data_config_test"};
  std::string text_ = test::small_config_text();
};

TEST_F(DataConfigFile, ReadsTheSimulationThePriorAndTheOutput) {
  const DataConfig c = test::small_config();
  EXPECT_EQ(c.simulation_config.filename(), "spt100_base.toml");
  ASSERT_EQ(c.simulation_overrides.size(), 4u);
  EXPECT_EQ(c.simulation_overrides[0].text, "domain.num_cells=24");
  EXPECT_NE(c.simulation_overrides[0].origin.find("small.toml:5: simulation.overrides[0]"), std::string::npos)
      << c.simulation_overrides[0].origin;
  // Parameters in name order, each with the key it sets; the shape parameters feed the profile.
  ASSERT_EQ(c.prior.parameters.size(), 12u);
  ASSERT_EQ(c.targets.size(), 12u);
  EXPECT_EQ(c.prior.parameters[0].name, "anode_mass_flow_rate_kg_s");
  EXPECT_EQ(c.targets[0].key, "propellants[0].anode_mass_flow_rate_kg_s");
  EXPECT_EQ(c.prior.parameters[1].name, "anom_center");
  EXPECT_TRUE(c.targets[1].key.empty());
  ASSERT_TRUE(c.anomalous_profile.has_value());
  EXPECT_EQ(c.anomalous_profile->table, "anomalous_transport");
  EXPECT_EQ(c.anomalous_profile->model.nodes, 256);
  EXPECT_EQ(c.output.channels, default_channels());
  EXPECT_TRUE(c.output.scalars.empty());
  EXPECT_EQ(c.output.series_frames, 16);
  EXPECT_EQ(c.output.shard_size, 8);
  // Defaults are written into the resolved text, so shards record what was used.
  EXPECT_NE(c.resolved_toml.find("gp_amplitude = 0.5"), std::string::npos);
}

TEST_F(DataConfigFile, AnUnknownKeyNamesTheFileLineAndKey) {
  expect_one_line_error([&] { load(text_ + "shard_sise = 4\n"); },
                        "data.toml:104: unknown key output.shard_sise");
}

TEST_F(DataConfigFile, ASetsKeyHallsimDoesNotKnowNamesTheEntryAndTheKey) {
  const std::string bad =
      test::replaced(text_, "sets = \"wall_loss.loss_scale\"", "sets = \"wall_loss.los_scale\"");
  expect_one_line_error([&] { load(bad); },
                        file() +
                            ":55: params.wall_loss_scale.sets = \"wall_loss.los_scale\": unknown key "
                            "wall_loss.los_scale");
}

TEST_F(DataConfigFile, ASetsTableHallsimDoesNotKnowNamesTheEntryAndTheKey) {
  const std::string bad =
      test::replaced(text_, "\"discharge.cathode_coupling_voltage_v\"", "\"cathode.coupling_v\"");
  expect_one_line_error([&] { load(bad); },
                        "params.cathode_coupling_voltage_v.sets = \"cathode.coupling_v\": "
                        "unknown key cathode");
}

TEST_F(DataConfigFile, AnOverrideHallsimDoesNotKnowNamesTheEntry) {
  const std::string bad = test::replaced(text_, "\"domain.num_cells=24\"", "\"domain.num_cels=24\"");
  expect_one_line_error(
      [&] { load(bad); },
      file() + ":5: simulation.overrides[0] \"domain.num_cels=24\": unknown key domain.num_cels");
}

TEST_F(DataConfigFile, ARetryMayOnlyChangeTheNumerics) {
  const std::string physics = test::replaced(
      text_, "  \"simulation.num_save=40\",\n]",
      "  \"simulation.num_save=40\",\n]\nretry_overrides = [\"discharge.discharge_voltage_v=300\"]");
  expect_one_line_error(
      [&] { load(physics); },
      file() +
          ":11: simulation.retry_overrides[0] \"discharge.discharge_voltage_v=300\": a retry "
          "may only set numerics.* keys");
  // A numerics value hallsim refuses is found before the run, naming the entry.
  const std::string range =
      test::replaced(text_, "  \"simulation.num_save=40\",\n]",
                     "  \"simulation.num_save=40\",\n]\nretry_overrides = [\"numerics.cfl=5.0\"]");
  expect_one_line_error([&] { load(range); }, "simulation.retry_overrides[0] \"numerics.cfl=5.0\"");
}

TEST_F(DataConfigFile, AMissingBaseConfigNamesTheFileAndTheEntry) {
  const std::string bad = test::replaced(text_, "spt100_base.toml\"", "spt100_bass.toml\"");
  expect_one_line_error([&] { load(bad); }, file() + ":4: simulation.config file not found: ");
  expect_one_line_error([&] { load(bad); }, "spt100_bass.toml");
}

TEST_F(DataConfigFile, AParameterWithoutSetsIsRefused) {
  const std::string bad = test::replaced(text_, "sets = \"wall_loss.loss_scale\"", "");
  expect_one_line_error([&] { load(bad); },
                        "params.wall_loss_scale.sets is missing: name the hallsim config key");
}

TEST_F(DataConfigFile, AKeySetTwiceIsRefused) {
  const std::string bad =
      test::replaced(text_, "sets = \"wall_loss.loss_scale\"", "sets = \"discharge.discharge_voltage_v\"");
  expect_one_line_error([&] { load(bad); }, "is set by another parameter too");
}

TEST_F(DataConfigFile, AParameterMayNotMoveTheGridOrTheTimeWindow) {
  const std::string grid =
      test::replaced(text_, "sets = \"wall_loss.loss_scale\"", "sets = \"domain.length_m\"");
  expect_one_line_error([&] { load(grid); },
                        "params.wall_loss_scale.sets = \"domain.length_m\": a parameter may not");
  const std::string time =
      test::replaced(text_, "sets = \"wall_loss.loss_scale\"", "sets = \"simulation.duration_s\"");
  expect_one_line_error([&] { load(time); }, "may not change the grid or the simulated time");
}

TEST_F(DataConfigFile, AShapeParameterFeedsTheProfileNotAKey) {
  const std::string bad =
      test::replaced(text_, "[params.anom_slope]\n", "[params.anom_slope]\nsets = \"x.y\"\n");
  expect_one_line_error([&] { load(bad); }, "params.anom_slope.sets must not be given");
}

TEST_F(DataConfigFile, AChannelHallsimDoesNotWriteIsNamed) {
  expect_one_line_error([&] { load(text_ + "channels = [\"ne\", \"ni_4\"]\n"); },
                        file() + ":104: output.channels: hallsim writes no profile \"ni_4\"");
}

TEST_F(DataConfigFile, AScalarHallsimDoesNotWriteIsNamed) {
  expect_one_line_error([&] { load(text_ + "scalars = [\"thrust_n\", \"thrust_mn\"]\n"); },
                        "output.scalars: hallsim writes no scalar \"thrust_mn\"");
}

TEST_F(DataConfigFile, ADistributionErrorNamesTheParameter) {
  const std::string bad = test::replaced(text_, "min = 200.0\nmax = 600.0", "min = 600.0\nmax = 200.0");
  expect_one_line_error([&] { load(bad); },
                        file() + ":16: params.discharge_voltage_v.max = 200 must be greater than min = 600");
}

TEST_F(DataConfigFile, ReadsTheSplitAndNormalizationTablesForTheLaterSteps) {
  const DataConfig defaults = test::small_config();
  EXPECT_EQ(defaults.split.val_small, 0.002);
  EXPECT_EQ(defaults.split.val_large, 0.1);
  EXPECT_EQ(defaults.normalization.target_std, 0.5);
  const DataConfig c = load_data_config(
      scratch_.write("data.toml", text_ + "\n[split]\nseed = 3\nval_small = 0.01\nval_large = 0.2\n"
                                          "[normalization]\ntarget_std = 0.4\nlog_quantities = [\"ne\"]\n"
                                          "[normalization.outlier_filter]\nthrust_limit_n = 2.0\n"));
  EXPECT_EQ(c.split.seed, 3u);
  EXPECT_EQ(c.split.val_small, 0.01);
  EXPECT_EQ(c.split.val_large, 0.2);
  EXPECT_EQ(c.normalization.target_std, 0.4);
  EXPECT_EQ(c.normalization.log_quantities, std::vector<std::string>{"ne"});
  EXPECT_EQ(c.normalization.outlier_filter.thrust_limit_n, 2.0);
}

// The raw shards record what generation depends on; a rerun of gen_data compares it. The
// later steps' settings must be free to change without invalidating the simulations.
TEST_F(DataConfigFile, TheRecordedGenerationConfigLeavesOutTheSplitAndNormalizationTables) {
  const DataConfig plain = test::small_config();
  const DataConfig with_tables = load_data_config(
      scratch_.write("data.toml", text_ + "\n[split]\nseed = 3\n[normalization]\ntarget_std = 0.4\n"), {});
  EXPECT_EQ(with_tables.resolved_toml.find("[split]"), std::string::npos);
  EXPECT_EQ(with_tables.resolved_toml.find("normalization"), std::string::npos);
  // Equal but for the base config's path, which small_config_text() makes absolute.
  const DataConfig plain_here = load_data_config(scratch_.write("plain.toml", text_));
  EXPECT_EQ(with_tables.resolved_toml, plain_here.resolved_toml);
  EXPECT_NE(plain.resolved_toml.find("[anomalous_profile]"), std::string::npos);
  EXPECT_NE(plain.resolved_toml.find("[params.wall_loss_scale]"), std::string::npos);
  EXPECT_NE(plain.resolved_toml.find("[simulation]"), std::string::npos);
}

TEST_F(DataConfigFile, AMistakeInTheSplitOrNormalizationTableNamesTheFileLineAndKey) {
  expect_one_line_error([&] { load(text_ + "\n[split]\nval_smal = 0.1\n"); },
                        file() + ":106: unknown key split.val_smal");
  expect_one_line_error([&] { load(text_ + "\n[split]\nval_small = 1.5\n"); },
                        file() + ":106: split.val_small = 1.5 is out of range");
  expect_one_line_error([&] { load(text_ + "\n[normalization.outlier_filter]\nthrust_limit = 2.0\n"); },
                        file() + ":106: unknown key normalization.outlier_filter.thrust_limit");
}

}  // namespace
}  // namespace hd::datagen
