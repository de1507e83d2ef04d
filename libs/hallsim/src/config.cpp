// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/config.hpp"

#include <filesystem>

#include "hd/common/config.hpp"
#include "hd/common/error.hpp"
#include "hd/hallsim/collisions/reactions.hpp"

namespace hd::hallsim {
namespace {

using hd::config::Range;
using hd::config::Table;

std::filesystem::path existing_file(const Table& t, std::string_view key) {
  auto path = t.get_path(key);
  if (!std::filesystem::is_regular_file(path)) t.fail(key, "file not found: " + path.string());
  return path;
}

void read_thruster(const Table& t, Config& c) {
  c.geometry.channel_length_m = t.get_double_or("channel_length_m", 0.025, Range::positive());
  c.geometry.inner_radius_m = t.get_double_or("inner_radius_m", 0.0345, Range::non_negative());
  c.geometry.outer_radius_m = t.get_double_or("outer_radius_m", 0.05, Range::positive());
  if (c.geometry.outer_radius_m <= c.geometry.inner_radius_m) {
    t.fail("outer_radius_m", "must exceed inner_radius_m");
  }
  const Table b = t.table_or_empty("magnetic_field");
  c.magnetic_field_scale = b.get_double_or("scale", 1.0, Range::non_negative());
  const std::string model = b.get_choice_or("model", {"gaussian", "file"}, "gaussian");
  if (model == "gaussian") {
    GaussianField g;
    g.peak_t = b.get_double_or("peak_t", g.peak_t, Range::positive());
    g.width_upstream_m = b.get_double_or("width_upstream_m", g.width_upstream_m, Range::positive());
    g.width_downstream_m = b.get_double_or("width_downstream_m", g.width_downstream_m, Range::positive());
    c.magnetic_field = g;
  } else {
    c.magnetic_field = read_field_table(existing_file(b, "file"));
  }
}

void read_propellants(const Table& root, Config& c) {
  const auto tables = root.tables("propellants");
  if (tables.empty()) root.fail("propellants", "needs at least one [[propellants]] block");
  c.propellants.clear();
  for (const Table& t : tables) {
    Propellant p;
    p.gas = t.get_choice_or("gas", gas_names(), "Xe");
    p.anode_mass_flow_rate_kg_s = t.get_double("anode_mass_flow_rate_kg_s", Range::positive());
    p.max_charge = static_cast<int>(t.get_int_or("max_charge", 1, {1, 3}));
    p.neutral_velocity_m_s = t.get_double_or("neutral_velocity_m_s", 150.0, Range::positive());
    p.neutral_temperature_k = t.get_double_or("neutral_temperature_k", 500.0, Range::non_negative());
    p.ion_temperature_k = t.get_double_or("ion_temperature_k", 1000.0, Range::non_negative());
    c.propellants.push_back(p);
  }
}

void read_physics(const Table& t, Config& c) {
  c.landmark = t.get_bool_or("landmark", false);
  const std::string fallback = c.landmark ? "landmark" : "lookup";
  c.ionization = read_rate_model(t, "ionization_model", fallback);
  c.excitation = read_rate_model(t, "excitation_model", fallback);
  c.electron_neutral = read_rate_model(t, "electron_neutral_model", fallback);
  c.electron_ion_collisions = t.get_bool_or("electron_ion_collisions", !c.landmark);
  c.min_electron_temperature_ev = t.get_double_or("min_electron_temperature_ev", 1.5, Range::positive());
  const bool uses_landmark_table = c.ionization == RateModel::landmark || c.excitation == RateModel::landmark;
  const bool uses_lookup = c.ionization == RateModel::lookup || c.excitation == RateModel::lookup ||
                           c.electron_neutral == RateModel::lookup;
  if (uses_landmark_table) c.landmark_rates_file = existing_file(t, "landmark_rates_file");
  if (uses_lookup) {
    c.rates_directory = t.get_path("rates_directory");
    if (!std::filesystem::is_directory(c.rates_directory)) {
      t.fail("rates_directory", "folder not found: " + c.rates_directory.string());
    }
  }
  c.conductivity = read_conductivity(t, c.landmark);
  c.solve_plume = t.get_bool_or("solve_plume", false);
  c.thrust_divergence_correction = t.get_bool_or("thrust_divergence_correction", false);
}

}  // namespace

Config read_config(const hd::config::Table& root) {
  Config c;
  read_thruster(root.table_or_empty("thruster"), c);

  const Table domain = root.table_or_empty("domain");
  c.domain_length_m = domain.get_double_or("length_m", 0.05, Range::positive());
  c.num_cells = static_cast<std::size_t>(domain.get_int_or("num_cells", 200, {2, 100000}));
  c.grid =
      domain.get_choice_or("grid", {"even", "uneven"}, "even") == "even" ? GridKind::even : GridKind::uneven;

  const Table discharge = root.table_or_empty("discharge");
  c.discharge_voltage_v = discharge.get_double("discharge_voltage_v", Range::positive());
  c.cathode_coupling_voltage_v =
      discharge.get_double_or("cathode_coupling_voltage_v", 0.0, Range::non_negative());
  c.anode_boundary =
      discharge.get_choice_or("anode_boundary_condition", {"sheath", "dirichlet"}, "sheath") == "sheath"
          ? AnodeBoundary::sheath
          : AnodeBoundary::dirichlet;
  c.anode_electron_temperature_ev =
      discharge.get_double_or("anode_electron_temperature_ev", 2.0, Range::positive());
  c.cathode_electron_temperature_ev =
      discharge.get_double_or("cathode_electron_temperature_ev", 2.0, Range::positive());

  read_propellants(root, c);
  c.background_gas = read_background_gas(root.table_or_empty("background_gas"));
  read_physics(root.table_or_empty("physics"), c);
  c.anomalous_transport = read_anomalous_transport(root.table_or_empty("anomalous_transport"), c.geometry);
  c.wall_loss = read_wall_loss(root.table_or_empty("wall_loss"), c.geometry);

  const Table numerics = root.table_or_empty("numerics");
  c.reconstruct = numerics.get_bool_or("reconstruct", true);
  c.reconstruct_neutrals = numerics.get_bool_or("reconstruct_neutrals", false);
  c.cfl = numerics.get_double_or("cfl", 0.5, {1e-3, 0.799});
  c.ssp_stages = static_cast<int>(numerics.get_int_or("ssp_stages", 6, {2, 16}));
  c.implicit_energy_theta = numerics.get_double_or("implicit_energy_theta", 1.0, {0.5, 1.0});
  c.max_energy_change = numerics.get_double_or("max_energy_change", 0.0, Range::non_negative());
  c.min_dt_s = numerics.get_double_or("min_dt_s", 1e-10, Range::positive());
  c.max_dt_s = numerics.get_double_or("max_dt_s", 1e-7, Range::positive());
  c.max_small_steps = static_cast<int>(numerics.get_int_or("max_small_steps", 100, {1, 1e9}));

  const Table sim = root.table_or_empty("simulation");
  c.duration_s = sim.get_double_or("duration_s", 2e-3, Range::positive());
  c.average_start_time_s =
      sim.get_double_or("average_start_time_s", 0.5 * c.duration_s, Range::non_negative());
  if (c.average_start_time_s >= c.duration_s) sim.fail("average_start_time_s", "must be below duration_s");
  c.num_save = static_cast<std::size_t>(sim.get_int_or("num_save", 1000, {2, 1e7}));
  c.max_steps = sim.get_int_or("max_steps", 100'000'000, {1, 1e15});
  c.max_wall_time_s = sim.get_double_or("max_wall_time_s", 3600.0, Range::positive());

  root.finish();
  return c;
}

void check_config(const hd::config::Document& document) {
  read_config(document.root());
}

}  // namespace hd::hallsim
