// SPDX-License-Identifier: GPL-3.0-or-later
// Electron thermal conductivity kappa, multiplying d(eps)/dz in the heat flux
// q = -kappa d(eps)/dz with eps = 1.5 Te (docs/physics.md section 6).
#pragma once
#include <span>
#include <variant>

namespace hd::hallsim {

// kappa = 2.4 / (1 + nu_ei / (sqrt(2) nu)) mu ne Te
struct Mitchner {};
// kappa = (10/9) mu n_eps
struct LandmarkConductivity {};

using Conductivity = std::variant<Mitchner, LandmarkConductivity>;

// kappa at every node from the node arrays (the model is chosen once per call, not per node).
// Units: mu in m^2/(V s), ne in m^-3, Te in eV -> kappa in (m s)^-1 (per eV gradient).
void thermal_conductivity(const Conductivity& model, std::span<const double> mobility,
                          std::span<const double> ne_m3, std::span<const double> te_ev,
                          std::span<const double> nu_ei_hz, std::span<const double> nu_total_hz,
                          std::span<double> kappa);

}  // namespace hd::hallsim
