// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/numerics/electron_energy.hpp"

namespace hd::hallsim {

EnergyCoefficients::EnergyCoefficients(std::size_t n)
    : inv_ne_m3(n + 2), ue_m_s(n + 2), kappa(n + 2), source(n + 2), loss_rate_hz(n + 2) {}

TridiagonalWorkspace::TridiagonalWorkspace(std::size_t n) : lower(n), diag(n), upper(n), rhs(n), scratch(n) {}

void solve_tridiagonal(TridiagonalWorkspace& ws) {
  // Twisted Thomas algorithm ("burn at both ends"): eliminate downwards from row 0 and upwards
  // from row n-1 to the middle row p, solve it, and substitute outwards again. The two
  // elimination chains are independent, so the CPU overlaps their dependent divisions,
  // which bound the one-sided algorithm. Stable for the diagonally dominant rows here.
  //   top rows i < p:    x_i + c_i x_{i+1} = r_i
  //   bottom rows i > p: x_i + c_i x_{i-1} = r_i
  // The values carried from row to row stay in registers: reloading what the previous row
  // just stored would add the store-forwarding latency to every link of the chains.
  const std::size_t n = ws.diag.size();
  const std::size_t p = (n - 1) / 2;  // n >= 3: the grid has at least one cell
  const auto& l = ws.lower;
  const auto& d = ws.diag;
  const auto& u = ws.upper;
  auto& r = ws.rhs;
  auto& c = ws.scratch;
  double c_top = u[0] / d[0], r_top = r[0] / d[0];
  double c_bottom = l[n - 1] / d[n - 1], r_bottom = r[n - 1] / d[n - 1];
  c[0] = c_top;
  r[0] = r_top;
  c[n - 1] = c_bottom;
  r[n - 1] = r_bottom;
  const auto eliminate_down = [&](std::size_t i) {
    const double m = 1.0 / (d[i] - l[i] * c_top);
    c_top = c[i] = u[i] * m;
    r_top = r[i] = (r[i] - l[i] * r_top) * m;
  };
  const auto eliminate_up = [&](std::size_t i) {
    const double m = 1.0 / (d[i] - u[i] * c_bottom);
    c_bottom = c[i] = l[i] * m;
    r_bottom = r[i] = (r[i] - u[i] * r_bottom) * m;
  };
  // Top rows 1..p-1 and bottom rows n-2..p+1: the same count for odd n, one more bottom row for even n.
  for (std::size_t k = 1; k < p; ++k) {
    eliminate_down(k);
    eliminate_up(n - 1 - k);
  }
  if (n % 2 == 0) eliminate_up(p + 1);
  const double x_p = (r[p] - l[p] * r_top - u[p] * r_bottom) / (d[p] - l[p] * c_top - u[p] * c_bottom);
  r[p] = x_p;
  double x_up = x_p, x_down = x_p;
  for (std::size_t k = 1; k <= p; ++k) {
    x_up = r[p - k] -= c[p - k] * x_up;
    x_down = r[p + k] -= c[p + k] * x_down;
  }
  if (n % 2 == 0) r[n - 1] -= c[n - 1] * x_down;
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
