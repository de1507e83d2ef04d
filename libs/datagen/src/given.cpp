// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/datagen/given.hpp"

#include "hd/common/error.hpp"
#include "hd/prior/prior.hpp"

namespace hd::datagen {

std::string anomalous_transport_table(const DataConfig& config) {
  if (!config.anomalous_profile) return "anomalous_transport";
  const std::string& table = config.anomalous_profile->table;
  return table.substr(0, table.find('.'));
}

GivenSimulation configure_given(const DataConfig& config, const GivenValues& values, Attempt attempt) {
  const std::string origin = "the given values of " + config.source.string();
  if (values.z_m.size() != values.c.size() || values.z_m.size() < 2)
    throw Error(origin + ": the anomalous profile needs one c per node and at least 2 nodes");
  for (const auto& [name, value] : values.parameters)
    if (!config.prior.index_of(name))
      throw Error(config.source.string() + ": has no parameter " + name +
                  " to set (its [params] tables name them)");

  GivenSimulation out;
  config::Document doc = simulation_document(config);
  const std::string table = anomalous_transport_table(config);
  const std::vector<double> drawn = prior::draw_parameters(config.prior, values.seed, 0);
  for (std::size_t i = 0; i < config.prior.parameters.size(); ++i) {
    const auto& name = config.prior.parameters[i].name;
    const ParameterTarget& target = config.targets[i];
    if (target.key.empty()) continue;  // a shape parameter of the profile, which is given whole
    if (target.key.starts_with(table + ".")) {
      out.ignored.push_back(name);
      continue;
    }
    const auto given = values.parameters.find(name);
    if (given == values.parameters.end()) out.drawn.push_back(name);
    doc.set(target.key, given != values.parameters.end() ? given->second : drawn[i], target.origin);
  }
  doc.set(table + "={model = \"multi_log_bohm\", z_m = " + config::to_toml_value(values.z_m) +
              ", c = " + config::to_toml_value(values.c) + "}",
          origin);
  apply_attempt(config, attempt, doc);
  out.config = hallsim::read_config(doc.root());
  out.toml = doc.to_toml();
  return out;
}

}  // namespace hd::datagen
