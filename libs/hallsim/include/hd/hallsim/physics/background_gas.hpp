// SPDX-License-Identifier: GPL-3.0-or-later
// The background gas of the test facility (docs/physics.md section 5.3): its pressure shifts
// the anomalous transport profile (section 3) and its thermal flux through the channel area
// is ingested with the anode flow.
#pragma once

namespace hd::config {
class Table;
}

namespace hd::hallsim {

struct BackgroundGas {
  double pressure_pa = 0.0;      // p_B, SI (the config gives Torr)
  double temperature_k = 100.0;  // T_B
  double ingestion_scale = 1.0;  // f_n: 1 ingests the full one-sided thermal flux
};

// Reads [background_gas]: `pressure_torr` (0), `temperature_k` (100), `ingestion_scale` (1);
// the pressure is converted to pascals here, once.
BackgroundGas read_background_gas(const hd::config::Table& table);

// Ingested mass flow (kg/s) of a gas of particle mass m through the area A:
//   mdot = f_n m (p_B / (k T_B)) (c_B / 4) A,   c_B = sqrt(8 k T_B / (pi m))
double ingested_mass_flow_kg_s(const BackgroundGas& gas, double mass_kg, double area_m2);

}  // namespace hd::hallsim
