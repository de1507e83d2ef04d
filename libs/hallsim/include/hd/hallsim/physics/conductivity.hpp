// SPDX-License-Identifier: GPL-3.0-or-later
// Electron thermal conductivity kappa, multiplying d(eps)/dz in the heat flux
// q = -kappa d(eps)/dz with eps = 1.5 Te (hallsim-physics section 6).
#pragma once
#include <variant>

namespace hd::hallsim {

// kappa = 2.4 / (1 + nu_ei / (sqrt(2) nu)) mu ne Te
struct Mitchner {};
// kappa = (10/9) mu n_eps
struct LandmarkConductivity {};

using Conductivity = std::variant<Mitchner, LandmarkConductivity>;

// Units: mu in m^2/(V s), ne in m^-3, Te in eV -> kappa in (m s)^-1 (per eV gradient).
double thermal_conductivity(const Conductivity& model, double mobility, double ne_m3, double te_ev,
                            double nu_ei_hz, double nu_total_hz);

}  // namespace hd::hallsim
