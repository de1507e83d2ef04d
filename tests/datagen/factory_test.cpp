// SPDX-License-Identifier: GPL-3.0-or-later
// The simulation factory: simulation k's hallsim config is the base with its drawn values
// at their keys, its row is exactly what hallsim computed, and failures are rows too.
#include "hd/datagen/factory.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <variant>

#include "hd/common/error.hpp"
#include "hd/common/interpolate.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

#include "datagen_test_support.hpp"

namespace hd::datagen {
namespace {

namespace fs = std::filesystem;

std::size_t param(const SimulationFactory& f, const std::string& name) {
  return *f.config().prior.index_of(name);
}

std::size_t channel(const SimulationFactory& f, const std::string& name) {
  const auto& c = f.layout().channels;
  return static_cast<std::size_t>(std::find(c.begin(), c.end(), name) - c.begin());
}

TEST(SimulationFactory, SimulationKIsAFunctionOfTheSeedAndTheIndexOnly) {
  const SimulationFactory a(test::small_config(), 5), b(test::small_config(), 5),
      other(test::small_config(), 6);
  dataset::RawRow first = a.run(3), again = b.run(3);
  EXPECT_EQ(first.seed, a.simulation_seed(3));
  EXPECT_EQ(first.params, a.parameters(3));
  again.wall_time_s = first.wall_time_s;
  EXPECT_EQ(first, again);
  EXPECT_NE(a.parameters(3), a.parameters(4));
  EXPECT_NE(a.parameters(3), other.parameters(3));
  EXPECT_NE(a.simulation_seed(3), other.simulation_seed(3));
}

// Values are written with the shortest text that reads back exactly, so hallsim gets the
// drawn double itself.
TEST(SimulationFactory, DrawnValuesReachTheirHallsimKeysExactly) {
  const SimulationFactory f(test::small_config(), 11);
  const auto c = f.configure(3);
  const auto& v = c.parameters;
  EXPECT_EQ(c.config.discharge_voltage_v, v[param(f, "discharge_voltage_v")]);
  EXPECT_EQ(c.config.cathode_coupling_voltage_v, v[param(f, "cathode_coupling_voltage_v")]);
  EXPECT_EQ(c.config.magnetic_field_scale, v[param(f, "magnetic_field_scale")]);
  ASSERT_EQ(c.config.propellants.size(), 1u);
  EXPECT_EQ(c.config.propellants[0].anode_mass_flow_rate_kg_s, v[param(f, "anode_mass_flow_rate_kg_s")]);
  EXPECT_EQ(c.config.propellants[0].neutral_velocity_m_s, v[param(f, "neutral_velocity_m_s")]);
  EXPECT_EQ(std::get<hallsim::WallSheath>(c.config.wall_loss).loss_scale, v[param(f, "wall_loss_scale")]);
  // The fixed overrides of [simulation].
  EXPECT_EQ(c.config.num_cells, 24u);
  EXPECT_EQ(c.config.duration_s, 4e-5);
  // The profile: the prior's draw from the simulation's own seed, nodes in metres.
  const prior::AnomalousProfileSampler sampler(f.config().anomalous_profile->model);
  const auto& model = std::get<hallsim::MultiLogBohm>(c.config.anomalous_transport);
  EXPECT_EQ(model.c, sampler.draw(prior::shape_from_parameters(f.config().prior, v), c.seed, 0));
  ASSERT_EQ(model.z_m.size(), 256u);
  EXPECT_EQ(model.z_m.front(), 0.0);
  EXPECT_DOUBLE_EQ(model.z_m.back(), 3.0 * 0.025);  // 3 channel lengths of 2.5 cm
  EXPECT_NE(c.toml.find("multi_log_bohm"), std::string::npos);
}

// The row is hallsim's result itself: the chosen averaged profiles (float32), the scalars,
// the series interpolated onto the uniform times.
TEST(SimulationFactory, ARowHoldsWhatHallsimComputedInPhysicalUnits) {
  const SimulationFactory f(test::small_config(), 2);
  const dataset::RawRow row = f.run(2);
  ASSERT_EQ(row.status, 0) << row.reason;
  EXPECT_TRUE(row.reason.empty());
  hallsim::Simulation simulation(f.configure(2).config);
  const hallsim::Result r = simulation.run();
  const auto& l = f.layout();
  ASSERT_EQ(l.z_m, r.z_m);
  ASSERT_EQ(row.fields.size(), l.channels.size() * 24);
  for (std::size_t c = 0; c < l.channels.size(); ++c) {
    EXPECT_EQ(l.channel_units[c], r.average.at(l.channels[c]).units);
    for (std::size_t i = 0; i < 24; ++i)
      EXPECT_EQ(row.fields[c * 24 + i], static_cast<float>(r.average.at(l.channels[c]).values[i]))
          << l.channels[c];
  }
  for (std::size_t s = 0; s < l.scalar_names.size(); ++s)
    EXPECT_EQ(row.scalars[s], r.scalars.at(l.scalar_names[s]).value);
  ASSERT_EQ(l.series_time_s.size(), 16u);
  EXPECT_EQ(l.series_time_s.front(), 2e-5);
  EXPECT_DOUBLE_EQ(l.series_time_s.back(), 4e-5);
  for (std::size_t j = 0; j < 16; ++j) {
    EXPECT_EQ(row.series[j], static_cast<float>(interpolate_clamped(r.series.at("time_s").values,
                                                                    r.series.at("discharge_current_a").values,
                                                                    l.series_time_s[j])));
    EXPECT_EQ(row.series[16 + j],
              static_cast<float>(interpolate_clamped(r.series.at("time_s").values,
                                                     r.series.at("thrust_n").values, l.series_time_s[j])));
  }
  // The magnetic field channel is the drawn scale times the thruster's profile.
  const dataset::RawRow other = f.run(5);
  const std::size_t b = channel(f, "B");
  const double scale2 = row.params[param(f, "magnetic_field_scale")];
  const double scale5 = other.params[param(f, "magnetic_field_scale")];
  for (std::size_t i = 0; i < 24; ++i)
    EXPECT_NEAR(row.fields[b * 24 + i] / scale2, other.fields[b * 24 + i] / scale5,
                1e-6 * row.fields[b * 24 + i] / scale2);
}

TEST(SimulationFactory, AFailedSimulationIsARowWithItsReasonParametersAndZeros) {
  const SimulationFactory f(
      test::small_config({"simulation.overrides=[\"domain.num_cells=24\", \"simulation.duration_s=4e-5\", "
                          "\"simulation.average_start_time_s=2e-5\", \"simulation.max_steps=5\"]"}),
      1);
  const dataset::RawRow row = f.run(1);
  EXPECT_EQ(status_names().at(static_cast<std::size_t>(row.status)), "step_limit");
  EXPECT_NE(row.reason.find("step limit of 5"), std::string::npos) << row.reason;
  EXPECT_EQ(row.params, f.parameters(1));
  EXPECT_TRUE(std::all_of(row.fields.begin(), row.fields.end(), [](float v) { return v == 0.0f; }));
  EXPECT_TRUE(std::all_of(row.scalars.begin(), row.scalars.end(), [](double v) { return v == 0.0; }));
  EXPECT_TRUE(std::all_of(row.series.begin(), row.series.end(), [](float v) { return v == 0.0f; }));
  EXPECT_EQ(row.fields.size(), f.layout().field_size());
}

// The small config's overrides and then `extra`, as one simulation.overrides setting.
std::string overrides_with(const std::string& extra) {
  return "simulation.overrides=[\"domain.num_cells=24\", \"simulation.duration_s=4e-5\", "
         "\"simulation.average_start_time_s=2e-5\", \"simulation.num_save=40\", " +
         extra + "]";
}

// A forced step far above the stability limits fails the first attempt; the retry's
// numerics are the default step bounds, so its row is the one a plain run computes.
TEST(SimulationFactory, ANumericalFailureIsRunAgainWithTheRetryNumerics) {
  const std::string forced = "\"numerics.min_dt_s=2e-7\", \"numerics.max_dt_s=2e-7\"";
  const std::string sane = "\"numerics.min_dt_s=1e-10\", \"numerics.max_dt_s=1e-7\"";
  const SimulationFactory failing(test::small_config({overrides_with(forced)}), 3);
  const dataset::RawRow failed = failing.run(2);
  ASSERT_NE(failed.status, static_cast<std::int8_t>(SimulationStatus::ok));
  EXPECT_EQ(failed.reason.find("retry"), std::string::npos) << failed.reason;

  const SimulationFactory retried(
      test::small_config(
          {overrides_with(forced),
           "simulation.retry_overrides=[\"numerics.min_dt_s=1e-10\", \"numerics.max_dt_s=1e-7\"]"}),
      3);
  const SimulationFactory plain(test::small_config({overrides_with(sane)}), 3);
  const dataset::RawRow row = retried.run(2);
  const dataset::RawRow reference = plain.run(2);
  ASSERT_EQ(row.status, static_cast<std::int8_t>(SimulationStatus::ok)) << row.reason;
  ASSERT_EQ(reference.status, static_cast<std::int8_t>(SimulationStatus::ok)) << reference.reason;
  EXPECT_EQ(row.fields, reference.fields);
  EXPECT_EQ(row.scalars, reference.scalars);
  EXPECT_EQ(row.params, reference.params);
  EXPECT_EQ(row.reason, "ok on a retry with numerics.min_dt_s=1e-10, numerics.max_dt_s=1e-7 (first attempt " +
                            status_names().at(static_cast<std::size_t>(failed.status)) + ": " +
                            failed.reason + ")");
  EXPECT_TRUE(reference.reason.empty()) << reference.reason;
}

// Only failures of the integration are retried: a step limit would only come sooner.
TEST(SimulationFactory, AStepLimitIsNotRetried) {
  const SimulationFactory f(test::small_config({overrides_with("\"simulation.max_steps=5\""),
                                                "simulation.retry_overrides=[\"numerics.cfl=0.3\"]"}),
                            1);
  const dataset::RawRow row = f.run(1);
  EXPECT_EQ(status_names().at(static_cast<std::size_t>(row.status)), "step_limit");
  EXPECT_EQ(row.reason.find("retry"), std::string::npos) << row.reason;
}

// A prior wider than hallsim's range: simulation 0 configures, a later draw below 0 V is
// refused by hallsim and recorded, not thrown.
TEST(SimulationFactory, ADrawHallsimRefusesIsAnInvalidInputRow) {
  const DataConfig config = test::small_config({"params.cathode_coupling_voltage_v.min=-50.0"});
  const prior::Prior& prior = config.prior;
  const std::size_t vcc = *prior.index_of("cathode_coupling_voltage_v");
  // The first seed whose simulation 0 draws a valid voltage (1 in 2 do).
  std::optional<SimulationFactory> factory;
  for (std::uint64_t seed = 0; !factory && seed < 64; ++seed) {
    try {
      factory.emplace(config, seed);
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("found configuring simulation 0"), std::string::npos) << e.what();
    }
  }
  ASSERT_TRUE(factory.has_value());
  const SimulationFactory& probe = *factory;
  ASSERT_GE(probe.parameters(0)[vcc], 0.0);
  std::int64_t refused = 1;
  while (probe.parameters(refused)[vcc] >= 0.0) ++refused;
  const dataset::RawRow row = probe.run(refused);
  EXPECT_EQ(status_names().at(static_cast<std::size_t>(row.status)), "invalid_input");
  EXPECT_NE(row.reason.find("params.cathode_coupling_voltage_v.sets"), std::string::npos) << row.reason;
  EXPECT_NE(row.reason.find("out of range"), std::string::npos) << row.reason;
  EXPECT_EQ(row.params[vcc], probe.parameters(refused)[vcc]);
}

// A parameter's units are part of its definition in the data config, stored with it.
TEST(SimulationFactory, ParameterUnitsComeFromTheConfig) {
  const SimulationFactory f(test::small_config(), 5);
  const auto& layout = f.layout();
  ASSERT_EQ(layout.param_units.size(), layout.param_names.size());
  EXPECT_EQ(layout.param_units[param(f, "discharge_voltage_v")], "V");
  EXPECT_EQ(layout.param_units[param(f, "anode_mass_flow_rate_kg_s")], "kg/s");
  EXPECT_EQ(layout.param_units[param(f, "wall_loss_scale")], "1");
}

TEST(SimulationFactory, StatusNamesAreTheCodesInOrder) {
  EXPECT_EQ(status_names().front(), "ok");
  EXPECT_EQ(status_names().at(static_cast<std::size_t>(SimulationStatus::invalid_input)), "invalid_input");
  EXPECT_EQ(status_names().size(), static_cast<std::size_t>(SimulationStatus::internal_error) + 1);
}

}  // namespace
}  // namespace hd::datagen
