// SPDX-License-Identifier: GPL-3.0-or-later
// The massless, quasineutral electron fluid on the N+2 node layout (docs/physics.md
// sections 1-4): collision frequencies, mobility, discharge current, field, potential,
// drift, and the energy equation. All arrays are allocated once.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "hd/hallsim/collisions/reactions.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/hallsim/grid/grid.hpp"
#include "hd/hallsim/numerics/electron_energy.hpp"
#include "hd/hallsim/physics/plume.hpp"
#include "hd/hallsim/physics/wall_loss.hpp"

namespace hd::hallsim {

class HeavySpecies;

class ElectronFields {
 public:
  // `area` is the flow cross-section, updated by the caller when the plume expands.
  ElectronFields(const Config& config, const Grid& grid, const Chemistry& chemistry, const FlowArea& area);

  // Sets n_eps = 1.5 ne Te from the section 13 Te profile, then the collisions and fields.
  void initialize(const HeavySpecies& heavy);
  // The algebraic part, at every stage of the heavy-species step: ne and ji from the ions
  // (quasineutrality), Id, E, phi and ue, with the collision frequencies of the last
  // update_collisions(). Ohm's law
  // couples E to the ions on the ion transit time of a cell, so it must follow every stage.
  void update_fields(const HeavySpecies& heavy);
  // update_fields() for the heavy state of the last update_fields() after the energy step
  // and the collision update: only the ghost-cell nodes (the anode ghosts follow Te and the
  // sheath) and 1 / (e mu ne) have changed, then Ohm's law.
  void refresh_fields(const HeavySpecies& heavy);
  // The Te-dependent part, once per step: rate coefficients k(eps), nu_en, nu_ei, nu_wall,
  // nu_e, mobility and the wall loss rates, at the densities of the last update_fields() and
  // the fluids' node densities of the last energy_step(). They reach E and the
  // heavy-species sources at the next update_fields().
  void update_collisions();
  // One implicit energy step with the fields of update_fields() and the collisions of
  // update_collisions(); then Te, pe, grad pe. Each fluid's node densities (the reactants of
  // the inelastic losses and of the collisions) are taken from `heavy` first: once per step,
  // where the stages need only the sums of update_fields(). Returns the largest relative
  // change of n_eps over the nodes, max |n_eps+ - n_eps| / n_eps.
  double energy_step(const HeavySpecies& heavy, double dt_s);

  // Names and units of the electron profiles, in the order accumulate_profiles() adds them.
  void profile_names(std::vector<std::pair<std::string, std::string>>& names_units) const;
  // Integrates phi, then adds the profiles to sums[k...]; returns the next free index.
  std::size_t accumulate_profiles(std::vector<std::vector<double>>& sums, std::size_t k);

  // Node arrays (N+2): boundary faces at 0 and N+1, cell centres between.
  std::vector<double> ne_m3, ji_a_m2, te_ev, energy_density_ev_m3, pe_ev_m3, grad_pe_ev_m4;
  // potential_v is integrated from E only for the saved frames (compute_potential()).
  std::vector<double> electric_field_v_m, potential_v, ue_m_s, mobility_m2_v_s;
  std::vector<double> nu_e_hz, nu_an_hz, nu_en_hz, nu_ei_hz, nu_wall_hz, nu_inelastic_hz;
  std::vector<double> magnetic_field_t, cyclotron_frequency_hz, ionization_rate_m3_s;
  // Number-averaged ion velocity sum n_Z u_Z / sum n_Z and mean ion mass (update_collisions()).
  std::vector<double> ion_velocity_m_s, ion_mass_kg;
  // Outside LANDMARK mode: the drift energy K = m_e (1 + Omega^2) ue^2 / (2e) (eV), added to
  // the mean energy in rate lookups, and the electron drag D (V/m) in Ohm's law.
  std::vector<double> drift_energy_ev, drag_v_m;
  // k(eps) per ionization reaction (m^3/s) of the last update_collisions(): the heavy-species
  // source frequency is k ne.
  std::vector<std::vector<double>> ionization_coefficient_m3_s;
  double discharge_current_a = 0.0;
  // Changes whenever te_ev does, so that quantities derived from Te can be cached.
  std::uint64_t temperature_version() const { return temperature_version_; }
  // Anode sheath potential V_s (V) of the last field solve, used by the next: V_L = Vd + V_s.
  // Zero in LANDMARK mode and with the Dirichlet anode.
  double anode_sheath_potential_v = 0.0;

