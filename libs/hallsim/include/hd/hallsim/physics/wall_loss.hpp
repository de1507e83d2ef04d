// SPDX-License-Identifier: GPL-3.0-or-later
// Electron energy and momentum losses to the channel walls (docs/physics.md section 4).
#pragma once
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "hd/hallsim/thruster/thruster.hpp"

namespace hd::config {
class Table;
}

namespace hd::hallsim {

struct NoWallLosses {};

// LANDMARK: W = 1e7 alpha(z) eps exp(-U/eps) per electron, alpha from alpha_inside to
// alpha_outside over the transition; plus a 1e7 s^-1 electron-wall momentum collision
// frequency inside the channel (section 12 item 4: without it the discharge relaxes into
// near-extinction oscillations).
struct ConstantSheathPotential {
  double sheath_potential_v = 20.0;
  double alpha_inside = 1.0;
  double alpha_outside = 1.0;
  double transition_length_m = 0.0025;
  double wall_collision_frequency_hz = 1e7;
};

// Secondary-electron-emission properties of a wall material: yield sigma0 + 1.5 Te / eps*
// (1 - sigma0) (Dunaevsky, Raitses & Fisch 2003).
struct WallMaterial {
  std::string name;
  double see_energy_ev = 40.0;   // eps*
  double see_base_yield = 0.54;  // sigma0
};
// The materials a config may name (docs/physics.md section 4): Alumina, BoronNitride, SiO2,
// BNSiO2, SiC.
const std::vector<WallMaterial>& wall_materials();
// One of wall_materials() by name; an unknown name is an hd::Error listing them.
WallMaterial wall_material(const std::string& name);

// Sheath-limited losses to the channel walls with secondary electron emission: ion wall
// current j_iw = sum_Z Z e h n_Z sqrt(Z e Te / m), h = 0.86 loss_scale / sqrt(3);
// nu_ew = j_iw / (e ne dr (1 - gamma)); W = nu_ew s_p (2 Te + (1 - gamma) phi_s);
// nu_ew_mom = nu_ew in the channel, 0 in the plume.
struct WallSheath {
  WallMaterial material = wall_material("BNSiO2");
  double loss_scale = 1.0;
  double plume_loss_scale = 1.0;  // s_p downstream of the channel
  double transition_length_m = 0.0025;
  // Ions reaching the channel walls recombine and return as neutrals, at the rate
  // nu_iw = h sqrt(Z e Te / m) / dr inside the channel.
  bool ion_wall_losses = false;
};

using WallLoss = std::variant<NoWallLosses, ConstantSheathPotential, WallSheath>;

// Reads [wall_loss]: `model` (none | constant_sheath_potential | wall_sheath, default
// wall_sheath) and that model's keys; transition lengths default to 0.1 L_ch.
WallLoss read_wall_loss(const hd::config::Table& table, const Geometry& geometry);

// What the wall models need to know about the plasma at one position.
struct WallPlasma {
  double z_m = 0.0;
  double channel_length_m = 0.0;
  double channel_width_m = 0.0;  // dr = R_out - R_in
  double te_ev = 0.0;
  double ne_m3 = 0.0;
  // sum_Z Z^1.5 n_Z / sqrt(m_Z) (m^-3 kg^-1/2): the ion wall current is
  // e h sqrt(e Te) times this.
  double ion_wall_flux_moment = 0.0;
  double mean_ion_mass_kg = 0.0;
};

struct WallRates {
  // Energy loss rate per unit electron energy, W/eps (s^-1), so that the loss ne W =
  // rate * n_eps is linear in the implicit unknown n_eps.
  double energy_loss_rate_hz = 0.0;
  // Electron-wall momentum collision frequency nu_ew_mom (s^-1), added to nu_e.
  double momentum_frequency_hz = 0.0;
  // d(energy_loss_rate_hz)/dln Te (s^-1) at fixed densities: the energy step linearizes the
  // loss with it.
  double energy_loss_rate_log_slope_hz = 0.0;
};

WallRates wall_rates(const WallLoss& model, const WallPlasma& plasma);

// The same at every node, from and into arrays with one entry per node: the model is chosen
// once per call, and the node loop vectorizes over the arrays.
struct WallPlasmaNodes {
  std::span<const double> z_m, te_ev, ne_m3, ion_wall_flux_moment, mean_ion_mass_kg;
  double channel_length_m = 0.0;
  double channel_width_m = 0.0;
};
struct WallRateNodes {
  std::span<double> energy_loss_rate_hz, momentum_frequency_hz, energy_loss_rate_log_slope_hz;
};
void wall_rates(const WallLoss& model, const WallPlasmaNodes& plasma, const WallRateNodes& rates);

// h(z) / dr (m^-1) for the ion wall losses: the ion loss frequency of charge state Z is this
// times sqrt(Z e Te / m). Zero unless the model is a WallSheath with ion_wall_losses.
double ion_wall_loss_coefficient(const WallLoss& model, double z_m, double channel_length_m,
                                 double channel_width_m);

}  // namespace hd::hallsim
