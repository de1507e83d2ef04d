// SPDX-License-Identifier: GPL-3.0-or-later
// The posterior problem of a trained model, without the network: scalar functionals
// against hand values, the operator built from an observation file against the values it
// must reproduce, and the physical summary of samples.
#include "hd/inverse/functionals.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "hd/inverse/methods.hpp"
#include "hd/inverse/problem.hpp"
#include "hd/inverse/sample_file.hpp"
#include "hd/testing/errors.hpp"

namespace hd::inverse {
namespace {

constexpr double kE = 1.602176634e-19;
constexpr ThrusterConstants kSpt100{.channel_area_m2 = 4.115e-3, .ion_mass_kg = 2.1801716e-25};

torch::Tensor row(std::initializer_list<double> values) {
  return torch::tensor(std::vector<double>(values), torch::kFloat64).unsqueeze(0);
}

// I_d = e A mean_z(sum_Z Z n_Z u_Z - n_e u_e) on 3 cells; the electron flux varies along z
// so that the mean matters.
TEST(Functionals, DischargeCurrentIsTheMeanCurrentThroughTheCrossSection) {
  const Profiles p{{"ne", row({1e18, 1e18, 1e18})},   {"ue", row({-1e5, -2e5, -3e5})},
                   {"ni_1", row({9e17, 9e17, 9e17})}, {"ui_1", row({1.5e4, 1.5e4, 1.5e4})},
                   {"ni_2", row({5e16, 5e16, 5e16})}, {"ui_2", row({2e4, 2e4, 2e4})}};
  // Electrons: 1e18 * 2e5 = 2e23 on average; ions: 1.35e22 + 2 * 1e21 = 1.55e22 (m^-2 s^-1).
  const double expected = kE * 4.115e-3 * (2e23 + 1.55e22);
  EXPECT_NEAR(discharge_current(p, 4.115e-3).item<double>(), expected, 1e-12 * expected);
  EXPECT_NEAR(expected, 142.1, 0.1);
}

// A charge state counts only with both its density and its velocity.
TEST(Functionals, ChargeStatesWithoutTheirVelocityDoNotCount) {
  const Profiles p{{"ne", row({1e17})},
                   {"ue", row({-1e5})},
                   {"ni_1", row({1e17})},
                   {"ui_1", row({1e4})},
                   {"ni_2", row({1e20})}};
  EXPECT_NEAR(discharge_current(p, 1.0).item<double>(), kE * (1e22 + 1e21), 1e-9);
}

// T = A m (n u^2 |exit - n u^2 |anode): 3e17 ions at 16 km/s leave, 1e18 at -500 m/s
// reach the anode, so the backflow's momentum is subtracted.
TEST(Functionals, ThrustIsTheIonMomentumFluxOutOfTheExitMinusTheAnode) {
  const Profiles p{{"ni_1", row({1e18, 5e17, 3e17})}, {"ui_1", row({-500.0, 8e3, 1.6e4})}};
  const double exit = 3e17 * 1.6e4 * 1.6e4, anode = 1e18 * 500.0 * 500.0;
  const double expected = 4.115e-3 * 2.1801716e-25 * (exit - anode);
  EXPECT_NEAR(thrust(p, kSpt100).item<double>(), expected, 1e-12 * expected);
  EXPECT_NEAR(expected, 0.0687, 1e-4);
}

// A model of ne (log) and ui_1, ni_1, ue (linear) on 4 cells of 2 cm, with the discharge
// current as a generated label.
ModelSpace space() {
  ModelSpace s;
  s.channels = {"ne", "ui_1", "ni_1", "ue"};
  s.fields = {s.channels,
              {40.0, 1e4, 40.0, -1e5},
              {2.0, 2e4, 2.0, 3e5},
              {true, false, true, false},
              {"m^-3", "m/s", "m^-3", "m/s"}};
  s.labels = {"discharge_voltage_v", "discharge_current_a"};
  s.label_normalization = {s.labels, {400.0, 1.5}, {200.0, 1.0}, {false, true}, {"V", "A"}};
  s.z_m = {0.01, 0.03, 0.05, 0.07};
  s.joint_labels = true;
  return s;
}

// One image [1, 6, 4] from physical profiles (ne, ui_1, ni_1, ue) and label values.
torch::Tensor image_of(const ModelSpace& s, const std::vector<std::vector<double>>& physical,
                       const std::vector<double>& labels) {
  auto x = torch::zeros({1, 6, 4}, torch::kFloat64);
  for (std::size_t c = 0; c < 4; ++c)
    for (std::size_t i = 0; i < 4; ++i) x[0][c][i] = s.fields.forward(c, physical[c][i]);
  for (std::size_t l = 0; l < 2; ++l) x[0][4 + l].fill_(s.label_normalization.forward(l, labels[l]));
  return x;
}

TEST(Functionals, DerivativeThroughTheDenormalizationMatchesFiniteDifferences) {
  const auto s = space();
  const auto x0 = image_of(s,
                           {{1e18, 2e18, 1e18, 5e17},
                            {1e3, 5e3, 1.2e4, 1.6e4},
                            {9e17, 1e18, 9e17, 4e17},
                            {-1e5, -2e5, -3e5, -4e5}},
                           {300.0, 4.0});
  auto x = x0.clone().requires_grad_(true);
  const auto f = [&](const torch::Tensor& image) {
    return discharge_current(physical_profiles(image, s, {"ne", "ue", "ni_1", "ui_1"}), 4.115e-3);
  };
  const auto gradient = torch::autograd::grad({f(x).sum()}, {x})[0];
  // Central differences with h = 1e-6 normalized units: truncation ~h^2, far below 1e-6.
  for (const auto& [c, i] : std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 0}, {3, 3}}) {
    auto plus = x0.clone(), minus = x0.clone();
    plus[0][c][i] += 1e-6;
    minus[0][c][i] -= 1e-6;
    const double numeric = (f(plus) - f(minus)).item<double>() / 2e-6;
    EXPECT_NEAR(gradient[0][c][i].item<double>(), numeric, 1e-6 * std::abs(numeric)) << c << ", " << i;
  }
  EXPECT_EQ(gradient[0][4].abs().sum().item<double>(), 0.0);  // labels do not enter
}

