// SPDX-License-Identifier: GPL-3.0-or-later
// Thruster performance of one saved frame (docs/physics.md section 8): what the discharge
// delivers at the exit (the last cell) against what it is given.
#pragma once

namespace hd::hallsim {

struct PerformanceFrame {
  double discharge_current_a = 0.0;
  double discharge_voltage_v = 0.0;
  double anode_mass_flow_kg_s = 0.0;      // sum over propellants
  double thrust_n = 0.0;                  // divergence-corrected when the config asks for it
  double ion_current_a = 0.0;             // through the exit
  double ion_mass_flow_kg_s = 0.0;        // through the exit
  double singly_charged_energy_ev = 0.0;  // mean kinetic energy of the Z = 1 ions at the exit
  double exit_tan_divergence = 0.0;       // tan(delta) at the exit; 0 without plume
  double anode_sheath_potential_v = 0.0;  // V_s, reported with the frame's outputs
};

// eta_a = T^2 / (2 mdot_a Id Vd); 0 without discharge power
double anode_efficiency(const PerformanceFrame& f);
// eta_m = sum_ions m n u A |exit / mdot_a (above 1 when ingested gas leaves as ions)
double mass_efficiency(const PerformanceFrame& f);
// eta_c = Ii / Id; 0 without discharge current
double current_efficiency(const PerformanceFrame& f);
// eta_v = [sum n_1 m u_1^2 / (2e) / sum n_1]|exit / Vd
double voltage_efficiency(const PerformanceFrame& f);
// eta_div = cos^2(atan(tan delta_exit)) = 1 / (1 + tan^2 delta_exit)
double divergence_efficiency(const PerformanceFrame& f);
// T cos(delta_exit) = T / sqrt(1 + tan^2 delta_exit): the axial part of a thrust whose ions
// leave at the divergence angle.
double divergence_corrected_thrust_n(double thrust_n, double exit_tan_divergence);

}  // namespace hd::hallsim
