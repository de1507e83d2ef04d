// SPDX-License-Identifier: GPL-3.0-or-later
// Heavy species of one simulation (docs/physics.md section 1, 5, 6): neutral continuity per
// propellant and isothermal Euler per ion charge state, finite volumes on the grid.
// State vector layout (what ARKODE integrates): rho of every neutral fluid (N values each),
// then (rho, rho u) of every ion fluid; ghost cells live only in the padded workspace.
#pragma once
#include <array>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hd/hallsim/collisions/reactions.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/hallsim/grid/grid.hpp"
#include "hd/hallsim/numerics/finite_volume.hpp"
#include "hd/hallsim/physics/plume.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

namespace hd::hallsim {

class ElectronFields;

class HeavySpecies {
 public:
  // `area` is the flow cross-section, updated by the caller when the plume expands.
  HeavySpecies(const Config& config, const Grid& grid, const Chemistry& chemistry, const FlowArea& area);

  std::size_t state_size() const { return state_size_; }
  std::size_t num_fluids() const { return fluids_.size(); }
  const Fluid& fluid(std::size_t f) const { return fluids_[f]; }

  // Section 13 initial state: Gaussian ion density, quadratic ion velocity, tanh neutral step.
  void initial_state(double* y) const;

  // Floored padded copies of the state with boundary ghost cells (anode ions use the
  // first-cell electron temperature and the anode sheath potential of `electrons`).
  void fill_padded(const double* y, const ElectronFields& electrons);
  // The ghost cells alone, for the state of the last fill_padded() and new electron fields.
  void refresh_boundaries(const ElectronFields& electrons);
  // Padded mass density rho (kg/m^3) and momentum density rho u of fluid f (N+2 values).
  const std::vector<double>& rho(std::size_t f) const { return rho_[f]; }
  const std::vector<double>& rho_u(std::size_t f) const { return rho_u_[f]; }
  // Number density (m^-3) and flux density n u (m^-2 s^-1) of fluid f at the N+2 electron
  // nodes: the cells, and at the two boundary nodes the ghost-interior mean (section 13).
  void node_densities(std::size_t f, std::span<double> n_m3, std::span<double> flux_m2_s) const;
  // The same at one boundary node i (0 or N+1), and 1 / m of fluid f (kg^-1), for callers that
  // take the interior nodes straight from rho() and rho_u().
  double density_at_node(std::size_t f, std::size_t i) const {
    return node_value(rho_[f], i) / fluids_[f].mass_kg;
  }
  double flux_at_node(std::size_t f, std::size_t i) const {
    return node_value(rho_u_[f], i) / fluids_[f].mass_kg;
  }
  double inverse_mass(std::size_t f) const { return inverse_mass_[f]; }

  // dy/dt of the heavy species (fluxes, ionization, E force, wall losses) at the state of
  // the last fill_padded(), with the given electron fields.
  void rhs(const ElectronFields& electrons, double* ydot);
  // rho >= m * 1 m^-3 keeping the velocity (post-step projection). Returns false when the
  // state holds a NaN or infinity.
  bool apply_floors(double* y) const;
  // Mass fluxes (kg m^-2 s^-1) through the anode and cathode faces of fluid f from the last
  // rhs() call, for conservation checks.
  const std::array<double, 2>& boundary_mass_flux(std::size_t f) const { return boundary_flux_[f]; }

  StabilityLimits stability_limits(double cfl, const ElectronFields& electrons) const;

  // At the exit (the last cell), docs/physics.md section 8:
  // thrust (N), sum over ions of A m n u^2 at the exit minus at the anode face;
  double thrust_n() const;
  // ion current (A), e A sum Z n u;
  double ion_current_a() const;
  // ion mass flow (kg/s), A sum m n u;
  double ion_mass_flow_kg_s() const;
  // mean kinetic energy of the singly charged ions, sum n_1 m u_1^2 / 2 / sum n_1, in eV.
  double singly_charged_energy_ev() const;
  // Mass flow (kg/s) entering with the neutrals of propellant p at the anode: the anode flow
  // and the ingested background gas (section 5.3).
  double anode_inflow_kg_s(std::size_t p) const { return anode_inflow_kg_s_[p]; }

  // Names and units of this state's profiles, in the order accumulate_profiles() adds them.
  void profile_names(std::vector<std::pair<std::string, std::string>>& names_units) const;
  // Adds this state's profiles to sums[k...]; returns the next free index.
  std::size_t accumulate_profiles(std::vector<std::vector<double>>& sums, std::size_t k) const;

 private:
  std::size_t offset_rho(std::size_t f) const;
  std::size_t offset_rho_u(std::size_t f) const { return offset_rho(f) + n_; }
  void apply_boundaries(double te_anode_ev, double sheath_potential_v);
  void update_ion_wall_frequencies(const ElectronFields& electrons);
  double node_value(const std::vector<double>& padded, std::size_t i) const {
    if (i == 0) return 0.5 * (padded[0] + padded[1]);
    if (i == n_ + 1) return 0.5 * (padded[n_] + padded[n_ + 1]);
    return padded[i];
  }

  const Config& config_;
  const Grid& grid_;
  const Chemistry& chemistry_;
  std::vector<Fluid> fluids_;
  std::size_t n_ = 0;
  std::size_t num_neutrals_ = 0;
  std::size_t state_size_ = 0;
  const FlowArea& area_;
  std::vector<double> anode_inflow_kg_s_;  // per propellant
  std::vector<std::vector<double>> rho_, rho_u_;
  std::vector<double> inverse_mass_;               // 1 / m per fluid (kg^-1)
  std::vector<double> ion_wall_loss_coefficient_;  // h / dr per padded cell (m^-1), empty when off
  // nu_iw per ion fluid and padded cell (s^-1), for the Te of ion_wall_frequency_version_
  std::vector<std::vector<double>> ion_wall_frequency_hz_;
  std::uint64_t ion_wall_frequency_version_ = std::numeric_limits<std::uint64_t>::max();
  FaceWorkspace faces_;
  std::vector<std::array<double, 2>> boundary_flux_;
};

}  // namespace hd::hallsim
