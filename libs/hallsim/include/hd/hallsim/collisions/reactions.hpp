// SPDX-License-Identifier: GPL-3.0-or-later
// Heavy species and the electron-impact reactions between them (docs/physics.md section 2).
#pragma once
#include <string>
#include <vector>

#include "hd/hallsim/collisions/rate_table.hpp"
#include "hd/hallsim/config.hpp"

namespace hd::hallsim {

// One fluid: a propellant's neutrals (charge 0) or one of its ion charge states.
struct Fluid {
  std::string name;  // "Xe", "Xe+", "Xe2+"
  int propellant = 0;
  int charge = 0;
  double mass_kg = 0.0;
};

// Single-reactant ionization A^{r+} -> A^{p+}: n_dot = k(eps) ne n_reactant; the electrons
// lose energy_ev per event unless a lumped loss table covers it.
struct Ionization {
  int reactant = 0;  // fluid index
  int product = 0;   // fluid index
  double energy_ev = 0.0;
  RateTable rate;
};

struct Excitation {
  int reactant = 0;
  double energy_ev = 0.0;
  RateTable rate;
};

// LANDMARK lumped inelastic loss ne n_reactant k_loss(eps), k_loss in eV m^3/s; it replaces
// the per-reaction ionization and excitation losses.
struct EnergyLoss {
  int reactant = 0;
  RateTable loss;
};

struct ElasticCollision {
  int neutral = 0;
  RateTable rate;
};

struct Chemistry {
  std::vector<Fluid> fluids;  // neutrals of every propellant first, then ions
  std::vector<Ionization> ionization;
  std::vector<Excitation> excitation;
  std::vector<EnergyLoss> lumped_losses;
  std::vector<ElasticCollision> elastic;
};

// Species and rate tables for the config; a missing rate file is an hd::Error naming it.
Chemistry build_chemistry(const Config& config);

// The propellants a config may name, with their atomic or molecular masses.
struct Gas {
  std::string name;
  double mass_kg = 0.0;
};
const std::vector<Gas>& gases();
std::vector<std::string> gas_names();
// Mass of one of gases() by name; unknown names are an hd::Error listing them.
double gas_mass_kg(const std::string& gas);

}  // namespace hd::hallsim
