// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/numerics/electron_energy.hpp"

namespace hd::hallsim {

EnergyCoefficients::EnergyCoefficients(std::size_t n)
    : inv_ne_m3(n + 2), ue_m_s(n + 2), kappa(n + 2), source(n + 2), loss_rate_hz(n + 2) {}

TridiagonalWorkspace::TridiagonalWorkspace(std::size_t n) : lower(n), diag(n), upper(n), rhs(n), scratch(n) {}

void solve_tridiagonal(TridiagonalWorkspace& ws) {
  const std::size_t n = ws.diag.size();
  // Thomas algorithm: forward elimination, back substitution (diagonally dominant here).
  ws.scratch[0] = ws.upper[0] / ws.diag[0];
  ws.rhs[0] /= ws.diag[0];
  for (std::size_t i = 1; i < n; ++i) {
    const double m = 1.0 / (ws.diag[i] - ws.lower[i] * ws.scratch[i - 1]);
    ws.scratch[i] = ws.upper[i] * m;
    ws.rhs[i] = (ws.rhs[i] - ws.lower[i] * ws.rhs[i - 1]) * m;
  }
  for (std::size_t i = n - 1; i-- > 0;) ws.rhs[i] -= ws.scratch[i] * ws.rhs[i + 1];
}

void electron_energy_step(const Grid& grid, const EnergyCoefficients& c, const EnergyBoundary& bc,
                          double dt_s, double theta, TridiagonalWorkspace& ws,
                          std::span<double> energy_density) {
  const std::size_t n = grid.num_cells();
  // Face f (0..N) lies between nodes f and f+1; its flux is F_f = a_f n_eps_f + b_f n_eps_{f+1}
  //   F = (5/3) ue_face n_eps_upwind - kappa_upwind (n_eps_{f+1}/ne_{f+1} - n_eps_f/ne_f) / dz.
  // Row i (1..N): d n_eps_i/dt = -(F_i - F_{i-1}) / dz_i + Q_i - L_i n_eps_i.
  double a_prev = 0.0, b_prev = 0.0;
  const auto face = [&](std::size_t f, double& a, double& b) {
    const double ue = 0.5 * (c.ue_m_s[f] + c.ue_m_s[f + 1]);
    const bool from_left = ue >= 0.0;
    const double kappa = from_left ? c.kappa[f] : c.kappa[f + 1];
    const double g = kappa * grid.inv_node_spacing_m[f];
    a = (from_left ? 5.0 / 3.0 * ue : 0.0) + g * c.inv_ne_m3[f];
    b = (from_left ? 0.0 : 5.0 / 3.0 * ue) - g * c.inv_ne_m3[f + 1];
  };
  // With the sheath the anode face carries the prescribed flux; its constant part enters
  // row 1 as the source F_0 / dz_1.
  double anode_source = 0.0;
  if (bc.anode_dirichlet) {
    face(0, a_prev, b_prev);
  } else {
    b_prev = bc.anode_flux_per_energy_density;
    anode_source = dt_s * bc.anode_flux_constant * grid.inv_dz_m[1];
  }
  for (std::size_t i = 1; i <= n; ++i) {
    double a = 0.0, b = 0.0;
    face(i, a, b);
    const double w = dt_s * grid.inv_dz_m[i];
    // A n row i: (a_i n_i + b_i n_{i+1} - a_{i-1} n_{i-1} - b_{i-1} n_i) / dz_i + L_i n_i
    const double lower = -a_prev * w;
    const double diag = (a - b_prev) * w + dt_s * c.loss_rate_hz[i];
    const double upper = b * w;
    ws.lower[i] = theta * lower;
    ws.diag[i] = 1.0 + theta * diag;
    ws.upper[i] = theta * upper;
    ws.rhs[i] = (i == 1 ? anode_source : 0.0) + energy_density[i] + dt_s * c.source[i] -
                (1.0 - theta) * (lower * energy_density[i - 1] + diag * energy_density[i] +
                                 upper * energy_density[i + 1]);
    a_prev = a;
    b_prev = b;
  }
  // Anode node: the Dirichlet value, or Neumann on eps (n_eps_0/ne_0 = n_eps_1/ne_1).
  ws.lower[0] = 0.0;
  ws.diag[0] = 1.0;
  if (bc.anode_dirichlet) {
    ws.upper[0] = 0.0;
    ws.rhs[0] = bc.anode_energy_density;
  } else {
    ws.upper[0] = -c.inv_ne_m3[1] / c.inv_ne_m3[0];
    ws.rhs[0] = 0.0;
  }
  ws.lower[n + 1] = 0.0;
  ws.diag[n + 1] = 1.0;
  ws.upper[n + 1] = 0.0;
  ws.rhs[n + 1] = bc.cathode_energy_density;
  solve_tridiagonal(ws);
  for (std::size_t i = 0; i < n + 2; ++i) energy_density[i] = ws.rhs[i];
}

}  // namespace hd::hallsim
