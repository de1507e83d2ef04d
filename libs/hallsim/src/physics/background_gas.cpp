// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/background_gas.hpp"

#include <cmath>

#include "hd/common/config.hpp"
#include "hd/hallsim/constants.hpp"

namespace hd::hallsim {

BackgroundGas read_background_gas(const hd::config::Table& t) {
  using hd::config::Range;
  BackgroundGas gas;
  gas.pressure_pa = t.get_double_or("pressure_torr", 0.0, Range::non_negative()) * constants::pascal_per_torr;
  gas.temperature_k = t.get_double_or("temperature_k", gas.temperature_k, Range::positive());
  gas.ingestion_scale = t.get_double_or("ingestion_scale", gas.ingestion_scale, Range::non_negative());
  return gas;
}

double ingested_mass_flow_kg_s(const BackgroundGas& gas, double mass_kg, double area_m2) {
  constexpr double k = constants::boltzmann_j_per_k;
  // n_B = p_B / (k T_B), c_B = sqrt(8 k T_B / (pi m)); one-sided flux n_B c_B / 4
  const double density_m3 = gas.pressure_pa / (k * gas.temperature_k);
  const double mean_speed_m_s = std::sqrt(8.0 * k * gas.temperature_k / (constants::pi * mass_kg));
  return gas.ingestion_scale * mass_kg * density_m3 * 0.25 * mean_speed_m_s * area_m2;
}

}  // namespace hd::hallsim
