// SPDX-License-Identifier: GPL-3.0-or-later
// A hallsim config from given values instead of prior draws: what `sample --check-simulate`
// reruns (docs/inverse.md "Posterior predictive check"). The data config's base config and
// fixed overrides, every given parameter written to its `sets` key, the parameters not
// given drawn from the prior, and the anomalous transport table replaced whole by the
// given node profile c(z), so that the simulation sees exactly that profile (a pressure
// shift around it would move it again).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hd/datagen/data_config.hpp"
#include "hd/hallsim/config.hpp"

namespace hd::datagen {

struct GivenValues {
  std::map<std::string, double> parameters;  // prior parameter name -> value
  std::vector<double> z_m;                   // nodes of the anomalous profile (increasing)
  std::vector<double> c;                     // inverse Hall parameter at the nodes, > 0
  std::uint64_t seed = 0;  // draws the parameters not given: prior::draw_parameters(prior, seed, 0)
};

struct GivenSimulation {
  hallsim::Config config;
  std::string toml;                  // the resolved hallsim config
  std::vector<std::string> drawn;    // prior parameters not given, drawn from the prior
  std::vector<std::string> ignored;  // parameters whose `sets` key lies in the replaced transport table
};

// The hallsim table the anomalous profile replaces: the top table of [anomalous_profile]
// `sets` ("anomalous_transport" for "anomalous_transport.base"), or "anomalous_transport".
std::string anomalous_transport_table(const DataConfig& config);

// Throws hd::Error naming the data config entry for a given parameter the prior does not
// have, and where hallsim refuses the result.
// With Attempt::retry the data config's retry_overrides come last.
GivenSimulation configure_given(const DataConfig& config, const GivenValues& values,
                                Attempt attempt = Attempt::first);

}  // namespace hd::datagen
