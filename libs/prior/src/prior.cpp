// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/prior/prior.hpp"

#include <algorithm>

namespace hd::prior {

std::optional<std::size_t> Prior::index_of(std::string_view name) const {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].name == name) return i;
  }
  return std::nullopt;
}

Prior read_prior(const config::Table& params) {
  std::vector<std::string> names = params.keys();
  std::sort(names.begin(), names.end());
  Prior prior;
  for (const std::string& name : names)
    prior.parameters.push_back({name, read_distribution(params.table(name))});
  return prior;
}

RngStream parameter_stream(std::uint64_t master_seed, std::uint64_t index, std::string_view name) {
  const std::string purpose = "prior.params." + std::string(name);
  return RngStream(master_seed, index, purpose_tag(purpose.c_str()));
}

std::vector<double> draw_parameters(const Prior& prior, std::uint64_t master_seed, std::uint64_t index) {
  std::vector<double> values;
  values.reserve(prior.parameters.size());
  for (const Parameter& p : prior.parameters) {
    RngStream rng = parameter_stream(master_seed, index, p.name);
    values.push_back(draw(p.distribution, rng));
  }
  return values;
}

}  // namespace hd::prior
