// SPDX-License-Identifier: GPL-3.0-or-later
// Electron energy and momentum losses to the channel walls (hallsim-physics section 4).
#pragma once
#include <variant>

namespace hd::hallsim {

struct NoWallLosses {};

// LANDMARK: W = 1e7 alpha(z) eps exp(-U/eps) per electron, alpha from alpha_inside to
// alpha_outside over the transition; plus a 1e7 s^-1 electron-wall momentum collision
// frequency inside the channel (section 12 item 4: without it the discharge relaxes into
// near-extinction oscillations).
struct ConstantSheathPotential {
  double sheath_potential_v = 20.0;
  double alpha_inside = 1.0;
  double alpha_outside = 1.0;
  double transition_length_m = 0.0025;
  double wall_collision_frequency_hz = 1e7;
};

using WallLoss = std::variant<NoWallLosses, ConstantSheathPotential>;

// Energy loss rate per unit electron energy, W/eps in s^-1, so that the loss term
// ne W = rate * n_eps is linear in the implicit unknown n_eps.
double wall_energy_loss_rate_hz(const WallLoss& model, double z_m, double channel_length_m,
                                double mean_energy_ev);
// Electron-wall momentum collision frequency nu_ew_mom (s^-1), added to nu_e.
double wall_momentum_frequency_hz(const WallLoss& model, double z_m, double channel_length_m);

}  // namespace hd::hallsim