MappedObservation mapped(const ModelSpace& s, const std::string& text) {
  return map_observation(read_observation_file(config::Document::parse(text, "obs.toml")), s);
}

// The operator of an observation file reproduces, on an image of known profiles, the
// values the file would hold for them: interpolated points of a linear profile exactly,
// the label's constant channel, and the discharge current computed from the profiles.
TEST(Problem, OperatorReproducesTheMeasurementsOfKnownProfiles) {
  auto s = space();
  s.joint_labels = false;
  const std::vector<std::vector<double>> physical{
      {1e18, 1e18, 1e18, 1e18}, {1e3, 5e3, 9e3, 1.3e4}, {9e17, 9e17, 9e17, 9e17}, {-1e5, -1e5, -1e5, -1e5}};
  auto x = image_of(space(), physical, {300.0, 4.0}).slice(1, 0, 4);
  const auto m = mapped(s, R"(
[params]
discharge_voltage_v = 300.0
[fields.ui_1]
x = [0.02, 0.065]
y = [3000.0, 12000.0]
stddev = 100.0
[scalars.discharge_current_a]
value = 4.0
stddev = 0.2
)");
  const auto problem = build_problem(m, s, kSpt100);
  ASSERT_TRUE(problem.observation.has_value());
  EXPECT_FALSE(problem.observation->is_linear());
  const auto predicted = (*problem.observation)(x)[0];
  // ui_1 is linear in z (2e5 m/s per m), so interpolation is exact.
  EXPECT_NEAR(predicted[0].item<double>(), (3000.0 - 1e4) / 2e4, 1e-12);
  EXPECT_NEAR(predicted[1].item<double>(), (12000.0 - 1e4) / 2e4, 1e-12);
  const double current = kE * 4.115e-3 * (1e18 * 1e5 + 9e17 * (1e3 + 5e3 + 9e3 + 1.3e4) / 4.0);
  EXPECT_NEAR(predicted[2].item<double>(), current, 1e-9 * current);
  EXPECT_TRUE(torch::allclose(
      problem.y, torch::tensor({(3000.0 - 1e4) / 2e4, (12000.0 - 1e4) / 2e4, 4.0}, torch::kFloat64)));
  EXPECT_TRUE(torch::allclose(problem.observation->noise_std(),
                              torch::tensor({100.0 / 2e4, 100.0 / 2e4, 0.2}, torch::kFloat64)));
  EXPECT_TRUE(torch::equal(problem.label_mask, torch::tensor({1.0f, 0.0f})));
  EXPECT_FLOAT_EQ(problem.label_values[0].item<float>(), -0.5f);
}

