// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/functionals.hpp"

#include "hd/common/error.hpp"

namespace hd::inverse {

namespace {

constexpr double kElementaryCharge = 1.602176634e-19;  // C

const torch::Tensor& profile(const Profiles& profiles, const std::string& name) {
  const auto it = profiles.find(name);
  if (it == profiles.end()) throw Error("computing a scalar from the profiles needs the profile " + name);
  return it->second;
}

// The charge states Z = 1, 2, ... with both ni_Z and ui_Z present.
std::vector<int> charge_states(const Profiles& profiles) {
  std::vector<int> states;
  for (int z = 1;
       profiles.contains("ni_" + std::to_string(z)) && profiles.contains("ui_" + std::to_string(z)); ++z)
    states.push_back(z);
  if (states.empty()) throw Error("computing a scalar from the profiles needs ni_1 and ui_1");
  return states;
}

}  // namespace

torch::Tensor discharge_current(const Profiles& p, double channel_area_m2) {
  auto flux = -profile(p, "ne") * profile(p, "ue");
  for (int z : charge_states(p))
    flux = flux + static_cast<double>(z) * profile(p, "ni_" + std::to_string(z)) *
                      profile(p, "ui_" + std::to_string(z));
  return kElementaryCharge * channel_area_m2 * flux.mean(1);
}

torch::Tensor thrust(const Profiles& p, const ThrusterConstants& constants) {
  torch::Tensor momentum_flux;
  for (int z : charge_states(p)) {
    const auto term = profile(p, "ni_" + std::to_string(z)) * profile(p, "ui_" + std::to_string(z)).square();
    momentum_flux = momentum_flux.defined() ? momentum_flux + term : term;
  }
  const auto length = momentum_flux.size(1);
  return constants.channel_area_m2 * constants.ion_mass_kg *
         (momentum_flux.select(1, length - 1) - momentum_flux.select(1, 0));
}

torch::Tensor evaluate(Functional functional, const Profiles& profiles, const ThrusterConstants& constants) {
  return functional == Functional::discharge_current ? discharge_current(profiles, constants.channel_area_m2)
                                                     : thrust(profiles, constants);
}

Profiles physical_profiles(const torch::Tensor& x, const ModelSpace& space,
                           const std::vector<std::string>& names) {
  Profiles out;
  for (const auto& name : names) {
    const std::size_t c = space.channel(name);
    if (c == space.channels.size()) throw Error("the model has no channel " + name);
    const auto t = x.select(1, static_cast<std::int64_t>(c)).to(torch::kFloat64) * space.fields.std[c] +
                   space.fields.mean[c];
    out[name] = space.fields.log[c] ? t.exp() : t;
  }
  return out;
}

}  // namespace hd::inverse
