// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/wall_loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hd/common/error.hpp"
#include "hd/hallsim/constants.hpp"

namespace hd::hallsim {
namespace {

// Singly charged xenon at Te = 10 eV, ne = 1e18 m^-3, SPT-100 channel width, BNSiO2:
// gamma = 0.54 + 1.5 * 10/40 * 0.46 = 0.7125 (below the space-charge cap 0.983),
// nu_ew = h sqrt(e Te / m) / (dr (1 - gamma)) = 3.0205e5 s^-1, phi_s = 40.273 V,
// W = nu_ew (2 Te + (1 - gamma) phi_s) = 9.5383e6 eV/s (values worked out by hand from
// docs/physics.md section 4; 1e-4 relative covers their rounding).
WallPlasma xenon_plasma(double z_m) {
  const double m = 131.293 * constants::atomic_mass_unit_kg;
  WallPlasma p;
  p.z_m = z_m;
  p.channel_length_m = 0.025;
  p.channel_width_m = 0.05 - 0.0345;
  p.te_ev = 10.0;
  p.ne_m3 = 1e18;
  p.ion_wall_flux_moment = 1e18 / std::sqrt(m);
  p.mean_ion_mass_kg = m;
  return p;
}

TEST(HallsimWallLoss, WallSheathMatchesTheHandWorkedChannelValues) {
  const WallRates r = wall_rates(WallSheath{}, xenon_plasma(0.01));
  EXPECT_NEAR(r.momentum_frequency_hz, 302049.5, 1e-4 * 302049.5);
  EXPECT_NEAR(r.energy_loss_rate_hz, 9538295.9 / 15.0, 1e-4 * 9538295.9 / 15.0);
}

TEST(HallsimWallLoss, WallSheathHasNoMomentumLossInThePlumeAndScalesItsPower) {
  WallSheath sheath;
  sheath.plume_loss_scale = 0.5;
  const WallRates r = wall_rates(sheath, xenon_plasma(0.04));
  EXPECT_EQ(r.momentum_frequency_hz, 0.0);
  EXPECT_NEAR(r.energy_loss_rate_hz, 0.5 * 9538295.9 / 15.0, 1e-4 * 9538295.9 / 15.0);
}

// LANDMARK: W / eps = 1e7 alpha exp(-20 / eps) and 1e7 s^-1 momentum frequency in the channel.
TEST(HallsimWallLoss, ConstantSheathPotentialIsTheLandmarkForm) {
  ConstantSheathPotential landmark;
  landmark.alpha_inside = 0.5;
  const WallRates r = wall_rates(landmark, xenon_plasma(0.01));
  EXPECT_NEAR(r.energy_loss_rate_hz, 1e7 * 0.5 * std::exp(-20.0 / 15.0), 1e-9);
  EXPECT_EQ(r.momentum_frequency_hz, 1e7);
  EXPECT_EQ(wall_rates(landmark, xenon_plasma(0.04)).momentum_frequency_hz, 0.0);
}

// The slope the energy step linearizes with, d(W/eps)/dln Te, against a centred difference
// (relative step 1e-5: truncation ~1e-10, rounding ~1e-11 of the rate) below the SEE cap
// (10 eV), above it (40 eV: gamma = 0.983 for xenon) and for the LANDMARK model.
TEST(HallsimWallLoss, LossRateSlopeMatchesACentredDifference) {
  const auto centred = [](const WallLoss& model, WallPlasma p) {
    const double te = p.te_ev, h = 1e-5;
    p.te_ev = te * (1.0 + h);
    const double up = wall_rates(model, p).energy_loss_rate_hz;
    p.te_ev = te * (1.0 - h);
    const double down = wall_rates(model, p).energy_loss_rate_hz;
    return (up - down) / (std::log1p(h) - std::log1p(-h));
  };
  ConstantSheathPotential landmark;
  for (const WallLoss& model : {WallLoss{WallSheath{}}, WallLoss{landmark}}) {
    for (const double te : {10.0, 40.0}) {
      WallPlasma p = xenon_plasma(0.01);
      p.te_ev = te;
      const WallRates r = wall_rates(model, p);
      const double expected = centred(model, p);
      EXPECT_NEAR(r.energy_loss_rate_log_slope_hz, expected, 1e-6 * std::abs(expected) + 1e-9)
          << "model " << model.index() << ", Te " << te;
      EXPECT_GT(r.energy_loss_rate_log_slope_hz, 0.0);
    }
  }
}

// The node-array form (the one the solver calls, vectorized) gives every node what the
// single-node form gives: channel, transition and plume nodes, below and above the SEE cap.
// (Its logarithm may come from a vector library: agreement to round-off, not bit for bit.)
TEST(HallsimWallLoss, NodeArraysGiveTheSingleNodeRates) {
  const std::vector<double> z{0.01, 0.024, 0.025, 0.026, 0.04};
  const std::vector<double> te{10.0, 40.0, 25.0, 5.0, 3.0};
  WallSheath sheath;
  sheath.plume_loss_scale = 0.5;
  ConstantSheathPotential landmark;
  landmark.alpha_outside = 0.2;
  for (const WallLoss& model : {WallLoss{sheath}, WallLoss{landmark}, WallLoss{NoWallLosses{}}}) {
    std::vector<double> ne, moment, mass;
    for (std::size_t i = 0; i < z.size(); ++i) {
      const WallPlasma p = xenon_plasma(z[i]);
      ne.push_back(p.ne_m3 * (1.0 + 0.1 * static_cast<double>(i)));
      moment.push_back(p.ion_wall_flux_moment);
      mass.push_back(p.mean_ion_mass_kg);
    }
    std::vector<double> loss(z.size(), -1.0), momentum(z.size(), -1.0), slope(z.size(), -1.0);
    const WallPlasma reference = xenon_plasma(0.0);
    wall_rates(model, {z, te, ne, moment, mass, reference.channel_length_m, reference.channel_width_m},
               {loss, momentum, slope});
    for (std::size_t i = 0; i < z.size(); ++i) {
      WallPlasma p = xenon_plasma(z[i]);
      p.te_ev = te[i];
      p.ne_m3 = ne[i];
      const WallRates r = wall_rates(model, p);
      const auto near = [](double expected) { return 1e-13 * std::abs(expected); };
      EXPECT_NEAR(loss[i], r.energy_loss_rate_hz, near(r.energy_loss_rate_hz)) << "node " << i;
      EXPECT_NEAR(momentum[i], r.momentum_frequency_hz, near(r.momentum_frequency_hz)) << "node " << i;
      EXPECT_NEAR(slope[i], r.energy_loss_rate_log_slope_hz, near(r.energy_loss_rate_log_slope_hz))
          << "node " << i;
    }
  }
}

TEST(HallsimWallLoss, UnknownMaterialIsAnErrorListingTheChoices) {
  EXPECT_THROW(wall_material("Graphite"), Error);
}

}  // namespace
}  // namespace hd::hallsim
