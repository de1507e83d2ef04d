// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/wall_loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "hd/common/config.hpp"
#include "hd/common/error.hpp"
#include "hd/common/model_family.hpp"
#include "hd/hallsim/constants.hpp"
#include "hd/hallsim/physics/transition.hpp"

#include "numerics/vector_math.hpp"

namespace hd::hallsim {

const std::vector<WallMaterial>& wall_materials() {
  // (eps* in eV, sigma0), docs/physics.md section 4
  static const std::vector<WallMaterial> materials{{"Alumina", 22.0, 0.57},
                                                   {"BoronNitride", 45.0, 0.24},
                                                   {"SiO2", 18.0, 0.50},
                                                   {"BNSiO2", 40.0, 0.54},
                                                   {"SiC", 43.0, 0.69}};
  return materials;
}

namespace {

std::vector<std::string> material_names() {
  std::vector<std::string> names;
  for (const WallMaterial& m : wall_materials()) names.push_back(m.name);
  return names;
}

}  // namespace

WallMaterial wall_material(const std::string& name) {
  for (const WallMaterial& m : wall_materials()) {
    if (m.name == name) return m;
  }
  std::string list;
  for (const std::string& n : material_names()) list += (list.empty() ? "" : ", ") + n;
  throw Error("unknown wall material '" + name + "' (choices: " + list + ")");
}

namespace {

// Sheath-edge density factor h = 0.86 loss_scale / sqrt(3) of the ion wall flux.
double edge_factor(const WallSheath& m) {
  return m.loss_scale * 0.86 / std::sqrt(3.0);
}

struct Rates {
  const WallPlasma& p;

  WallRates operator()(const NoWallLosses&) const { return {}; }

  WallRates operator()(const ConstantSheathPotential& m) const {
    const double alpha =
        linear_transition(p.z_m, p.channel_length_m, m.transition_length_m, m.alpha_inside, m.alpha_outside);
    const double eps = 1.5 * p.te_ev;
    // W / eps = 1e7 alpha exp(-U / eps); nu_ew_mom = 1e7 s^-1 in the channel, 0 in the plume
    const double rate = m.wall_collision_frequency_hz * alpha * std::exp(-m.sheath_potential_v / eps);
    // d(W/eps)/dln Te = (W/eps) U / eps
    return {rate,
            linear_transition(p.z_m, p.channel_length_m, m.transition_length_m, m.wall_collision_frequency_hz,
                              0.0),
            rate * m.sheath_potential_v / eps};
  }

