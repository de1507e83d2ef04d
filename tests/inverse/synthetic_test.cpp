// SPDX-License-Identifier: GPL-3.0-or-later
// Synthetic measurements for evaluate: the template's positions and noise applied to a
// known state, reproducibly, with the noise the template states.
#include "hd/inverse/synthetic.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hd/testing/errors.hpp"

namespace hd::inverse {
namespace {

ObservationFile templ(const std::string& text) {
  return read_observation_file(config::Document::parse(text, "template.toml"));
}

// ui_1 linear in z (1000 m/s per cm), ne constant 1e17, on three cell centres.
TrueState state() {
  TrueState t;
  t.z_m = {0.01, 0.02, 0.03};
  t.profiles["ui_1"] = {1000.0, 2000.0, 3000.0};
  t.profiles["ne"] = {1e17, 1e17, 1e17};
  t.values["discharge_voltage_v"] = 412.0;
  t.values["discharge_current_a"] = 4.5;
  return t;
}

constexpr const char* kTemplate = R"(
[params]
discharge_voltage_v = 300.0
[fields.ui_1]
x = [0.015, 0.03, 0.05]
y = [0.0, 0.0, 0.0]
stddev = 500.0
[fields.ne]
x = "all"
y = [1.0, 1.0, 1.0]
stddev = 0.1
error_type = "relative"
[scalars.discharge_current_a]
value = 1.0
stddev = 0.2
)";

TEST(SyntheticObservation, TakesTheTruthAtTheTemplatesPositionsWithItsNoise) {
  const auto t = templ(kTemplate);
  const auto truth = state();
  // Over many draws the synthetic values scatter around the truth with the stated std.
  const int draws = 4000;
  double sum[3] = {}, sum_sq[3] = {}, ne_sq = 0.0, current_sq = 0.0;
  for (int k = 0; k < draws; ++k) {
    RngStream rng(7, static_cast<std::uint64_t>(k));
    const auto o = synthesize_observation(t, truth, rng);
    ASSERT_EQ(o.params.size(), 1u);
    EXPECT_EQ(o.params[0].value, 412.0);  // the truth's, not the template's
    const auto& ui = o.fields[1];
    ASSERT_EQ(ui.channel, "ui_1");
    // Linear between centres, constant beyond the last: 1500, 3000, 3000 m/s.
    const double expected[3] = {1500.0, 3000.0, 3000.0};
    for (int i = 0; i < 3; ++i) {
      sum[i] += ui.y[static_cast<std::size_t>(i)] - expected[i];
      sum_sq[i] += std::pow(ui.y[static_cast<std::size_t>(i)] - expected[i], 2);
    }
    ne_sq += std::pow(o.fields[0].y[1] / 1e17 - 1.0, 2);
    current_sq += std::pow(o.scalars[0].value - 4.5, 2);
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_NEAR(sum[i] / draws, 0.0, 4.0 * 500.0 / std::sqrt(draws)) << i;
    EXPECT_NEAR(std::sqrt(sum_sq[i] / draws), 500.0, 0.05 * 500.0) << i;
  }
  EXPECT_NEAR(std::sqrt(ne_sq / draws), 0.1, 0.005);  // relative: 10 % of the true value
  EXPECT_NEAR(std::sqrt(current_sq / draws), 0.2, 0.01);
}

TEST(SyntheticObservation, IsAFunctionOfItsStream) {
  const auto t = templ(kTemplate);
  RngStream a(3, 11), b(3, 11), c(3, 12);
  const auto first = synthesize_observation(t, state(), a), again = synthesize_observation(t, state(), b),
             other = synthesize_observation(t, state(), c);
  EXPECT_EQ(first.fields[1].y, again.fields[1].y);
  EXPECT_NE(first.fields[1].y, other.fields[1].y);
}

TEST(SyntheticObservation, RefusesWhatItCannotSynthesizeByTheTemplatesLine) {
  RngStream rng(0, 0);
  testing::expect_one_line_error([&] { synthesize_observation(templ("[fields.Tev]\nx = [0.01]\ny = [1.0]\nstddev = 1.0\n"), state(), rng); },
                  "template.toml:1: fields.Tev: the held-out data has no channel Tev");
  testing::expect_one_line_error([&] { synthesize_observation(templ("stddev = 0.02\n[fields.ui_1]\nx = [0.01]\ny = [1.0]\n"), state(), rng); },
                  "template.toml:2: fields.ui_1: synthetic measurements need values and stddev in physical units");
  testing::expect_one_line_error([&] { synthesize_observation(templ("[params]\nmagnetic_field_scale = 1.0\n"), state(), rng); },
                  "template.toml:2: params.magnetic_field_scale: the held-out data has no value of "
                  "magnetic_field_scale");
}

}  // namespace
}  // namespace hd::inverse
