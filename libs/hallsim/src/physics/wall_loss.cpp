// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/wall_loss.hpp"

#include <cmath>

#include "hd/hallsim/physics/transition.hpp"

namespace hd::hallsim {

double wall_energy_loss_rate_hz(const WallLoss& model, double z_m, double channel_length_m,
                                double mean_energy_ev) {
  const auto* m = std::get_if<ConstantSheathPotential>(&model);
  if (m == nullptr) return 0.0;
  const double alpha =
      linear_transition(z_m, channel_length_m, m->transition_length_m, m->alpha_inside, m->alpha_outside);
  // W / eps = 1e7 alpha exp(-U / eps)
  return m->wall_collision_frequency_hz * alpha * std::exp(-m->sheath_potential_v / mean_energy_ev);
}

double wall_momentum_frequency_hz(const WallLoss& model, double z_m, double channel_length_m) {
  const auto* m = std::get_if<ConstantSheathPotential>(&model);
  if (m == nullptr) return 0.0;
  // nu_ew_mom = 1e7 s^-1 inside the channel, 0 in the plume
  return linear_transition(z_m, channel_length_m, m->transition_length_m, m->wall_collision_frequency_hz,
                           0.0);
}

}  // namespace hd::hallsim