  WallRates operator()(const WallSheath& m) const {
    constexpr double e = constants::elementary_charge_c, me = constants::electron_mass_kg;
    const double te = p.te_ev;
    // gamma = min(1 - 8.3 sqrt(m_e / m_i), sigma0 + 1.5 Te / eps* (1 - sigma0)): the cap is
    // the space-charge-limited emission
    const double sigma0 = m.material.see_base_yield;
    const double yield_slope =
        1.5 / m.material.see_energy_ev * (1.0 - sigma0);  // d gamma / d Te below the cap
    const double space_charge_cap = 1.0 - 8.3 * std::sqrt(me / p.mean_ion_mass_kg);
    const double linear_yield = sigma0 + yield_slope * te;
    const double gamma = std::min(space_charge_cap, linear_yield);
    // j_iw = e h sqrt(e Te) sum Z^1.5 n_Z / sqrt(m_Z)
    const double h = edge_factor(m);
    const double ion_wall_current = e * h * std::sqrt(e * te) * p.ion_wall_flux_moment;
    // nu_ew = j_iw / (e ne dr (1 - gamma))
    const double nu_ew = ion_wall_current / (e * p.ne_m3 * p.channel_width_m * (1.0 - gamma));
    // phi_s = Te ln[(1 - gamma) sqrt(m_i / (2 pi m_e))]
    const double sheath_potential =
        te * std::log((1.0 - gamma) * std::sqrt(p.mean_ion_mass_kg / (2.0 * constants::pi * me)));
    const double plume_scale =
        linear_transition(p.z_m, p.channel_length_m, m.transition_length_m, 1.0, m.plume_loss_scale);
    // W = nu_ew s_p (2 Te + (1 - gamma) phi_s), per unit eps = 1.5 Te
    const double power_per_electron = nu_ew * plume_scale * (2.0 * te + (1.0 - gamma) * sheath_potential);
    const double rate = power_per_electron / (1.5 * te);
    // With q = 1 - gamma and L = phi_s / Te, W/eps = c sqrt(Te) (2/q + L), so
    // d(W/eps)/dln Te = (W/eps) [1/2 + Te gamma' (2 - q) / (q^2 (2/q + L))], gamma' = 0 at the cap.
    const double q = 1.0 - gamma;
    const double gamma_slope = linear_yield < space_charge_cap ? yield_slope : 0.0;
    const double log_slope = 0.5 + te * gamma_slope * (2.0 - q) / (q * q * (2.0 / q + sheath_potential / te));
    return {rate, linear_transition(p.z_m, p.channel_length_m, m.transition_length_m, nu_ew, 0.0),
            rate * log_slope};
  }
};

}  // namespace

WallRates wall_rates(const WallLoss& model, const WallPlasma& plasma) {
  return std::visit(Rates{plasma}, model);
}

namespace {

// The node loop of wall_rates() with every array a distinct __restrict parameter: the
// compiler then knows the stores touch neither the inputs nor the model, and vectorizes.
template <class Model>
void rates_at_nodes(const Model& model, std::size_t n, const double* __restrict z_m,
                    const double* __restrict te_ev, const double* __restrict ne_m3,
                    const double* __restrict ion_wall_flux_moment, const double* __restrict mean_ion_mass_kg,
                    double channel_length_m, double channel_width_m, double* __restrict energy_loss_rate_hz,
                    double* __restrict momentum_frequency_hz,
                    double* __restrict energy_loss_rate_log_slope_hz) {
  for (std::size_t i = 0; i < n; ++i) {
    const WallPlasma p{z_m[i],   channel_length_m,        channel_width_m,    te_ev[i],
                       ne_m3[i], ion_wall_flux_moment[i], mean_ion_mass_kg[i]};
    const WallRates r = Rates{p}(model);
    energy_loss_rate_hz[i] = r.energy_loss_rate_hz;
    momentum_frequency_hz[i] = r.momentum_frequency_hz;
    energy_loss_rate_log_slope_hz[i] = r.energy_loss_rate_log_slope_hz;
  }
}

}  // namespace

void wall_rates(const WallLoss& model, const WallPlasmaNodes& plasma, const WallRateNodes& rates) {
  std::visit(
      [&](const auto& m) {
        rates_at_nodes(m, plasma.z_m.size(), plasma.z_m.data(), plasma.te_ev.data(), plasma.ne_m3.data(),
                       plasma.ion_wall_flux_moment.data(), plasma.mean_ion_mass_kg.data(),
                       plasma.channel_length_m, plasma.channel_width_m, rates.energy_loss_rate_hz.data(),
                       rates.momentum_frequency_hz.data(), rates.energy_loss_rate_log_slope_hz.data());
      },
      model);
}

namespace {

using hd::config::Range;
using hd::config::Table;

double transition_length_m(const Table& t, const Geometry& g) {
  return t.get_double_or("transition_length_m", 0.1 * g.channel_length_m, Range::non_negative());
}

WallLoss read_constant_sheath_potential(const Table& t, const Geometry& g) {
  ConstantSheathPotential m;
  m.sheath_potential_v = t.get_double_or("sheath_potential_v", m.sheath_potential_v, Range::positive());
  m.alpha_inside = t.get_double_or("alpha_inside", m.alpha_inside, Range::non_negative());
  m.alpha_outside = t.get_double_or("alpha_outside", m.alpha_outside, Range::non_negative());
  m.transition_length_m = transition_length_m(t, g);
  m.wall_collision_frequency_hz =
      t.get_double_or("wall_collision_frequency_hz", m.wall_collision_frequency_hz, Range::non_negative());
  return m;
}

WallLoss read_wall_sheath(const Table& t, const Geometry& g) {
  WallSheath m;
  m.material = wall_material(t.get_choice_or("material", material_names(), m.material.name));
  m.loss_scale = t.get_double_or("loss_scale", m.loss_scale, Range::non_negative());
  m.plume_loss_scale = t.get_double_or("plume_loss_scale", m.plume_loss_scale, Range::non_negative());
  m.transition_length_m = transition_length_m(t, g);
  m.ion_wall_losses = t.get_bool_or("ion_wall_losses", false);
  return m;
}

const hd::config::ModelFamily<WallLoss, Geometry> wall_models{
    {"none", [](const Table&, const Geometry&) { return WallLoss{NoWallLosses{}}; }},
    {"constant_sheath_potential", read_constant_sheath_potential},
    {"wall_sheath", read_wall_sheath}};

}  // namespace

WallLoss read_wall_loss(const Table& table, const Geometry& geometry) {
  return wall_models.read(table, "model", "wall_sheath", geometry);
}

double ion_wall_loss_coefficient(const WallLoss& model, double z_m, double channel_length_m,
                                 double channel_width_m) {
  const auto* m = std::get_if<WallSheath>(&model);
  if (m == nullptr || !m->ion_wall_losses) return 0.0;
  // h / dr inside the channel, none in the plume
  return linear_transition(z_m, channel_length_m, m->transition_length_m, edge_factor(*m) / channel_width_m,
                           0.0);
}

}  // namespace hd::hallsim
