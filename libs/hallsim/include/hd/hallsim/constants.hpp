// SPDX-License-Identifier: GPL-3.0-or-later
// Physical constants (CODATA 2018, SI).
#pragma once

namespace hd::hallsim::constants {

inline constexpr double elementary_charge_c = 1.602176634e-19;
inline constexpr double electron_mass_kg = 9.1093837015e-31;
inline constexpr double boltzmann_j_per_k = 1.380649e-23;
inline constexpr double atomic_mass_unit_kg = 1.66053906660e-27;
inline constexpr double pi = 3.14159265358979323846;
// 1 Torr = 101325/760 Pa (exact by definition of the Torr).
inline constexpr double pascal_per_torr = 101325.0 / 760.0;

}  // namespace hd::hallsim::constants
