// SPDX-License-Identifier: GPL-3.0-or-later
// Heavy-species finite volumes: Rusanov fluxes with optional MUSCL reconstruction (van Leer
// limiter) on primitive variables (docs/physics.md section 6). Inputs are padded arrays
// (index 0 and N+1 are ghost cells, filled by the caller); outputs are the N interior
// time derivatives, accumulated (+=) so that sources can be added before or after.
#pragma once
#include <span>
#include <vector>

#include "hd/hallsim/grid/grid.hpp"

namespace hd::hallsim {

// Left and right face states of every face (N+1) when reconstructing, the cell velocities
// (N+2) and the face fluxes (N+1), reused between calls.
struct FaceWorkspace {
  std::vector<double> rho_left, rho_right, u_left, u_right, u_cell, flux_mass, flux_momentum;
  explicit FaceWorkspace(std::size_t num_cells = 0);
};

// d(rho)/dt += -(F_{i+1/2} - F_{i-1/2}) / dz_i with F = rho u_n (constant u_n) and the
// Rusanov dissipation 0.5 s (rho_R - rho_L), s = |u_n| + wave speed.
// The face mass fluxes (kg m^-2 s^-1) are left in ws.flux_mass.
void continuity_flux_divergence(const Grid& grid, std::span<const double> rho, double velocity_m_s,
                                double wave_speed_m_s, bool reconstruct, FaceWorkspace& ws,
                                std::span<double> drho_dt);

// Isothermal Euler: F = (rho u, rho u^2 + rho R T), Rusanov speed max |u| + a over the two
// face states. The face fluxes are left in ws.flux_mass and ws.flux_momentum, the cell
// velocities rho u / rho (all N+2 cells) in ws.u_cell.
void isothermal_euler_flux_divergence(const Grid& grid, std::span<const double> rho,
                                      std::span<const double> rho_u, double gas_constant_temperature,
                                      double sound_speed_m_s, bool reconstruct, FaceWorkspace& ws,
                                      std::span<double> drho_dt, std::span<double> drho_u_dt);

}  // namespace hd::hallsim
