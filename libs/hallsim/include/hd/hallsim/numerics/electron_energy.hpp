// SPDX-License-Identifier: GPL-3.0-or-later
// One implicit theta-step of the electron energy equation (docs/physics.md section 1, 6):
//   d(n_eps)/dt + d/dz[(5/3) ue n_eps - kappa d(n_eps/ne)/dz] = Q - L n_eps
// on the N+2 node layout (end nodes are boundary faces), conservative and cell-centred,
// convection upwinded on the face-mean ue, conduction with kappa of the upwind node,
// everything but n_eps frozen. The losses are written as a rate L (s^-1) times n_eps so that
// the stiff wall and inelastic terms are implicit too.
#pragma once
#include <span>
#include <vector>

#include "hd/hallsim/grid/grid.hpp"

namespace hd::hallsim {

struct EnergyCoefficients {
  std::vector<double> inv_ne_m3;     // N+2, 1/ne (m^3)
  std::vector<double> ue_m_s;        // N+2
  std::vector<double> kappa;         // N+2
  std::vector<double> source;        // N+2, eV m^-3 s^-1 (explicit: Ohmic heating, MMS sources)
  std::vector<double> loss_rate_hz;  // N+2 (wall and inelastic losses per unit n_eps)
  explicit EnergyCoefficients(std::size_t num_cells = 0);
};

// Anode face: a Dirichlet value, or (sheath) Neumann on eps with the face carrying the
// energy flux F_0 = anode_flux_per_energy_density * n_eps_1 + anode_flux_constant.
// The cathode face is always Dirichlet.
struct EnergyBoundary {
  bool anode_dirichlet = true;
  double anode_energy_density = 0.0;           // n_eps at the anode face when Dirichlet (eV m^-3)
  double anode_flux_per_energy_density = 0.0;  // m/s
  double anode_flux_constant = 0.0;            // eV m^-2 s^-1
  double cathode_energy_density = 0.0;         // n_eps at the cathode face (eV m^-3)
};

struct TridiagonalWorkspace {
  std::vector<double> lower, diag, upper, rhs, scratch;
  explicit TridiagonalWorkspace(std::size_t n = 0);
};

// Solves a tridiagonal system of at least 3 rows in place (twisted Thomas algorithm); rhs
// becomes the solution.
void solve_tridiagonal(TridiagonalWorkspace& ws);

// Advances n_eps (N+2, eV m^-3) by dt with (I + theta dt A) n+ = n + dt (Q - (1 - theta) A n).
void electron_energy_step(const Grid& grid, const EnergyCoefficients& c, const EnergyBoundary& bc,
                          double dt_s, double theta, TridiagonalWorkspace& ws,
                          std::span<double> energy_density);

}  // namespace hd::hallsim
