// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace hd::hallsim {

// Linear blend from `inside` (z < L_ch - L_t/2) to `outside` (z > L_ch + L_t/2), the
// channel/plume switch used by the anomalous-transport and wall models.
inline double linear_transition(double z_m, double channel_length_m, double transition_length_m,
                                double inside, double outside) {
  const double z0 = channel_length_m - 0.5 * transition_length_m;
  if (z_m <= z0) return inside;
  if (z_m >= z0 + transition_length_m) return outside;
  return inside + (outside - inside) * (z_m - z0) / transition_length_m;
}

}  // namespace hd::hallsim
