// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/plume.hpp"

#include <algorithm>
#include <cmath>

#include "hd/hallsim/constants.hpp"

namespace hd::hallsim {

FlowArea channel_flow_area(const Grid& grid, const Geometry& geometry) {
  const std::size_t m = grid.z_node_m.size();
  return {std::vector<double>(m, channel_area_m2(geometry)), std::vector<double>(m, 1.0),
          std::vector<double>(m, 0.0), 0.0};
}

std::size_t exit_node(const Grid& grid, double channel_length_m) {
  const auto& z = grid.z_node_m;
  const auto past = std::upper_bound(z.begin(), z.end(), channel_length_m);
  return past == z.begin() ? 0 : static_cast<std::size_t>(past - z.begin()) - 1;
}

void expand_plume(const Grid& grid, const Geometry& geometry, const PlumeState& state, FlowArea& area) {
  const auto& z = grid.z_node_m;
  const std::size_t exit = exit_node(grid, geometry.channel_length_m);
  const double channel_area = channel_area_m2(geometry);
  // The ions' thermal spread at the exit, sqrt((5/3) e Te / m), against their axial speed.
  const double spread_m_s =
      std::sqrt(5.0 / 3.0 * constants::elementary_charge_c * state.exit_te_ev / state.exit_ion_mass_kg);
  const auto tan_divergence = [&](std::size_t i) {
    const double u = state.ion_velocity_m_s[i];
    return u > 0.0 ? std::min(1.0, spread_m_s / u) : 0.0;
  };
  double r_in = geometry.inner_radius_m, r_out = geometry.outer_radius_m;
  double tan_previous = tan_divergence(exit);
  for (std::size_t i = exit + 1; i < z.size(); ++i) {
    const double tan_i = tan_divergence(i);
    const double dz = z[i] - z[i - 1];
    const double widening = 0.5 * (tan_i + tan_previous) * dz;
    r_in = std::max(0.0, r_in - widening);
    r_out += widening;
    const double a = constants::pi * (r_out * r_out - r_in * r_in);
    area.dlnA_dz_m[i] = (a - area.area_m2[i - 1]) / (dz * a);
    area.area_m2[i] = a;
    area.channel_area_ratio[i] = channel_area / a;
    tan_previous = tan_i;
  }
  area.exit_tan_divergence = tan_previous;
}

}  // namespace hd::hallsim
