// SPDX-License-Identifier: GPL-3.0-or-later
// Simulations of given values (sample's posterior predictive check): given parameters
// reach their hallsim keys, the others are the prior's draws for the seed, and the given
// anomalous profile replaces the transport table whole.
#include "hd/datagen/given.hpp"

#include <gtest/gtest.h>

#include <variant>

#include "hd/prior/prior.hpp"
#include "hd/testing/errors.hpp"

namespace hd::datagen {
namespace {

DataConfig small() {
  return load_data_config("tests/datagen/data/small.toml");
}

TEST(Given, ParametersReachTheirKeysAndTheProfileReplacesTheTransport) {
  const auto config = small();
  const GivenValues values{.parameters = {{"discharge_voltage_v", 250.0}, {"magnetic_field_scale", 0.8}},
                           .z_m = {0.0, 0.04, 0.08},
                           .c = {0.01, 0.002, 0.05},
                           .seed = 7};
  const auto s = configure_given(config, values);
  EXPECT_DOUBLE_EQ(s.config.discharge_voltage_v, 250.0);
  EXPECT_DOUBLE_EQ(s.config.magnetic_field_scale, 0.8);
  const auto* profile = std::get_if<hallsim::MultiLogBohm>(&s.config.anomalous_transport);
  ASSERT_NE(profile, nullptr);
  EXPECT_EQ(profile->z_m, values.z_m);
  EXPECT_EQ(profile->c, values.c);
  // The rest are the prior's draws of the seed: the cathode coupling voltage among them.
  const auto drawn = prior::draw_parameters(config.prior, 7, 0);
  const auto vcc = *config.prior.index_of("cathode_coupling_voltage_v");
  EXPECT_DOUBLE_EQ(s.config.cathode_coupling_voltage_v, drawn[vcc]);
  EXPECT_EQ(s.drawn, (std::vector<std::string>{"anode_mass_flow_rate_kg_s", "cathode_coupling_voltage_v",
                                               "neutral_velocity_m_s", "wall_loss_scale"}));
  EXPECT_TRUE(s.ignored.empty());
  EXPECT_EQ(anomalous_transport_table(config), "anomalous_transport");
}

// The predictive check reruns a failed simulation as gen_data does: the retry's numerics
// come last, and only on the retry.
TEST(Given, TheRetryTakesTheDataConfigsRetryNumerics) {
  const auto config =
      load_data_config("tests/datagen/data/small.toml",
                       {"simulation.retry_overrides=[\"numerics.cfl=0.3\", \"numerics.ssp_stages=3\"]"});
  const GivenValues values{.parameters = {}, .z_m = {0.0, 0.08}, .c = {0.01, 0.02}, .seed = 3};
  const auto first = configure_given(config, values);
  const auto retry = configure_given(config, values, Attempt::retry);
  EXPECT_NE(first.config.cfl, 0.3);
  EXPECT_DOUBLE_EQ(retry.config.cfl, 0.3);
  EXPECT_EQ(retry.config.ssp_stages, 3);
  EXPECT_DOUBLE_EQ(retry.config.discharge_voltage_v, first.config.discharge_voltage_v);
}

TEST(Given, UnknownParameterOrRaggedProfileIsAnErrorNamingTheDataConfig) {
  const auto config = small();
  testing::expect_one_line_error(
      [&] {
        configure_given(config, {.parameters = {{"thrust_n", 0.08}}, .z_m = {0.0, 0.08}, .c = {0.1, 0.1}});
      },
      "small.toml: has no parameter thrust_n");
  testing::expect_one_line_error(
      [&] {
        configure_given(config, {.parameters = {}, .z_m = {0.0, 0.08}, .c = {0.1}});
      },
      "one c per node");
}

}  // namespace
}  // namespace hd::datagen