TEST(Problem, LabelChannelIsObservedThroughItsMeanAndSnappedPointsSuitReplacement) {
  const auto s = space();
  const auto m = mapped(s, R"(
[fields.ui_1]
x = [0.02]
y = [3000.0]
stddev = 100.0
[scalars.discharge_current_a]
value = 4.0
stddev = 0.2
)");
  const auto interpolated = build_problem(m, s, kSpt100);
  ASSERT_TRUE(interpolated.observation->is_linear());
  const auto& h = interpolated.observation->matrix();
  EXPECT_DOUBLE_EQ(h[0][4 + 0].item<double>(), 0.5);  // halfway between the first two ui_1 centres
  EXPECT_DOUBLE_EQ(h[0][4 + 1].item<double>(), 0.5);
  EXPECT_TRUE(torch::allclose(h[1].slice(0, 20, 24), torch::full({4}, 0.25, torch::kFloat64)));
  EXPECT_EQ(h[1].sum().item<double>(), 1.0);
  testing::expect_one_line_error([&] { Replacement(*interpolated.observation, interpolated.y); },
                                 "replacement");

  // Replacement needs single grid values: the nearest centre of each point (0.021 m is
  // nearest to 0.03 m, cell 1), and no label channel means.
  const auto points = mapped(s, "[fields.ui_1]\nx = [0.021]\ny = [3000.0]\nstddev = 100.0\n");
  const auto snapped = build_problem(points, s, kSpt100, /*snap_to_cells=*/true);
  EXPECT_DOUBLE_EQ(snapped.observation->matrix()[0][4 + 1].item<double>(), 1.0);
  sampler::Step step;
  step.sigma_hat = 1.0;
  step.sigma_next = 0.5;
  EXPECT_NO_THROW(Replacement(*snapped.observation, snapped.y).after_step(torch::zeros({2, 6, 4}), step));
}

TEST(Problem, NothingMeasuredMeansNoObservation) {
  const auto problem =
      build_problem(mapped(space(), "[params]\ndischarge_voltage_v = 300.0\n"), space(), kSpt100);
  EXPECT_FALSE(problem.observation.has_value());
  EXPECT_EQ(problem.y.numel(), 0);
}

TEST(SampleFile, QuantilesInterpolateBetweenOrderStatistics) {
  Quantity q{"thrust_n", "N", 2, {}};
  for (int i = 100; i >= 0; --i) {  // column 0: 0..100, column 1: 0..200
    q.values.push_back(i);
    q.values.push_back(2.0 * i);
  }
  const auto out = quantiles(q);
  const std::vector<double> expected{5, 10, 25, 50, 50, 100, 75, 150, 95, 190};
  for (std::size_t k = 0; k < expected.size(); ++k) EXPECT_NEAR(out[k], expected[k], 1e-12) << k;
  Quantity two{"x", "1", 1, {1.0, 3.0}};
  EXPECT_NEAR(quantiles(two)[0], 1.1, 1e-12);  // position 0.05 between the two draws
}

TEST(SampleFile, PhysicalSamplesHoldProfilesUnknownLabelsAndComputedScalars) {
  const auto s = space();
  const std::vector<std::vector<double>> physical{
      {1e18, 1e18, 1e18, 1e18}, {1e3, 5e3, 9e3, 1.3e4}, {9e17, 9e17, 9e17, 9e17}, {-1e5, -1e5, -1e5, -1e5}};
  const auto x = torch::cat({image_of(s, physical, {300.0, 4.0}), image_of(s, physical, {250.0, 5.0})});
  const auto out = physical_samples(x, s, {true, false}, kSpt100);
  ASSERT_EQ(out.profiles.size(), 4u);
  EXPECT_EQ(out.profiles[1].name, "ui_1");
  EXPECT_EQ(out.profiles[1].units, "m/s");
  EXPECT_EQ(out.profiles[1].count(), 2);
  EXPECT_NEAR(out.profiles[1].values[6], 9e3, 1e-9);
  EXPECT_NEAR(out.profiles[0].values[0], 1e18, 1e6);
  // The unknown label (the discharge current) from its channel; then the computed scalars,
  // renamed where a generated label has their name.
  ASSERT_EQ(out.scalars.size(), 3u);
  EXPECT_EQ(out.scalars[0].name, "discharge_current_a");
  EXPECT_NEAR(out.scalars[0].values[1], 5.0, 1e-12);
  EXPECT_EQ(out.scalars[1].name, "discharge_current_from_profiles_a");
  EXPECT_EQ(out.scalars[1].units, "A");
  EXPECT_EQ(out.scalars[2].name, "thrust_n");
}

}  // namespace
}  // namespace hd::inverse
