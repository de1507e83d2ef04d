// SPDX-License-Identifier: GPL-3.0-or-later
// Electron thermal conductivity kappa, multiplying d(eps)/dz in the heat flux
// q = -kappa d(eps)/dz with eps = 1.5 Te (docs/physics.md section 6.5).
#pragma once
#include <span>
#include <variant>

namespace hd::config {
class Table;
}

namespace hd::hallsim {

// kappa = 2.4 / (1 + nu_ei / (sqrt(2) nu)) mu ne Te  (Mitchner & Kruger 1973)
struct Mitchner {};
// kappa = C(Z_eff) mu ne Te, C through 4.66, 4.0, 3.7, 3.6, 3.2 at Z = 1..5 (Braginskii 1965)
struct Braginskii {};
// kappa = (10/9) mu n_eps
struct LandmarkConductivity {};

using Conductivity = std::variant<Mitchner, Braginskii, LandmarkConductivity>;

// Reads `conductivity` of [physics] (mitchner | braginskii | landmark; default landmark in
// LANDMARK mode, mitchner otherwise).
Conductivity read_conductivity(const hd::config::Table& physics, bool landmark);

// Braginskii's C(Z): linear in Z between the tabulated charges, clamped outside 1..5.
double braginskii_coefficient(double z_eff);

// What the conductivities depend on, at every node. Units: mu in m^2/(V s), ne in m^-3, Te in
// eV, frequencies in s^-1 -> kappa in (m s)^-1 (per eV gradient).
struct ConductivityInputs {
  std::span<const double> mobility, ne_m3, te_ev, nu_ei_hz, nu_total_hz, z_eff;
};

// kappa at every node (the model is chosen once per call, not per node).
void thermal_conductivity(const Conductivity& model, const ConductivityInputs& in, std::span<double> kappa);

}  // namespace hd::hallsim
