// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "hd/hallsim/collisions/reactions.hpp"
#include "hd/hallsim/simulation/electron_fields.hpp"
#include "hd/hallsim/simulation/heavy_species.hpp"

namespace hd::hallsim {
namespace {

// With ionization and walls off, the neutral mass per unit area changes only by what the
// boundary faces carry: M(t) - M(0) = int (F_anode - F_cathode) dt, summed over the SSPRK22
// stages exactly as the scheme applies them. Floors never act on the neutrals here, so the
// balance must hold to round-off (1e-12 relative after 3000 steps).
TEST(HallsimConservation, NeutralMassChangesOnlyByBoundaryFluxesWithoutIonizationAndWalls) {
  Config c;
  c.landmark = true;
  c.ionization = c.excitation = c.electron_neutral = RateModel::none;
  c.electron_ion_collisions = false;
  c.wall_loss = NoWallLosses{};
  c.conductivity = LandmarkConductivity{};
  c.num_cells = 60;
  c.grid = GridKind::uneven;
  c.reconstruct = true;
  const Grid grid = make_grid(c.grid, c.num_cells, 0.0, c.domain_length_m, c.geometry.channel_length_m);
  const Chemistry chemistry = build_chemistry(c);
  HeavySpecies heavy(c, grid, chemistry);
  ElectronFields electrons(c, grid, chemistry);
  const std::size_t size = heavy.state_size();
  std::vector<double> y(size), y1(size), k1(size), k2(size);
  heavy.initial_state(y.data());
  heavy.fill_padded(y.data(), electrons);
  electrons.initialize(heavy);

  const std::size_t n = grid.num_cells();
  const auto neutral_mass = [&](const std::vector<double>& state) {
    double m = 0.0;
    for (std::size_t i = 0; i < n; ++i) m += state[i] * grid.dz_m[i + 1];
    return m;
  };
  const double mass0 = neutral_mass(y);
  double boundary_inflow = 0.0;
  for (int step = 0; step < 3000; ++step) {
    const StabilityLimits lim = heavy.stability_limits(c.cfl, electrons);
    const double dt = std::min({lim.cfl_s, lim.field_s, c.max_dt_s});
    heavy.rhs(y.data(), electrons, k1.data());
    const auto f1 = heavy.boundary_mass_flux(0);
    for (std::size_t j = 0; j < size; ++j) y1[j] = y[j] + dt * k1[j];
    heavy.rhs(y1.data(), electrons, k2.data());
    const auto f2 = heavy.boundary_mass_flux(0);
    for (std::size_t j = 0; j < size; ++j) y[j] = 0.5 * (y[j] + y1[j] + dt * k2[j]);
    boundary_inflow += 0.5 * dt * ((f1[0] - f1[1]) + (f2[0] - f2[1]));
    heavy.fill_padded(y.data(), electrons);
    electrons.update(heavy);
    electrons.energy_step(heavy, dt);
  }
  const double mass = neutral_mass(y);
  EXPECT_GT(std::abs(mass - mass0), 1e-3 * mass0) << "the test should move mass through the boundaries";
  EXPECT_NEAR(mass, mass0 + boundary_inflow, 1e-12 * mass0);
}

}  // namespace
}  // namespace hd::hallsim