 private:
  // The densities part of update_fields() in three: the quasineutral sums over the interior
  // cells and over the two boundary nodes (from the ghost cells), then eta = 1 / (e mu ne).
  void compute_densities(const HeavySpecies& heavy);
  // The arrays sum_cells() and sum_boundary_nodes() accumulate: ne, ji and the ion and
  // neutral number and flux densities.
  std::array<std::vector<double>*, 6> quasineutral_sums();
  void sum_cells(const HeavySpecies& heavy);
  void sum_boundary_nodes(const HeavySpecies& heavy);
  void update_resistivity();
  void compute_species_densities(const HeavySpecies& heavy);
  void solve_ohms_law();
  // The drift energy K is needed only by the rate lookups and the energy step, once per step.
  void compute_drift_energy();
  // The rate tables' energies 1.5 Te (elastic, the LANDMARK lumped loss) and eps = 1.5 Te + K
  // (ionization, excitation) from Te and K, each located once for all its tables; the second
  // alone where only K has changed.
  void locate_energies();
  void locate_lookup_energies();
  void compute_pressure();
  void compute_potential();

  const Config& config_;
  const Grid& grid_;
  const Chemistry& chemistry_;
  std::size_t n_ = 0;
  const FlowArea& area_;
  // The wall model's energy loss rate W / eps and its slope d(W/eps)/dln Te (s^-1); its
  // momentum frequency is nu_wall_hz.
  std::vector<double> wall_energy_loss_rate_hz_, wall_loss_log_slope_hz_;
  std::vector<double> wall_flux_coefficient_;      // per fluid: Z^1.5 / sqrt(m) (0 for neutrals)
  std::vector<double> resistivity_ohm_m_;          // 1 / (e mu ne)
  std::vector<double> resistivity_times_density_;  // 1 / (e mu), fixed for a step
  std::vector<double> lookup_energy_ev_;           // eps = 1.5 Te + K of the rate lookups
  std::vector<double> thermal_energy_ev_;          // 1.5 Te, the elastic rate's energy
  std::vector<double> rate_coefficient_m3_s_;      // one reaction's k(eps) at a time
  std::vector<double> inelastic_loss_ev_m3_s_;     // the energy step's inelastic loss per volume
  std::vector<double> z_eff_;                      // ne / sum n_Z
  std::vector<double> previous_energy_density_;    // n_eps before the energy step
  // sum_Z n_Z, sum_Z n_Z u_Z, and the same over the neutrals, at the nodes
  std::vector<double> ion_density_m3_, ion_flux_m2_s_, neutral_density_m3_, neutral_flux_m2_s_;
  // sum_Z m_Z n_Z (kg m^-3) and sum_Z Z^1.5 n_Z / sqrt(m_Z) at the nodes, for the wall model
  std::vector<double> ion_mass_density_, wall_flux_moment_;
  std::uint64_t temperature_version_ = 0;
  std::vector<double> inverse_density_;                           // 1 / ne (m^3)
  std::vector<std::array<double, 3>> gradient_weights_;           // d/dz stencil on the nodes
  std::vector<double> trapezoid_weights_m_;                       // int dz over the nodes
  // Number density (m^-3) and flux density n u (m^-2 s^-1) of every fluid on the nodes (the
  // neutrals of propellant p are fluid p).
  std::vector<std::vector<double>> node_density_m3_, node_flux_m2_s_;
  EnergyCoefficients energy_;
  TridiagonalWorkspace tridiagonal_;
  TablePositions thermal_position_, lookup_position_;  // of thermal_energy_ev_ and lookup_energy_ev_
};

}  // namespace hd::hallsim
