// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/simulation/performance.hpp"

#include <cmath>

namespace hd::hallsim {

double anode_efficiency(const PerformanceFrame& f) {
  const double power = 2.0 * f.anode_mass_flow_kg_s * f.discharge_current_a * f.discharge_voltage_v;
  return power > 0.0 ? f.thrust_n * f.thrust_n / power : 0.0;
}

double mass_efficiency(const PerformanceFrame& f) {
  return f.ion_mass_flow_kg_s / f.anode_mass_flow_kg_s;
}

double current_efficiency(const PerformanceFrame& f) {
  return f.discharge_current_a > 0.0 ? f.ion_current_a / f.discharge_current_a : 0.0;
}

double voltage_efficiency(const PerformanceFrame& f) {
  return f.singly_charged_energy_ev / f.discharge_voltage_v;
}

double divergence_efficiency(const PerformanceFrame& f) {
  return 1.0 / (1.0 + f.exit_tan_divergence * f.exit_tan_divergence);
}

double divergence_corrected_thrust_n(double thrust_n, double exit_tan_divergence) {
  return thrust_n / std::sqrt(1.0 + exit_tan_divergence * exit_tan_divergence);
}

}  // namespace hd::hallsim
