// SPDX-License-Identifier: GPL-3.0-or-later
// Everything one simulation needs, as a plain record usable from C++ without TOML.
// `read_config` fills it from the [thruster], [domain], [discharge], [[propellants]],
// [background_gas], [physics], [anomalous_transport], [wall_loss], [numerics] and
// [simulation] tables; the shipped configs/hallsim/*.toml document every key.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "hd/hallsim/collisions/rate_table.hpp"
#include "hd/hallsim/grid/grid.hpp"
#include "hd/hallsim/physics/anomalous_transport.hpp"
#include "hd/hallsim/physics/background_gas.hpp"
#include "hd/hallsim/physics/conductivity.hpp"
#include "hd/hallsim/physics/wall_loss.hpp"
#include "hd/hallsim/thruster/thruster.hpp"

namespace hd::config {
class Document;
class Table;
}  // namespace hd::config

namespace hd::hallsim {

struct Propellant {
  std::string gas = "Xe";  // Xe, Kr, Ar or N2
  double anode_mass_flow_rate_kg_s = 5e-6;
  int max_charge = 1;  // ion fluids Z = 1..max_charge
  double neutral_velocity_m_s = 150.0;
  double neutral_temperature_k = 500.0;  // enters only the neutral Rusanov wave speed
  double ion_temperature_k = 1000.0;
};

enum class AnodeBoundary { dirichlet, sheath };

struct Config {
  Geometry geometry;
  MagneticField magnetic_field = GaussianField{};
  double magnetic_field_scale = 1.0;

  GridKind grid = GridKind::even;
  std::size_t num_cells = 200;
  double domain_length_m = 0.05;

  double discharge_voltage_v = 300.0;
  double cathode_coupling_voltage_v = 0.0;
  // Anode: Dirichlet Te with no sheath, or the sheath model of docs/physics.md section 5
  // (sheath potential from the electron current, Bohm-Hara ion velocity, sheath energy flux).
  AnodeBoundary anode_boundary = AnodeBoundary::sheath;
  double anode_electron_temperature_ev = 2.0;
  double cathode_electron_temperature_ev = 2.0;

  std::vector<Propellant> propellants{Propellant{}};
  BackgroundGas background_gas;

  // LANDMARK conventions (section 13): ions born at rest, pe = n_eps, Q_ohm = ne ue dphi/dz.
  bool landmark = false;
  RateModel ionization = RateModel::lookup;
  RateModel excitation = RateModel::lookup;
  RateModel electron_neutral = RateModel::lookup;
  bool electron_ion_collisions = true;
  double min_electron_temperature_ev = 1.5;
  // Plume expansion of the flow area downstream of the exit with the ion divergence angle
  // (docs/physics.md section 6.8), and thrust times cos(delta_exit) (section 8).
  bool solve_plume = false;
  bool thrust_divergence_correction = false;
  std::filesystem::path rates_directory;      // HallThruster.jl reaction files
  std::filesystem::path landmark_rates_file;  // landmark_rates.csv

  AnomalousTransport anomalous_transport = TwoZoneBohm{};
  WallLoss wall_loss = WallSheath{};
  Conductivity conductivity = Mitchner{};

  bool reconstruct = true;  // MUSCL with van Leer limiter for the ions
  // The same for the neutrals. Off by default, as in the reference code: the strongly
  // diffusive first-order neutral flux is what damps the breathing mode to the reference
  // results at 200 cells (docs/validation.md).
  bool reconstruct_neutrals = false;
  // Courant number of each forward-Euler stage; at most 0.799 (the reference code's
  // empirical ionization limit); 0.5 keeps MUSCL reconstruction total-variation diminishing.
  double cfl = 0.5;
  // Stages s of the SSPRK(s,2) heavy-species step: s forward-Euler stages of dt/(s-1), so
  // one step spans s-1 CFL-limited stages; Ohm's law is solved at every stage, the energy
  // equation and collision frequencies once per step. s = 2 is SSPRK22 (Heun), the
  // reference code's scheme (docs/numerics.md).
  int ssp_stages = 6;
  double implicit_energy_theta = 1.0;  // 1 backward Euler, 0.5 Crank-Nicolson
  // When > 0, the next step is at most dt r_max / r after an energy step that changed n_eps
  // by the relative amount r somewhere (Te and the rates it sets are frozen over a step).
  // Off by default: over the reference prior it cost 14 % more steps and changed neither the
  // failure count nor the distance to small-step solutions (docs/numerics.md).
  double max_energy_change = 0.0;
  double min_dt_s = 1e-10;
  double max_dt_s = 1e-7;

  double duration_s = 2e-3;
  double average_start_time_s = 1e-3;
  std::size_t num_save = 1000;
  long long max_steps = 100'000'000;
  double max_wall_time_s = 3600.0;
  int max_small_steps = 100;  // consecutive steps at min_dt_s before the run is a failure
};

// Reads and validates every table of a simulation config and rejects unknown keys.
// Errors name the file, line and key (hd::config); a missing rate or field file names it.
Config read_config(const hd::config::Table& root);

// hd_config's check of a simulation config file (kind "hallsim").
void check_config(const hd::config::Document& document);

}  // namespace hd::hallsim
