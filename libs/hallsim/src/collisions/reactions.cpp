// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/collisions/reactions.hpp"

#include "hd/common/error.hpp"
#include "hd/hallsim/constants.hpp"

namespace hd::hallsim {

const std::vector<Gas>& gases() {
  constexpr double u = constants::atomic_mass_unit_kg;
  static const std::vector<Gas> table{
      {"Xe", 131.293 * u}, {"Kr", 83.798 * u}, {"Ar", 39.948 * u}, {"N2", 28.0134 * u}};
  return table;
}

std::vector<std::string> gas_names() {
  std::vector<std::string> names;
  for (const Gas& g : gases()) names.push_back(g.name);
  return names;
}

double gas_mass_kg(const std::string& gas) {
  for (const Gas& g : gases()) {
    if (g.name == gas) return g.mass_kg;
  }
  std::string list;
  for (const std::string& n : gas_names()) list += (list.empty() ? "" : ", ") + n;
  throw Error("unknown propellant gas '" + gas + "' (choices: " + list + ")");
}

namespace {

std::string species_name(const std::string& gas, int charge) {
  if (charge == 0) return gas;
  if (charge == 1) return gas + "+";
  return gas + std::to_string(charge) + "+";
}

// LANDMARK excitation: k_ex = (k_loss - E_iz k_iz) / E_ex, i.e. the lumped loss table
// already holds ionization and excitation; E_iz = 12.12 eV (docs/physics.md section 2).
constexpr double landmark_ionization_energy_ev = 12.12;
// LANDMARK elastic electron-neutral rate (m^3/s).
constexpr double landmark_elastic_rate = 2.5e-13;

}  // namespace

Chemistry build_chemistry(const Config& config) {
  Chemistry chem;
  const int num_propellants = static_cast<int>(config.propellants.size());
  for (int p = 0; p < num_propellants; ++p) {
    const auto& prop = config.propellants[p];
    chem.fluids.push_back({species_name(prop.gas, 0), p, 0, gas_mass_kg(prop.gas)});
  }
  std::vector<int> first_ion(num_propellants);
  for (int p = 0; p < num_propellants; ++p) {
    const auto& prop = config.propellants[p];
    first_ion[p] = static_cast<int>(chem.fluids.size());
    for (int z = 1; z <= prop.max_charge; ++z) {
      chem.fluids.push_back({species_name(prop.gas, z), p, z, gas_mass_kg(prop.gas)});
    }
  }
  const auto fluid_index = [&](int p, int charge) { return charge == 0 ? p : first_ion[p] + charge - 1; };

  const bool landmark_rates =
      config.ionization == RateModel::landmark || config.excitation == RateModel::landmark;
  LandmarkRates landmark;
  if (landmark_rates) landmark = read_landmark_rates(config.landmark_rates_file);

  for (int p = 0; p < num_propellants; ++p) {
    const auto& prop = config.propellants[p];
    if (config.ionization == RateModel::landmark) {
      chem.ionization.push_back({p, fluid_index(p, 1), landmark_ionization_energy_ev, landmark.ionization});
    } else if (config.ionization == RateModel::lookup) {
      for (int from = 0; from < prop.max_charge; ++from) {
        for (int to = from + 1; to <= prop.max_charge; ++to) {
          const auto file = config.rates_directory / ("ionization_" + species_name(prop.gas, from) + "_" +
                                                      species_name(prop.gas, to) + ".dat");
          auto r = read_reaction_file(file);
          chem.ionization.push_back(
              {fluid_index(p, from), fluid_index(p, to), r.energy_ev, std::move(r.rate)});
        }
      }
    }
    if (config.excitation == RateModel::landmark) {
      chem.lumped_losses.push_back({p, landmark.energy_loss});
    } else if (config.excitation == RateModel::lookup) {
      auto r = read_reaction_file(config.rates_directory / ("excitation_" + prop.gas + ".dat"));
      chem.excitation.push_back({p, r.energy_ev, std::move(r.rate)});
    }
    if (config.electron_neutral == RateModel::landmark) {
      chem.elastic.push_back({p, constant_rate_table(landmark_elastic_rate)});
    } else if (config.electron_neutral == RateModel::lookup) {
      chem.elastic.push_back(
          {p, read_reaction_file(config.rates_directory / ("elastic_" + prop.gas + ".dat")).rate});
    }
  }
  return chem;
}

}  // namespace hd::hallsim
