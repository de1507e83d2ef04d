// SPDX-License-Identifier: GPL-3.0-or-later
// From physical measurements to the model's normalized space: linear channels exactly, log
// channels to first order, names and positions checked against the model.
#include "hd/inverse/model_space.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hd/testing/errors.hpp"

namespace hd::inverse {
namespace {

// A model of four profiles on 8 cells of 1 cm (centres 5, 15, ..., 75 mm), conditioned on
// the discharge voltage and current, which it also generates (joint labels).
ModelSpace space(bool joint_labels = true) {
  ModelSpace s;
  s.channels = {"ne", "ui_1", "ni_1", "ue"};
  s.fields = {s.channels,
              {40.0, 1e4, 40.0, -1e5},
              {2.0, 2e4, 2.0, 3e5},
              {true, false, true, false},
              {"m^-3", "m/s", "m^-3", "m/s"}};
  s.labels = {"discharge_voltage_v", "discharge_current_a"};
  s.label_normalization = {s.labels, {400.0, 1.5}, {200.0, 1.0}, {false, true}, {"V", "A"}};
  for (int i = 0; i < 8; ++i) s.z_m.push_back(0.005 + 0.01 * i);
  s.joint_labels = joint_labels;
  return s;
}

MappedObservation map(const std::string& text, bool joint_labels = true) {
  return map_observation(read_observation_file(config::Document::parse(text, "obs.toml")),
                         space(joint_labels));
}

// A linear channel maps exactly: y_n = (y - mean)/std, s_n = s/std; a relative error
// is r|y| first.
TEST(ModelSpace, LinearChannelMapsExactlyWithAbsoluteAndRelativeErrors) {
  const auto n = space().fields;
  const auto a = normalize_measurement(n, 1, 15000.0, 500.0, ErrorType::absolute);
  EXPECT_DOUBLE_EQ(a.value, (15000.0 - 1e4) / 2e4);
  EXPECT_DOUBLE_EQ(a.noise_std, 500.0 / 2e4);
  const auto r = normalize_measurement(n, 1, -4000.0, 0.05, ErrorType::relative);
  EXPECT_DOUBLE_EQ(r.value, (-4000.0 - 1e4) / 2e4);
  EXPECT_DOUBLE_EQ(r.noise_std, 0.05 * 4000.0 / 2e4);
}

// A log channel maps its value exactly and its noise to first order in s/y:
// s_n = s/(y std), so a relative error r is s_n = r/std whatever y.
TEST(ModelSpace, LogChannelMapsNoiseToFirstOrder) {
  const auto n = space().fields;
  const double y = 3e17, s = 3e15;  // 1 %
  const auto a = normalize_measurement(n, 0, y, s, ErrorType::absolute);
  EXPECT_DOUBLE_EQ(a.value, (std::log(y) - 40.0) / 2.0);
  EXPECT_DOUBLE_EQ(a.noise_std, 0.01 / 2.0);
  const auto r = normalize_measurement(n, 0, 7e18, 0.01, ErrorType::relative);
  EXPECT_DOUBLE_EQ(r.noise_std, 0.01 / 2.0);
  // Against the exact half-width of the mapped interval: (ln(y+s) - ln(y-s))/(2 std)
  // differs from s/(y std) at third order, (s/y)^3/3 relative: 3e-5 at 1 %.
  const double exact = (std::log(y + s) - std::log(y - s)) / (2.0 * 2.0);
  EXPECT_NEAR(a.noise_std / exact, 1.0, 1e-4);
}

TEST(ModelSpace, MeasurementsRoundTripThroughTheNormalization) {
  const auto n = space().fields;
  for (std::size_t c : {0, 1}) {
    const double y = c == 0 ? 2.5e18 : -1234.5, s = c == 0 ? 1e17 : 77.0;
    const auto there = normalize_measurement(n, c, y, s, ErrorType::absolute);
    const auto back = physical_measurement(n, c, there.value, there.noise_std);
    EXPECT_NEAR(back.value, y, 1e-12 * std::abs(y));
    EXPECT_NEAR(back.noise_std, s, 1e-12 * s);
  }
}

TEST(ModelSpace, MapsFieldsParametersAndLabelScalars) {
  const auto m = map(R"(
[params]
discharge_voltage_v = 300.0
[fields.ui_1]
x = [0.005, 0.02]
y = [1e4, 3e4]
stddev = 500.0
[fields.ne]
x = [0.0]
y = [1e18]
stddev = 0.1
error_type = "relative"
[scalars.discharge_current_a]
value = 4.5
stddev = 0.2
)");
  EXPECT_EQ(m.label_known, (std::vector<bool>{true, false}));
  EXPECT_DOUBLE_EQ(m.label_values[0], (300.0 - 400.0) / 200.0);
  EXPECT_DOUBLE_EQ(m.label_values[1], 0.0);
  ASSERT_EQ(m.points.size(), 4u);
  // ne first (name order); x = 0 is in the domain (its edge) and observed at the first centre.
  EXPECT_EQ(m.points[0].channel, 0u);
  EXPECT_DOUBLE_EQ(m.points[0].z_m, 0.005);
  EXPECT_DOUBLE_EQ(m.points[0].noise_std, 0.05);
  EXPECT_EQ(m.points[2].channel, 1u);
  EXPECT_DOUBLE_EQ(m.points[2].z_m, 0.02);
  EXPECT_DOUBLE_EQ(m.points[2].value, 1.0);
  EXPECT_DOUBLE_EQ(m.points[2].noise_std, 0.025);
  // The discharge current is a generated label: its constant channel after the profiles.
  EXPECT_EQ(m.points[3].channel, 5u);
  EXPECT_TRUE(m.points[3].channel_mean);
  EXPECT_DOUBLE_EQ(m.points[3].value, std::log(4.5) - 1.5);
  EXPECT_DOUBLE_EQ(m.points[3].noise_std, 0.2 / 4.5);
  EXPECT_TRUE(m.functionals.empty());
  ASSERT_EQ(m.notes.size(), 1u);
  EXPECT_NE(m.notes[0].find("observed at that centre"), std::string::npos);
}

TEST(ModelSpace, ScalarTheModelDoesNotGenerateIsComputedFromTheProfiles) {
  const auto m = map("[scalars.discharge_current_a]\nvalue = 4.5\nstddev = 0.2\n", /*joint_labels=*/false);
  ASSERT_EQ(m.functionals.size(), 1u);
  EXPECT_EQ(m.functionals[0].functional, Functional::discharge_current);
  EXPECT_DOUBLE_EQ(m.functionals[0].value, 4.5);
  EXPECT_DOUBLE_EQ(m.functionals[0].noise_std, 0.2);
  EXPECT_TRUE(m.points.empty());
  EXPECT_EQ(functional_channels(Functional::thrust, space()), (std::vector<std::string>{"ni_1", "ui_1"}));
}

TEST(ModelSpace, NormalizedValuesAndTheDefaultStddevPassThrough) {
  const auto m = map(R"(
stddev = 0.03
[fields.ui_1]
x = "all"
y = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
normalized = true
[fields.ne]
x = [0.03]
y = [1e18]
)");
  ASSERT_EQ(m.points.size(), 9u);
  EXPECT_DOUBLE_EQ(m.points[0].value, (std::log(1e18) - 40.0) / 2.0);
  EXPECT_DOUBLE_EQ(m.points[0].noise_std, 0.03);  // normalized already, as the reference reads it
  EXPECT_DOUBLE_EQ(m.points[8].z_m, 0.075);
  EXPECT_DOUBLE_EQ(m.points[8].value, 0.8);
  EXPECT_DOUBLE_EQ(m.points[8].noise_std, 0.03);
}

void expect_error(const std::string& text, const std::string& needle, bool joint_labels = true) {
  testing::expect_one_line_error([&] { map(text, joint_labels); }, needle);
}

TEST(ModelSpace, FileThatDoesNotFitTheModelIsAnErrorNamingFileLineAndKey) {
  expect_error("[fields.Te]\nx = [0.01]\ny = [10.0]\nstddev = 1.0\n",
               "obs.toml:1: fields.Te: the model has no channel Te (its channels: ne, ui_1, ni_1, ue)");
  expect_error("[fields.ui_1]\nx = [0.01, 0.0805]\ny = [1.0, 2.0]\nstddev = 1.0\n",
               "obs.toml:2: fields.ui_1.x[1] = 0.0805 m lies outside the model's domain [0, 0.08] m");
  expect_error(
      "[params]\nneutral_velocity_m_s = 300.0\n",
      "obs.toml:2: params.neutral_velocity_m_s: the model does not know the parameter neutral_velocity_m_s");
  expect_error("[scalars.anode_efficiency]\nvalue = 0.5\nstddev = 0.01\n",
               "scalars.anode_efficiency: the model can neither generate nor compute anode_efficiency");
  expect_error("[scalars.discharge_voltage_v]\nvalue = 300\nstddev = 1\n",
               "does not generate it (joint_labels = false): give it under [params]", /*joint_labels=*/false);
  expect_error("[fields.ne]\nx = [0.01]\ny = [-1e17]\nstddev = 1e16\n",
               "fields.ne.y[0] = -1e+17: ne is modelled in log space and needs positive values");
  expect_error("[fields.ui_1]\nx = \"all\"\ny = [1.0, 2.0]\nstddev = 1.0\n",
               "fields.ui_1.x = \"all\" needs one y per cell centre: the model has 8, y has 2");
  expect_error(
      "[params]\ndischarge_current_a = 4.0\n[scalars.discharge_current_a]\nvalue = 4.5\nstddev = 0.2\n",
      "is also given under [params]");
}

TEST(ModelSpace, ScalarNeedingChannelsTheModelLacksIsAnErrorNamingThem) {
  ModelSpace s = space(false);
  s.channels = {"ne", "ui_1", "ni_1"};
  s.fields = {s.channels, {40.0, 1e4, 40.0}, {2.0, 2e4, 2.0}, {true, false, true}, {"m^-3", "m/s", "m^-3"}};
  const auto file = read_observation_file(
      config::Document::parse("[scalars.discharge_current_a]\nvalue = 4.5\nstddev = 0.2\n", "obs.toml"));
  testing::expect_one_line_error([&] { map_observation(file, s); }, "which the model lacks: ue");
}

}  // namespace
}  // namespace hd::inverse
