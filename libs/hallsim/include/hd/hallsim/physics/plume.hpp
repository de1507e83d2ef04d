// SPDX-License-Identifier: GPL-3.0-or-later
// The cross-section A(z) of the plasma flow (docs/physics.md section 6.8): the channel area
// everywhere, or, with `solve_plume`, a plume that widens downstream of the channel exit with
// the ion divergence angle.
#pragma once
#include <cstddef>
#include <span>
#include <vector>

#include "hd/hallsim/grid/grid.hpp"
#include "hd/hallsim/thruster/thruster.hpp"

namespace hd::hallsim {

// Per electron node (N+2: the boundary faces and the cell centres).
struct FlowArea {
  std::vector<double> area_m2;             // A
  std::vector<double> channel_area_ratio;  // A_ch / A: exactly 1 in the channel
  std::vector<double> dlnA_dz_m;           // d ln A / dz (m^-1), zero in the channel
  double exit_tan_divergence = 0.0;        // tan(delta) at the last node (0 without plume)
};

// A = A_ch at every node.
FlowArea channel_flow_area(const Grid& grid, const Geometry& geometry);

// What the plume expansion depends on: Te and the mean ion mass at the exit node (the last
// node with z <= L_ch), and the number-averaged ion velocity at every node.
struct PlumeState {
  double exit_te_ev = 0.0;
  double exit_ion_mass_kg = 0.0;
  std::span<const double> ion_velocity_m_s;
};

// From the exit node on, with dz_i = z_i - z_{i-1}:
//   tan(delta_i) = clamp(sqrt((5/3) e Te_exit / m_exit) / u_i, 0, 1)
//   R_in,i = max(0, R_in,i-1 - (tan delta_i + tan delta_i-1) dz_i / 2)
//   R_out,i = R_out,i-1 + (tan delta_i + tan delta_i-1) dz_i / 2
//   A_i = pi (R_out,i^2 - R_in,i^2),   dlnA/dz_i = (A_i - A_i-1) / (dz_i A_i)
void expand_plume(const Grid& grid, const Geometry& geometry, const PlumeState& state, FlowArea& area);

// Index of the exit node: the last node with z <= L_ch.
std::size_t exit_node(const Grid& grid, double channel_length_m);

}  // namespace hd::hallsim
