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
      flux_mass(n + 1),
      flux_momentum(n + 1) {}

namespace {

// Face states of a padded cell quantity q: face f (0..N) separates padded cells f and f+1.
// With reconstruction every interior cell gets a limited slope from its neighbours (ghosts
// included), and a ghost's face state is the ghost-interior mean: the ghost has no outer
// neighbour, and the linear value at the face keeps the boundary flux second order (a
// constant ghost state would make the inflow flux, and hence the whole solution, first order).
template <typename Value>
void face_states(std::size_t n, bool reconstruct, Value q, std::vector<double>& left,
                 std::vector<double>& right) {
  left[0] = reconstruct ? 0.5 * (q(0) + q(1)) : q(0);
  right[n] = reconstruct ? 0.5 * (q(n) + q(n + 1)) : q(n + 1);
  for (std::size_t i = 1; i <= n; ++i) {
    const double qi = q(i);
    const double half_slope = reconstruct ? van_leer_half_slope(qi - q(i - 1), q(i + 1) - qi) : 0.0;
    // Cell i owns the right state of face i-1 and the left state of face i.
    right[i - 1] = qi - half_slope;
    left[i] = qi + half_slope;
  }
}

}  // namespace

void continuity_flux_divergence(const Grid& grid, std::span<const double> rho, double velocity_m_s,
                                double wave_speed_m_s, bool reconstruct, FaceWorkspace& ws,
                                std::span<double> drho_dt) {
  const std::size_t n = grid.num_cells();
  face_states(
      n, reconstruct, [&](std::size_t i) { return rho[i]; }, ws.rho_left, ws.rho_right);
  const double u = velocity_m_s;
  const double s = std::abs(u) + wave_speed_m_s;
  for (std::size_t f = 0; f <= n; ++f) {
    // F = 1/2 u (rho_L + rho_R) - 1/2 s (rho_R - rho_L)
    ws.flux_mass[f] =
        0.5 * u * (ws.rho_left[f] + ws.rho_right[f]) - 0.5 * s * (ws.rho_right[f] - ws.rho_left[f]);
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
  face_states(
      n, reconstruct, [&](std::size_t i) { return rho[i]; }, ws.rho_left, ws.rho_right);
  face_states(
      n, reconstruct, [&](std::size_t i) { return rho_u[i] / rho[i]; }, ws.u_left, ws.u_right);
  for (std::size_t f = 0; f <= n; ++f) {
    const double rl = ws.rho_left[f], rr = ws.rho_right[f], ul = ws.u_left[f], ur = ws.u_right[f];
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
