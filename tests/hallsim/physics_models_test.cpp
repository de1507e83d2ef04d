// SPDX-License-Identifier: GPL-3.0-or-later
// The hallsim II formulas of docs/physics.md against values worked out by hand: background
// gas and ingestion (section 5.3), the Gaussian and pressure-shifted transport profiles
// (section 3), the Braginskii conductivity (6.5), plume expansion (6.8).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "hd/common/config.hpp"
#include "hd/hallsim/constants.hpp"
#include "hd/hallsim/physics/anomalous_transport.hpp"
#include "hd/hallsim/physics/background_gas.hpp"
#include "hd/hallsim/physics/conductivity.hpp"
#include "hd/hallsim/physics/plume.hpp"
#include "hd/testing/errors.hpp"

namespace hd::hallsim {
namespace {

constexpr double l_ch = 0.025;
const double xenon_mass_kg = 131.293 * constants::atomic_mass_unit_kg;

// [anomalous_transport] of `toml` read for the SPT-100 channel.
AnomalousTransport anomalous(const std::string& toml) {
  const auto doc = hd::config::Document::parse("[anomalous_transport]\n" + toml, "anomalous.toml");
  const AnomalousTransport model =
      read_anomalous_transport(doc.root().table("anomalous_transport"), Geometry{});
  doc.root().finish();
  return model;
}

// 1 Torr = 101325/760 Pa = 133.3224 Pa.
TEST(HallsimBackgroundGas, PressureInTorrIsConvertedToPascalsOnce) {
  const auto doc = hd::config::Document::parse(
      "[background_gas]\npressure_torr = 1e-5\ntemperature_k = 300.0\ningestion_scale = 0.5\n", "gas.toml");
  const BackgroundGas gas = read_background_gas(doc.root().table("background_gas"));
  EXPECT_NEAR(gas.pressure_pa, 1.3332237e-3, 1e-9);
  EXPECT_EQ(gas.temperature_k, 300.0);
  EXPECT_EQ(gas.ingestion_scale, 0.5);
  const auto defaults = hd::config::Document::parse("[background_gas]\n", "gas.toml");
  const BackgroundGas none = read_background_gas(defaults.root().table("background_gas"));
  EXPECT_EQ(none.pressure_pa, 0.0);
  EXPECT_EQ(none.temperature_k, 100.0);
  EXPECT_EQ(none.ingestion_scale, 1.0);
}

// docs/physics.md section 5.3: Xe at 1e-5 Torr and 100 K through the SPT-100 channel
// (A = 4.1147e-3 m^2): n_B = 9.6565e17 m^-3, c_B = 126.99 m/s, so
// mdot = m n_B c_B / 4 A = 2.7501e-8 kg/s per unit f_n; linear in f_n and in p_B.
TEST(HallsimBackgroundGas, IngestedFlowIsTheScaledOneSidedThermalFlux) {
  const double area = constants::pi * (0.05 * 0.05 - 0.0345 * 0.0345);
  BackgroundGas gas{1e-5 * constants::pascal_per_torr, 100.0, 1.0};
  EXPECT_NEAR(ingested_mass_flow_kg_s(gas, xenon_mass_kg, area), 2.7501e-8, 1e-4 * 2.7501e-8);
  gas.ingestion_scale = 0.0467;
  EXPECT_NEAR(ingested_mass_flow_kg_s(gas, xenon_mass_kg, area), 0.0467 * 2.7501e-8, 1e-4 * 2.7501e-8);
  gas.pressure_pa = 0.0;
  EXPECT_EQ(ingested_mass_flow_kg_s(gas, xenon_mass_kg, area), 0.0);
}

// c = hall_max [1 - (1 - hall_min) exp(-x^2/2)]: hall_max hall_min at the centre,
// hall_max (1 - (1 - hall_min) e^-1/2) one width away, hall_max far away.
TEST(HallsimAnomalousTransport, GaussianBohmTroughIsAFractionOfItsMaximum) {
  const AnomalousTransport m = anomalous(
      "model = \"gaussian_bohm\"\nhall_min = 0.1\nhall_max = 0.07\ncenter_m = 0.025\nwidth_m = 0.005\n");
  const AnomalousContext at{l_ch, 0.0};
  EXPECT_NEAR(anomalous_coefficient(m, 0.025, at), 0.007, 1e-15);
  EXPECT_NEAR(anomalous_coefficient(m, 0.030, at), 0.07 * (1.0 - 0.9 * std::exp(-0.5)), 1e-15);
  EXPECT_NEAR(anomalous_coefficient(m, 0.020, at), 0.07 * (1.0 - 0.9 * std::exp(-0.5)), 1e-15);
  EXPECT_NEAR(anomalous_coefficient(m, 0.08, at), 0.07, 1e-10);
}

// Lengths in channel lengths: the trough at center L_ch is anom_scale (1 - barrier_scale).
TEST(HallsimAnomalousTransport, ScaledGaussianBohmIsInChannelLengths) {
  const AnomalousTransport m = anomalous("model = \"scaled_gaussian_bohm\"\nwidth = 0.2\ncenter = 1.2\n");
  const AnomalousContext at{l_ch, 0.0};
  EXPECT_NEAR(anomalous_coefficient(m, 1.2 * l_ch, at), 0.0625 * 0.1, 1e-15);  // defaults 0.0625, 0.9
  EXPECT_NEAR(anomalous_coefficient(m, 1.4 * l_ch, at), 0.0625 * (1.0 - 0.9 * std::exp(-0.5)), 1e-15);
}

// The reference code's SPT-100 baseline shift (z0 = -0.17682, dz = 0.3594, p* = 4.735361e-5
// Torr, alpha = 15): at p_B = 0, L_ch (z0 + dz (alpha - 1)/alpha) = 3.9655 mm, not zero; at
// 1e-5 Torr, L_ch [z0 + dz / (1 + 14^(2 * 0.21118 - 1))] = 2.9579 mm.
TEST(HallsimAnomalousTransport, LogisticPressureShiftMatchesHandValuesAndIsNotZeroAtZeroPressure) {
  LogisticPressureShift m;
  m.z0 = -0.17682;
  m.dz = 0.3594;
  m.pressure_star_pa = 4.735361e-5 * constants::pascal_per_torr;
  m.alpha = 15.0;
  EXPECT_NEAR(pressure_shift_m(m, {l_ch, 0.0}), 3.9655e-3, 1e-9);
  EXPECT_NEAR(pressure_shift_m(m, {l_ch, 1e-5 * constants::pascal_per_torr}), 2.9579046e-3, 1e-9);
}

// dz_shift / (L_ch shift_length) = -[1/(1 + e^(-2 (r - 1))) - 1/(1 + e^2)] with r = p_B/p_mid:
// 0 at r = 0, -0.3807971 at r = 1, -0.7615942 at r = 2, towards -0.8807971.
TEST(HallsimAnomalousTransport, SimpleLogisticShiftIsZeroAtZeroPressureAndMovesUpstream) {
  SimpleLogisticShift m;
  m.shift_length = 0.25;
  const double p_mid = m.pressure_mid_pa;
  EXPECT_NEAR(p_mid, 25e-6 * 133.3224, 1e-8);
  EXPECT_EQ(pressure_shift_m(m, {l_ch, 0.0}), 0.0);
  EXPECT_NEAR(pressure_shift_m(m, {l_ch, p_mid}), -0.380797078 * 0.25 * l_ch, 1e-11);
  EXPECT_NEAR(pressure_shift_m(m, {l_ch, 2.0 * p_mid}), -0.761594156 * 0.25 * l_ch, 1e-11);
  EXPECT_NEAR(pressure_shift_m(m, {l_ch, 100.0 * p_mid}), -0.880797078 * 0.25 * l_ch, 1e-11);
}

// The wrapper evaluates its base at z - dz_shift; config pressures are in Torr.
TEST(HallsimAnomalousTransport, ShiftWrappersMoveTheirBaseProfile) {
  const AnomalousTransport m = anomalous(
      "model = \"simple_logistic_shift\"\nshift_length = 0.4\n"
      "[anomalous_transport.base]\nmodel = \"gaussian_bohm\"\nhall_min = 0.1\nhall_max = 0.07\n"
      "center_m = 0.025\nwidth_m = 0.005\n");
  const auto& shift = std::get<SimpleLogisticShift>(m.model());
  EXPECT_NEAR(shift.pressure_mid_pa, 25e-6 * constants::pascal_per_torr, 1e-12);
  const AnomalousContext at{l_ch, 2.0 * shift.pressure_mid_pa};
  const double dz = pressure_shift_m(shift, at);
  EXPECT_LT(dz, 0.0);
  // The trough moved upstream by |dz|.
  EXPECT_NEAR(anomalous_coefficient(m, 0.025 + dz, at), 0.007, 1e-12);
  EXPECT_NEAR(anomalous_coefficient(m, 0.031, at), anomalous_coefficient(*shift.base, 0.031 - dz, at), 1e-15);
  // At zero pressure the simple shift leaves the base where it is.
  EXPECT_EQ(anomalous_coefficient(m, 0.025, {l_ch, 0.0}),
            anomalous_coefficient(*shift.base, 0.025, {l_ch, 0.0}));
}

// ln c linear between nodes: the geometric mean halfway; constant beyond the end nodes.
// Nodes in channel lengths are scaled by L_ch.
TEST(HallsimAnomalousTransport, MultiLogBohmInterpolatesLogLinearlyOnChannelLengthNodes) {
  const AnomalousTransport m = anomalous(
      "model = \"multi_log_bohm\"\nz_channel_lengths = [0.0, 1.0, 2.0]\nc = [0.01, 0.0001, 0.04]\n");
  const auto& nodes = std::get<MultiLogBohm>(m.model());
  EXPECT_NEAR(nodes.z_m[1], l_ch, 1e-15);
  const AnomalousContext at{l_ch, 0.0};
  EXPECT_NEAR(anomalous_coefficient(m, 0.5 * l_ch, at), 0.001, 1e-15);
  EXPECT_NEAR(anomalous_coefficient(m, 1.5 * l_ch, at), 0.002, 1e-15);
  EXPECT_NEAR(anomalous_coefficient(m, -1.0, at), 0.01, 1e-15);
  EXPECT_NEAR(anomalous_coefficient(m, 1.0, at), 0.04, 1e-15);
}

class ProfileFile : public ::testing::Test {
 protected:
  std::string write(const std::string& text) {
    file_ =
        std::filesystem::temp_directory_path() / ("hallsim_profile_" + std::to_string(::getpid()) + ".csv");
    std::ofstream(file_) << text;
    return file_.string();
  }
  void TearDown() override { std::filesystem::remove(file_); }
  std::filesystem::path file_;
};

TEST_F(ProfileFile, MultiLogBohmReadsNodesFromACsvInEitherUnit) {
  const std::string file = write("0.0, 0.02\n1.0, 0.002\n3.0, 0.05\n");
  const AnomalousTransport lengths =
      anomalous("model = \"multi_log_bohm\"\nfile = \"" + file + "\"\nfile_z_units = \"channel_lengths\"\n");
  EXPECT_NEAR(std::get<MultiLogBohm>(lengths.model()).z_m[2], 3.0 * l_ch, 1e-15);
  const AnomalousTransport metres =
      anomalous("model = \"multi_log_bohm\"\nfile = \"" + file + "\"\nfile_z_units = \"m\"\n");
  EXPECT_EQ(std::get<MultiLogBohm>(metres.model()).z_m[2], 3.0);
  EXPECT_EQ(std::get<MultiLogBohm>(metres.model()).c, (std::vector<double>{0.02, 0.002, 0.05}));
}

// Bad input is one line naming the file and the key (docs/hallsim.md).
TEST_F(ProfileFile, BadProfilesAreOneLineErrorsNamingFileAndKey) {
  hd::testing::expect_one_line_error(
      [&] {
        anomalous("model = \"multi_log_bohm\"\nfile = \"" + write("0.0\n1.0\n") +
                  "\"\nfile_z_units = \"m\"\n");
      },
      "anomalous.toml:3: anomalous_transport.file cannot be used: ");
  hd::testing::expect_one_line_error(
      [&] {
        anomalous("model = \"multi_log_bohm\"\nfile = \"" + write("0.0, 0.1\n2.0, 0.1\n1.0, 0.1\n") +
                  "\"\nfile_z_units = \"m\"\n");
      },
      "the first column must increase");
  hd::testing::expect_one_line_error(
      [] { anomalous("model = \"multi_log_bohm\"\nz_m = [0.0, 0.02, 0.01]\nc = [0.1, 0.1, 0.1]\n"); },
      "anomalous.toml:3: anomalous_transport.z_m must increase");
  hd::testing::expect_one_line_error(
      [] {
        anomalous(
            "model = \"multi_log_bohm\"\nz_m = [0.0, 0.02]\nz_channel_lengths = [0.0, 1.0]\nc = [1, 2]\n");
      },
      "needs exactly one of z_m, z_channel_lengths or file");
  hd::testing::expect_one_line_error(
      [] {
        anomalous(
            "model = \"simple_logistic_shift\"\nshift_length = 0.2\n[anomalous_transport.base]\nmodel = "
            "\"magic\"\n");
      },
      "anomalous.toml:5: anomalous_transport.base.model = \"magic\" is not one of: none, bohm");
  hd::testing::expect_one_line_error(
      [] { anomalous("model = \"simple_logistic_shift\"\nshift_length = 0.2\n"); },
      "anomalous_transport.base");
  hd::testing::expect_one_line_error(
      [] {
        anomalous(
            "model = \"logistic_pressure_shift\"\nz0 = 0.0\ndz = 0.1\npressure_star_torr = 1e-5\nalpha = "
            "1.0\n");
      },
      "anomalous.toml:6: anomalous_transport.alpha = 1 is out of range");
}

// C(Z) through 4.66, 4.0, 3.7, 3.6, 3.2 at Z = 1..5, linear between, clamped outside; kappa =
// C mu ne Te.
TEST(HallsimConductivity, BraginskiiCoefficientFollowsTheChargeState) {
  EXPECT_DOUBLE_EQ(braginskii_coefficient(1.0), 4.66);
  EXPECT_DOUBLE_EQ(braginskii_coefficient(2.0), 4.0);
  EXPECT_DOUBLE_EQ(braginskii_coefficient(3.0), 3.7);
  EXPECT_DOUBLE_EQ(braginskii_coefficient(4.0), 3.6);
  EXPECT_DOUBLE_EQ(braginskii_coefficient(5.0), 3.2);
  EXPECT_NEAR(braginskii_coefficient(1.5), 4.33, 1e-14);
  EXPECT_NEAR(braginskii_coefficient(2.25), 3.925, 1e-14);
  EXPECT_DOUBLE_EQ(braginskii_coefficient(0.5), 4.66);
  EXPECT_DOUBLE_EQ(braginskii_coefficient(7.0), 3.2);
  const std::vector<double> mu{2.0}, ne{1e17}, te{10.0}, nu_ei{1e6}, nu{1e7}, z_eff{1.5};
  std::vector<double> kappa(1);
  thermal_conductivity(Braginskii{}, {mu, ne, te, nu_ei, nu, z_eff}, kappa);
  EXPECT_NEAR(kappa[0], 4.33 * 2.0 * 1e17 * 10.0, 1e-12 * kappa[0]);
}

// A constant ion velocity u and exit temperature give a constant tan(delta) = sqrt(5/3 e Te/m)/u
// (here 0.2), so the radii move linearly from the exit node: R_out = 5 cm + 0.2 (z - z_exit),
// R_in = max(0, 3.45 cm - 0.2 (z - z_exit)).
TEST(HallsimPlume, ConstantDivergenceWidensTheRadiiLinearly) {
  const Geometry g;
  const Grid grid = make_even_grid(64, 0.0, 0.08);
  const double te = 20.0;
  const double spread = std::sqrt(5.0 / 3.0 * constants::elementary_charge_c * te / xenon_mass_kg);
  const std::vector<double> u(grid.z_node_m.size(), spread / 0.2);
  FlowArea area = channel_flow_area(grid, g);
  expand_plume(grid, g, {te, xenon_mass_kg, u}, area);
  const std::size_t exit = exit_node(grid, g.channel_length_m);
  EXPECT_LE(grid.z_node_m[exit], g.channel_length_m);
  EXPECT_GT(grid.z_node_m[exit + 1], g.channel_length_m);
  EXPECT_NEAR(area.exit_tan_divergence, 0.2, 1e-12);
  const double channel_area = channel_area_m2(g);
  for (std::size_t i = 0; i <= exit; ++i) {
    EXPECT_EQ(area.area_m2[i], channel_area);
    EXPECT_EQ(area.channel_area_ratio[i], 1.0);
    EXPECT_EQ(area.dlnA_dz_m[i], 0.0);
  }
  for (const std::size_t i : {exit + 1, exit + 10, grid.z_node_m.size() - 1}) {
    const double d = 0.2 * (grid.z_node_m[i] - grid.z_node_m[exit]);
    const double r_out = 0.05 + d, r_in = std::max(0.0, 0.0345 - d);
    const double a = constants::pi * (r_out * r_out - r_in * r_in);
    EXPECT_NEAR(area.area_m2[i], a, 1e-12 * a) << "node " << i;
    EXPECT_NEAR(area.channel_area_ratio[i], channel_area / a, 1e-12) << "node " << i;
    const double a_prev = area.area_m2[i - 1];
    EXPECT_NEAR(area.dlnA_dz_m[i], (a - a_prev) / ((grid.z_node_m[i] - grid.z_node_m[i - 1]) * a), 1e-9);
  }
  // Slow or backward ions: the angle is clamped to 45 degrees and to 0.
  std::vector<double> slow(grid.z_node_m.size(), 1.0);
  expand_plume(grid, g, {te, xenon_mass_kg, slow}, area);
  EXPECT_EQ(area.exit_tan_divergence, 1.0);
  std::vector<double> backward(grid.z_node_m.size(), -1000.0);
  expand_plume(grid, g, {te, xenon_mass_kg, backward}, area);
  EXPECT_EQ(area.exit_tan_divergence, 0.0);
}

}  // namespace
}  // namespace hd::hallsim
