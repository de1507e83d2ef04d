// SPDX-License-Identifier: GPL-3.0-or-later
// Draws of the reference prior (docs/prior.md) set on a hallsim config, for the prior-sweep
// test and bench/hallsim/prior_sweep. This is the tests' own parameter-to-config mapping, in
// one place; gen_data has the production one.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/hallsim/constants.hpp"
#include "hd/prior/anomalous_profile.hpp"
#include "hd/prior/prior.hpp"

#include "prior/reference_prior.hpp"

namespace hd::hallsim::test {

// The data-generation setup (docs/physics.md section 7): configs/hallsim/spt100.toml with the
// reference code's defaults where its data generator sets nothing (SPT-100 inner radius
// 3.45 cm, Te = 2 eV at both ends, neutral temperature 500 K, background gas at 100 K, no
// plume, transition 0.1 L_ch) and the transport of the prior, SimpleLogisticShift around a
// MultiLogBohm profile (its nodes and shift come with each draw). `overrides` (`--set`
// style) set the size of the run.
inline hd::config::Document data_setup_config(const std::filesystem::path& source_dir,
                                              std::vector<std::string> overrides) {
  std::ifstream in(source_dir / "configs" / "hallsim" / "spt100.toml");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  const auto begin = text.find("[anomalous_transport]"), end = text.find("[wall_loss]");
  text.replace(begin, end - begin,
               "[anomalous_transport]\nmodel = \"simple_logistic_shift\"\n"
               "[anomalous_transport.base]\nmodel = \"multi_log_bohm\"\n\n");
  // Parsed text has no folder to resolve the data paths against.
  for (std::size_t at = text.find("../../data/"); at != std::string::npos; at = text.find("../../data/")) {
    text.replace(at, 11, (source_dir / "data").string() + "/");
  }
  for (const char* setting :
       {"thruster.inner_radius_m=0.0345", "discharge.anode_electron_temperature_ev=2.0",
        "discharge.cathode_electron_temperature_ev=2.0", "propellants[0].neutral_temperature_k=500.0",
        "background_gas.temperature_k=100.0", "physics.solve_plume=false",
        "wall_loss.transition_length_m=0.0025"}) {
    overrides.insert(overrides.begin(), setting);
  }
  return hd::config::Document::parse(text, "spt100.toml (data setup)", overrides);
}

class ReferencePriorDraws {
 public:
  ReferencePriorDraws()
      : document_(hd::config::Document::parse(hd::testing::kReferencePrior, "reference prior")),
        prior_(hd::prior::read_prior(document_.root().table("params"))),
        profiles_(hd::prior::AnomalousProfileModel{}) {}

  const hd::prior::Prior& prior() const { return prior_; }

  // Sets the draw of simulation `index` on `config` (a data_setup_config()); returns the
  // drawn parameters by name.
  std::vector<std::pair<std::string, double>> apply(hd::config::Document& config, std::uint64_t seed,
                                                    std::uint64_t index) const {
    const std::vector<double> values = hd::prior::draw_parameters(prior_, seed, index);
    std::vector<std::pair<std::string, double>> drawn;
    for (std::size_t k = 0; k < values.size(); ++k) drawn.emplace_back(prior_.parameters[k].name, values[k]);
    const auto value = [&](const std::string& name) { return values[*prior_.index_of(name)]; };
    const std::string origin = "reference prior draw " + std::to_string(index);
    for (const auto& [parameter, key] : std::vector<std::pair<std::string, std::string>>{
             {"discharge_voltage_v", "discharge.discharge_voltage_v"},
             {"anode_mass_flow_rate_kg_s", "propellants[0].anode_mass_flow_rate_kg_s"},
             {"magnetic_field_scale", "thruster.magnetic_field.scale"},
             {"cathode_coupling_voltage_v", "discharge.cathode_coupling_voltage_v"},
             {"neutral_velocity_m_s", "propellants[0].neutral_velocity_m_s"},
             {"wall_loss_scale", "wall_loss.loss_scale"},
             {"background_pressure_torr", "background_gas.pressure_torr"},
             {"anom_shift_scale", "anomalous_transport.shift_length"}}) {
      config.set(key, value(parameter), origin);
    }
    // The reference prior's multiplier assumes the reference code's Torr-as-pascals: the same
    // ingested flow needs 1/133.322 of it in hallsim's units (docs/physics.md section 5.3).
    config.set("background_gas.ingestion_scale",
               value("neutral_ingestion_scale") / constants::pascal_per_torr, origin);
    const hd::prior::AnomalousProfileShape shape = hd::prior::shape_from_parameters(prior_, values);
    config.set("anomalous_transport.base.z_channel_lengths", profiles_.nodes(), origin);
    config.set("anomalous_transport.base.c", profiles_.draw(shape, seed, index), origin);
    return drawn;
  }

 private:
  hd::config::Document document_;
  hd::prior::Prior prior_;
  hd::prior::AnomalousProfileSampler profiles_;
};

}  // namespace hd::hallsim::test
