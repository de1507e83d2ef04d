// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/numerics/finite_volume.hpp"

#include <algorithm>
#include <cmath>

namespace hd::hallsim {

FaceWorkspace::FaceWorkspace(std::size_t n)
    : rho_left(n + 1),
      rho_right(n + 1),
      u_left(n + 1),
      u_right(n + 1),
      u_cell(n + 2),
      flux_mass(n + 1),
      flux_momentum(n + 1) {}

namespace {

// Van Leer half-slope: the face offset u_face - u_i = ab/(a+b) for ab > 0, else 0, with
// a = u_i - u_{i-1}, b = u_{i+1} - u_i (the same as 1/4 phi_vL(r) (u_{i+1} - u_{i-1})).
inline double van_leer_half_slope(double a, double b) {
  const double ab = a * b;
  return ab > 0.0 ? ab / (a + b) : 0.0;
}

// Face f (0..N) separates padded cells f and f+1; its states are left[f] and right[f].
struct FaceStates {
  const double* left;
  const double* right;
};

// Face states of a padded cell quantity q. Without reconstruction they are the cell values
// themselves. With it every interior cell gets a limited slope from its neighbours (ghosts
// included), and a ghost's face state is the ghost-interior mean: the ghost has no outer
// neighbour, and the linear value at the face keeps the boundary flux second order (a
// constant ghost state would make the inflow flux, and hence the whole solution, first order).
FaceStates face_states(std::size_t n, bool reconstruct, std::span<const double> q, std::vector<double>& left,
                       std::vector<double>& right) {
  if (!reconstruct) return {q.data(), q.data() + 1};
  left[0] = 0.5 * (q[0] + q[1]);
  right[n] = 0.5 * (q[n] + q[n + 1]);
  for (std::size_t i = 1; i <= n; ++i) {
    const double half_slope = van_leer_half_slope(q[i] - q[i - 1], q[i + 1] - q[i]);
    // Cell i owns the right state of face i-1 and the left state of face i.
    right[i - 1] = q[i] - half_slope;
    left[i] = q[i] + half_slope;
  }
  return {left.data(), right.data()};
}

}  // namespace

void continuity_flux_divergence(const Grid& grid, std::span<const double> rho, double velocity_m_s,
                                double wave_speed_m_s, bool reconstruct, FaceWorkspace& ws,
                                std::span<double> drho_dt) {
  const std::size_t n = grid.num_cells();
  const auto [rho_l, rho_r] = face_states(n, reconstruct, rho, ws.rho_left, ws.rho_right);
  const double u = velocity_m_s;
  const double s = std::abs(u) + wave_speed_m_s;
  for (std::size_t f = 0; f <= n; ++f) {
    // F = 1/2 u (rho_L + rho_R) - 1/2 s (rho_R - rho_L)
    ws.flux_mass[f] = 0.5 * u * (rho_l[f] + rho_r[f]) - 0.5 * s * (rho_r[f] - rho_l[f]);
  }
  for (std::size_t i = 1; i <= n; ++i)
    drho_dt[i - 1] -= (ws.flux_mass[i] - ws.flux_mass[i - 1]) * grid.inv_dz_m[i];
}

void isothermal_euler_flux_divergence(const Grid& grid, std::span<const double> rho,
                                      std::span<const double> rho_u, double gas_constant_temperature,
                                      double sound_speed_m_s, bool reconstruct, FaceWorkspace& ws,
                                      std::span<double> drho_dt, std::span<double> drho_u_dt) {
  const std::size_t n = grid.num_cells();
  const double rt = gas_constant_temperature, a = sound_speed_m_s;
  // Reconstruction acts on the primitive variables rho and u = rho u / rho.
  for (std::size_t i = 0; i < n + 2; ++i) ws.u_cell[i] = rho_u[i] / rho[i];
  const auto [rho_l, rho_r] = face_states(n, reconstruct, rho, ws.rho_left, ws.rho_right);
  const auto [u_l, u_r] = face_states(n, reconstruct, ws.u_cell, ws.u_left, ws.u_right);
  for (std::size_t f = 0; f <= n; ++f) {
    const double rl = rho_l[f], rr = rho_r[f], ul = u_l[f], ur = u_r[f];
    const double s = std::max(std::abs(ul), std::abs(ur)) + a;
    // Rusanov: F = 1/2 (F_L + F_R) - 1/2 s (U_R - U_L), F = (rho u, rho u^2 + rho R T)
    ws.flux_mass[f] = 0.5 * (rl * ul + rr * ur) - 0.5 * s * (rr - rl);
    ws.flux_momentum[f] = 0.5 * (rl * (ul * ul + rt) + rr * (ur * ur + rt)) - 0.5 * s * (rr * ur - rl * ul);
  }
  for (std::size_t i = 1; i <= n; ++i) {
    drho_dt[i - 1] -= (ws.flux_mass[i] - ws.flux_mass[i - 1]) * grid.inv_dz_m[i];
    drho_u_dt[i - 1] -= (ws.flux_momentum[i] - ws.flux_momentum[i - 1]) * grid.inv_dz_m[i];
  }
}

}  // namespace hd::hallsim
