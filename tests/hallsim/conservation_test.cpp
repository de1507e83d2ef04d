// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "hd/hallsim/collisions/reactions.hpp"
#include "hd/hallsim/simulation/electron_fields.hpp"
#include "hd/hallsim/simulation/heavy_species.hpp"

#include "test_support.hpp"

namespace hd::hallsim {
namespace {

// Advances the heavy species by `steps` SSPRK22 steps (electrons updated in between, as in a
// run) and returns {mass per unit area of the chosen fluids at the end minus at the start,
// the time-integrated boundary inflow of those fluids}, both summed over the stages exactly
// as the scheme applies them.
std::pair<double, double> mass_balance(const Config& c, const std::vector<std::size_t>& fluids, int steps,
                                       double& initial_mass) {
  const Grid grid = make_grid(c.grid, c.num_cells, 0.0, c.domain_length_m, c.geometry.channel_length_m);
  const Chemistry chemistry = build_chemistry(c);
  const FlowArea area = channel_flow_area(grid, c.geometry);
  HeavySpecies heavy(c, grid, chemistry, area);
  ElectronFields electrons(c, grid, chemistry, area);
  const std::size_t size = heavy.state_size();
  std::vector<double> y(size), y1(size), k1(size), k2(size);
  heavy.initial_state(y.data());
  heavy.fill_padded(y.data(), electrons);
  electrons.initialize(heavy);

  const std::size_t n = grid.num_cells();
  const auto mass = [&]() {
    double m = 0.0;
    for (std::size_t f : fluids) {
      for (std::size_t i = 1; i <= n; ++i) m += heavy.rho(f)[i] * grid.dz_m[i];
    }
    return m;
  };
  const auto inflow = [&]() {
    double sum = 0.0;
    for (std::size_t f : fluids) sum += heavy.boundary_mass_flux(f)[0] - heavy.boundary_mass_flux(f)[1];
    return sum;
  };
  initial_mass = mass();
  double boundary_inflow = 0.0;
  for (int step = 0; step < steps; ++step) {
    const StabilityLimits lim = heavy.stability_limits(c.cfl, electrons);
    const double dt = std::min({lim.cfl_s, lim.field_s, c.max_dt_s});
    // Each stage as in Simulation: ghosts, then the fields of the stage state, then f.
    const auto stage = [&](const std::vector<double>& state, std::vector<double>& f) {
      heavy.fill_padded(state.data(), electrons);
      electrons.update_fields(heavy);
      heavy.rhs(electrons, f.data());
    };
    stage(y, k1);
    const double f1 = inflow();
    for (std::size_t j = 0; j < size; ++j) y1[j] = y[j] + dt * k1[j];
    stage(y1, k2);
    const double f2 = inflow();
    for (std::size_t j = 0; j < size; ++j) y[j] = 0.5 * (y[j] + y1[j] + dt * k2[j]);
    boundary_inflow += 0.5 * dt * (f1 + f2);
    heavy.fill_padded(y.data(), electrons);
    electrons.update_fields(heavy);
    electrons.energy_step(heavy, dt);
    electrons.update_collisions();
  }
  return {mass() - initial_mass, boundary_inflow};
}

Config without_ionization() {
  Config c;
  c.landmark = true;
  c.ionization = c.excitation = c.electron_neutral = RateModel::none;
  c.electron_ion_collisions = false;
  c.conductivity = LandmarkConductivity{};
  c.anode_boundary = AnodeBoundary::dirichlet;
  c.num_cells = 60;
  c.grid = GridKind::uneven;
  c.reconstruct = true;
  return c;
}

// With ionization and walls off, the neutral mass per unit area changes only by what the
// boundary faces carry. Floors never act on the neutrals here, so the balance must hold to
// round-off (1e-12 relative after 3000 steps).
TEST(HallsimConservation, NeutralMassChangesOnlyByBoundaryFluxesWithoutIonizationAndWalls) {
  Config c = without_ionization();
  c.wall_loss = NoWallLosses{};
  double initial = 0.0;
  const auto [change, inflow] = mass_balance(c, {0}, 3000, initial);
  EXPECT_GT(std::abs(change), 1e-3 * initial) << "the test should move mass through the boundaries";
  EXPECT_NEAR(change, inflow, 1e-12 * initial);
}

// Ion wall losses move mass from the ions to the neutrals and nowhere else: the total heavy
// mass changes only by the boundary fluxes of all fluids (to round-off, 1e-12 relative).
TEST(HallsimConservation, IonWallLossesReturnTheIonMassAsNeutrals) {
  Config c = without_ionization();
  WallSheath walls;
  walls.ion_wall_losses = true;
  c.wall_loss = walls;
  double initial = 0.0;
  const auto [change, inflow] = mass_balance(c, {0, 1}, 1000, initial);
  EXPECT_NEAR(change, inflow, 1e-12 * initial);
  // ...while the neutrals alone gain what the ions lose at the walls.
  double neutral_initial = 0.0;
  const auto [neutral_change, neutral_inflow] = mass_balance(c, {0}, 1000, neutral_initial);
  EXPECT_GT(neutral_change - neutral_inflow, 1e-9 * neutral_initial);
}

// The end-of-step evaluation refreshes only the ghost cells, the boundary nodes, 1/(e mu ne)
// and Ohm's law after the energy step and the collision update (Simulation's rhs); it must
// give the fields a full update of the same state gives. SPT-100: ions up to 3+, the anode
// sheath (its ghosts follow Te), plume, ion wall losses.
TEST(HallsimFieldRefresh, RefreshAfterTheElectronUpdateEqualsAFullUpdate) {
  const Config c = test::shipped_config("spt100.toml");
  const Grid grid = make_grid(c.grid, c.num_cells, 0.0, c.domain_length_m, c.geometry.channel_length_m);
  const Chemistry chemistry = build_chemistry(c);
  const FlowArea area = channel_flow_area(grid, c.geometry);
  HeavySpecies heavy(c, grid, chemistry, area);
  ElectronFields electrons(c, grid, chemistry, area);
  std::vector<double> y(heavy.state_size());
  heavy.initial_state(y.data());
  heavy.fill_padded(y.data(), electrons);
  electrons.initialize(heavy);
  heavy.fill_padded(y.data(), electrons);
  electrons.update_fields(heavy);
  electrons.energy_step(heavy, 2e-8);
  electrons.update_collisions();
  // The electron update moved Te at the anode and the sheath: the ghosts must follow.
  HeavySpecies full_heavy = heavy;
  ElectronFields full = electrons;
  full_heavy.fill_padded(y.data(), full);
  full.update_fields(full_heavy);
  heavy.refresh_boundaries(electrons);
  electrons.refresh_fields(heavy);
  EXPECT_EQ(electrons.discharge_current_a, full.discharge_current_a);
  EXPECT_EQ(electrons.anode_sheath_potential_v, full.anode_sheath_potential_v);
  for (std::size_t f = 0; f < heavy.num_fluids(); ++f) {
    EXPECT_EQ(heavy.rho(f), full_heavy.rho(f)) << "fluid " << f;
    EXPECT_EQ(heavy.rho_u(f), full_heavy.rho_u(f)) << "fluid " << f;
  }
  EXPECT_EQ(electrons.ne_m3, full.ne_m3);
  EXPECT_EQ(electrons.ji_a_m2, full.ji_a_m2);
  EXPECT_EQ(electrons.electric_field_v_m, full.electric_field_v_m);
  EXPECT_EQ(electrons.ue_m_s, full.ue_m_s);
  EXPECT_EQ(electrons.drag_v_m, full.drag_v_m);
}

}  // namespace
}  // namespace hd::hallsim
