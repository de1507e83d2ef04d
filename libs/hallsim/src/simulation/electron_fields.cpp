// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/simulation/electron_fields.hpp"

#include <algorithm>
#include <cmath>

#include "hd/hallsim/constants.hpp"
#include "hd/hallsim/physics/anomalous_transport.hpp"
#include "hd/hallsim/physics/conductivity.hpp"
#include "hd/hallsim/physics/wall_loss.hpp"
#include "hd/hallsim/simulation/heavy_species.hpp"

#include "numerics/vector_math.hpp"

namespace hd::hallsim {
namespace {

constexpr double e = constants::elementary_charge_c;
constexpr double me = constants::electron_mass_kg;
// Reciprocals of constants: the compiler may not turn x / c into x * (1/c) itself.
constexpr double inv_e = 1.0 / e;
constexpr double inv_e_squared = 1.0 / (e * e);
constexpr double electron_density_floor_m3 = 1.0;

// Coulomb logarithm (NRL): 23 - ln(sqrt(ne_cc) Z / Te^1.5) for Te < 10 Z^2, else
// 24 - ln(sqrt(ne_cc) / Te). One logarithm of the selected argument, so that a node loop
// if-converts and vectorizes.
double coulomb_logarithm(double ne_m3, double te_ev, double z) {
  const bool cold = te_ev < 10.0 * z * z;
  const double argument =
      cold ? 1e-6 * ne_m3 * z * z / (te_ev * te_ev * te_ev) : 1e-6 * ne_m3 / (te_ev * te_ev);
  return (cold ? 23.0 : 24.0) - 0.5 * std::log(argument);
}

std::vector<double> zeros(std::size_t n) {
  return std::vector<double>(n, 0.0);
}

// Ohm's law at every node, with Id/A = (Id/A_ch) (A_ch/A):
//   E = (Id/A - ji) / (e mu ne) - (dpe/dz) / ne + D,   ue = (ji - Id/A) / (e ne).
// The arrays are distinct; __restrict on the parameters lets the compiler vectorize.
void field_and_drift(std::size_t m, double j_channel, const double* __restrict area_ratio,
                     const double* __restrict ji, const double* __restrict eta,
                     const double* __restrict grad_pe, const double* __restrict inv_ne,
                     const double* __restrict drag, double* __restrict field, double* __restrict ue) {
  for (std::size_t i = 0; i < m; ++i) {
    const double j_d = j_channel * area_ratio[i];
    field[i] = (j_d - ji[i]) * eta[i] - grad_pe[i] * inv_ne[i] + drag[i];
    ue[i] = (ji[i] - j_d) * inv_ne[i] * inv_e;
  }
}

// One ion fluid's padded cells, its charge number and 1 / m.
struct IonCells {
  const double* rho;
  const double* rho_u;
  double z;
  double inv_m;
};

// The sums that quasineutrality and the drag need, over the interior nodes 1..n of `count`
// ion fluids, straight from their padded cells (node i is cell i; n = rho / m, n u = rho u / m):
// ne += sum Z n, ji += e sum Z n u, and n and n u summed over the ions. Up to three fluids
// (Xe+, Xe2+, Xe3+ of one propellant) in one pass: the sums are read and written once. The
// arrays are distinct; omp simd says so where __restrict cannot reach the structs' pointers.
template <int count>
void add_ion_cells(std::size_t n, const IonCells* ions, double* ne, double* ji, double* n_sum,
                   double* flux_sum) {
#pragma omp simd
  for (std::size_t i = 1; i <= n; ++i) {
    double charge = 0.0, current = 0.0, density = 0.0, flux = 0.0;
    for (int f = 0; f < count; ++f) {
      const double n_f = ions[f].rho[i] * ions[f].inv_m, flux_f = ions[f].rho_u[i] * ions[f].inv_m;
      charge += ions[f].z * n_f;
      current += (e * ions[f].z) * flux_f;
      density += n_f;
      flux += flux_f;
    }
    ne[i] += charge;
    ji[i] += current;
    n_sum[i] += density;
    flux_sum[i] += flux;
  }
}

// The same for a neutral fluid: n and n u summed over the neutrals.
void add_neutral_cells(std::size_t n, double inv_m, const double* __restrict rho, const double* __restrict rho_u,
                       double* __restrict n_sum, double* __restrict flux_sum) {
  for (std::size_t i = 1; i <= n; ++i) {
    n_sum[i] += rho[i] * inv_m;
    flux_sum[i] += rho_u[i] * inv_m;
  }
}

// mass += m n, moment += c n (distinct arrays: __restrict lets the loop vectorize)
void add_mass_and_wall_moments(std::size_t size, double mass_kg, double coefficient, const double* __restrict n,
                               double* __restrict mass, double* __restrict moment) {
  for (std::size_t i = 0; i < size; ++i) {
    mass[i] += n[i] * mass_kg;
    moment[i] += coefficient * n[i];
  }
}

// sum += a b (distinct arrays: __restrict lets the loop vectorize)
void add_products(std::size_t n, const double* __restrict a, const double* __restrict b,
                  double* __restrict sum) {
  for (std::size_t i = 0; i < n; ++i) sum[i] += a[i] * b[i];
}

// From the ion sums at every node: the number-averaged ion velocity sum n_Z u_Z / sum n_Z,
// the mean ion mass sum m_Z n_Z / sum n_Z (`mass_kg` where there are no ions) and
// Z_eff = ne / sum n_Z.
void ion_means(std::size_t n, double mass_kg, const double* __restrict ions,
               const double* __restrict ion_flux, const double* __restrict ion_mass_density,
               const double* __restrict ne, double* __restrict ion_velocity, double* __restrict ion_mass,
               double* __restrict z_eff) {
  for (std::size_t i = 0; i < n; ++i) {
    ion_velocity[i] = ions[i] > 0.0 ? ion_flux[i] / ions[i] : 0.0;
    ion_mass[i] = ions[i] > 0.0 ? ion_mass_density[i] / ions[i] : mass_kg;
    z_eff[i] = ions[i] > 0.0 ? ne[i] / ions[i] : 1.0;
  }
}

// nu_ei = 2.9e-12 Z^2 ne lnLambda / Te^1.5
void coulomb_frequency(std::size_t n, const double* __restrict ne, const double* __restrict te,
                       const double* __restrict z_eff, double* __restrict nu_ei) {
  for (std::size_t i = 0; i < n; ++i) {
    nu_ei[i] = 2.9e-12 * z_eff[i] * z_eff[i] * ne[i] * coulomb_logarithm(ne[i], te[i], z_eff[i]) /
               (te[i] * std::sqrt(te[i]));
  }
}

// nu_e = nu_c + nu_an + nu_ew_mom, nu_c = nu_en + nu_ei (+ nu_iz + nu_ex outside LANDMARK:
// inelastic_weight 1, else 0); mu = e / (m_e nu_e (1 + Omega^2)) = (e/m_e) nu_e / (nu_e^2 +
// omega_ce^2), Omega = omega_ce / nu_e; and eta ne = 1 / (e mu) = (m_e/e^2) (nu_e^2 + omega_ce^2) / nu_e.
void electron_mobility(std::size_t n, double inelastic_weight, const double* __restrict nu_en,
                       const double* __restrict nu_ei, const double* __restrict nu_inelastic,
                       const double* __restrict nu_an, const double* __restrict nu_wall,
                       const double* __restrict omega_ce, double* __restrict nu_e,
                       double* __restrict mobility, double* __restrict resistivity_times_density) {
  for (std::size_t i = 0; i < n; ++i) {
    const double nu = nu_en[i] + nu_ei[i] + inelastic_weight * nu_inelastic[i] + nu_an[i] + nu_wall[i];
    nu_e[i] = nu;
    const double nu_squared_sum = nu * nu + omega_ce[i] * omega_ce[i];
    mobility[i] = (e / me) * nu / nu_squared_sum;
    resistivity_times_density[i] = (me * inv_e_squared) * nu_squared_sum / nu;
  }
}

// out += scale a b c (distinct arrays)
void add_scaled_triple_products(std::size_t n, double scale, const double* __restrict a,
                                const double* __restrict b, const double* __restrict c,
                                double* __restrict out) {
  for (std::size_t i = 0; i < n; ++i) out[i] += a[i] * b[i] * c[i] * scale;
}

// out += ne n_n k_ex (E_ex - K): an excitation event costs its threshold less the drift energy.
void add_excitation_loss(std::size_t n, double energy_ev, const double* __restrict ne,
                         const double* __restrict nn, const double* __restrict k,
                         const double* __restrict drift_energy_ev, double* __restrict out) {
  for (std::size_t i = 0; i < n; ++i) out[i] += ne[i] * nn[i] * k[i] * (energy_ev - drift_energy_ev[i]);
}

// The explicit source Q and the loss rate L (s^-1) of the energy equation
// d n_eps/dt + ... = Q - L n_eps at every node.
template <bool landmark>
void energy_sources(std::size_t n, bool plume, const double* __restrict ne, const double* __restrict inv_ne,
                    const double* __restrict te, const double* __restrict n_eps, const double* __restrict ue,
                    const double* __restrict field, const double* __restrict grad_pe,
                    const double* __restrict nu_e, const double* __restrict omega_ce,
                    const double* __restrict inelastic, const double* __restrict wall_rate,
                    const double* __restrict wall_log_slope, const double* __restrict dlna_dz,
                    double* __restrict source, double* __restrict loss_rate) {
  // Every array is read at every node and the plume option is a factor: a load under a
  // condition, or a select on a scalar flag, would keep the loop scalar.
  const double expand = plume ? 1.0 : 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    // LANDMARK: Q_ohm = ne ue dphi/dz = -ne ue E; otherwise Q_ohm = ne m_e (1 + Omega^2) ue^2 nu_e / e + ue
    // dpe/dz
    const double hall = omega_ce[i] / nu_e[i];
    double q = landmark
                   ? -ne[i] * ue[i] * field[i]
                   : ne[i] * me * (1.0 + hall * hall) * ue[i] * ue[i] * nu_e[i] * inv_e + ue[i] * grad_pe[i];
    // Losses as a rate on n_eps: ne W / n_eps = W / eps, inelastic / n_eps = inelastic / (ne eps).
    double loss = wall_rate[i] + inelastic[i] * inv_ne[i] / (1.5 * te[i]);
    // The wall loss R(Te) n_eps linearized in Te around this step's Te0 (Te = n_eps / (1.5 ne)):
    //   R(Te) n_eps ~ (R0 + g) n_eps - g n_eps0,  g = dR/dln Te
    // A rate frozen at Te0 lags by a step where R grows steeply with Te (near the SEE cap), and
    // the energy flips between two values every step; a falling R needs no linearization.
    const double g = landmark ? 0.0 : wall_log_slope[i];
    loss += g > 0.0 ? g : 0.0;
    q += g > 0.0 ? g * n_eps[i] : 0.0;
    // Plume expansion, -(5/3) n_eps ue dlnA/dz: implicit where it is a loss, explicit where it heats
    const double rate = expand * (5.0 / 3.0) * ue[i] * dlna_dz[i];
    loss += rate >= 0.0 ? rate : 0.0;
    q -= rate < 0.0 ? rate * n_eps[i] : 0.0;
    source[i] = q;
    loss_rate[i] = loss;
  }
}

// sum_i w_i f(i), with partial sums in the vector lanes (omp simd: the order of the additions
// is free): a single chain of dependent additions would make the integral latency-bound.
template <class F>
double weighted_sum(const std::vector<double>& w, F f) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < w.size(); ++i) s += w[i] * f(i);
  return s;
}

}  // namespace

ElectronFields::ElectronFields(const Config& config, const Grid& grid, const Chemistry& chemistry,
                               const FlowArea& area)
    : config_(config),
      grid_(grid),
      chemistry_(chemistry),
      n_(grid.num_cells()),
      area_(area),
      energy_(grid.num_cells()),
      tridiagonal_(grid.num_cells() + 2),
      thermal_position_(grid.num_cells() + 2),
      lookup_position_(grid.num_cells() + 2) {
  const std::size_t m = n_ + 2;
  for (auto* v : {&ne_m3,
                  &ji_a_m2,
                  &te_ev,
                  &energy_density_ev_m3,
                  &pe_ev_m3,
                  &grad_pe_ev_m4,
                  &electric_field_v_m,
                  &potential_v,
                  &ue_m_s,
                  &mobility_m2_v_s,
                  &nu_e_hz,
                  &nu_an_hz,
                  &nu_en_hz,
                  &nu_ei_hz,
                  &nu_wall_hz,
                  &nu_inelastic_hz,
                  &magnetic_field_t,
                  &cyclotron_frequency_hz,
                  &ionization_rate_m3_s,
                  &ion_velocity_m_s,
                  &ion_mass_kg,
                  &drift_energy_ev,
                  &drag_v_m,
                  &resistivity_ohm_m_,
                  &resistivity_times_density_,
                  &lookup_energy_ev_,
                  &thermal_energy_ev_,
                  &rate_coefficient_m3_s_,
                  &inelastic_loss_ev_m3_s_,
                  &z_eff_,
                  &previous_energy_density_,
                  &ion_density_m3_,
                  &ion_mass_density_,
                  &wall_energy_loss_rate_hz_,
                  &wall_loss_log_slope_hz_,
                  &wall_flux_moment_,
                  &ion_flux_m2_s_,
                  &neutral_density_m3_,
                  &neutral_flux_m2_s_,
                  &inverse_density_}) {
    *v = zeros(m);
  }
  ionization_coefficient_m3_s.assign(chemistry.ionization.size(), zeros(m));
  node_density_m3_.assign(chemistry.fluids.size(), zeros(m));
  node_flux_m2_s_.assign(chemistry.fluids.size(), zeros(m));
  const double l_ch = config.geometry.channel_length_m;
  for (const Fluid& f : chemistry.fluids) {
    wall_flux_coefficient_.push_back(f.charge > 0 ? std::pow(f.charge, 1.5) / std::sqrt(f.mass_kg) : 0.0);
  }
  const AnomalousContext anomalous_context{l_ch, config.background_gas.pressure_pa};
  for (std::size_t i = 0; i < m; ++i) {
    const double z = grid.z_node_m[i];
    magnetic_field_t[i] =
        hallsim::magnetic_field_t(config.magnetic_field, z, config.geometry, config.magnetic_field_scale);
    // omega_ce = e B / m_e
    cyclotron_frequency_hz[i] = e * magnetic_field_t[i] / me;
    // The anomalous profile is prescribed (c(z) omega_ce) and the wall momentum frequency
    // fixed in z, so both are evaluated once.
    nu_an_hz[i] =
        anomalous_coefficient(config.anomalous_transport, z, anomalous_context) * cyclotron_frequency_hz[i];
    // Te = Te_L + (Vd/10 - Te_L) exp(-((z - L_ch) / 8 mm)^2)  (section 13 initial state)
    const double x = (z - l_ch) / 8e-3;
    te_ev[i] = config.anode_electron_temperature_ev +
               (config.discharge_voltage_v / 10.0 - config.anode_electron_temperature_ev) * std::exp(-x * x);
  }
  te_ev[n_ + 1] = config.cathode_electron_temperature_ev;
  // d/dz weights: 3-point central differences on the non-uniform nodes (exact for
  // parabolas), one-sided two-point at the ends.
  const auto& zn = grid.z_node_m;
  gradient_weights_.resize(m);
  gradient_weights_[0] = {0.0, -1.0 / (zn[1] - zn[0]), 1.0 / (zn[1] - zn[0])};
  gradient_weights_[m - 1] = {-1.0 / (zn[m - 1] - zn[m - 2]), 1.0 / (zn[m - 1] - zn[m - 2]), 0.0};
  for (std::size_t i = 1; i + 1 < m; ++i) {
    const double h1 = zn[i] - zn[i - 1], h2 = zn[i + 1] - zn[i];
    gradient_weights_[i] = {-h2 / (h1 * (h1 + h2)), (h2 - h1) / (h1 * h2), h1 / (h2 * (h1 + h2))};
  }
  // int f dz over the nodes = sum w_i f_i with the trapezoid weights (half of each
  // neighbouring spacing).
  trapezoid_weights_m_.assign(m, 0.0);
  for (std::size_t i = 0; i + 1 < m; ++i) {
    trapezoid_weights_m_[i] += 0.5 * (zn[i + 1] - zn[i]);
    trapezoid_weights_m_[i + 1] += 0.5 * (zn[i + 1] - zn[i]);
  }
}

void ElectronFields::initialize(const HeavySpecies& heavy) {
  compute_densities(heavy);  // the collisions need ne; the fields need the collisions
  compute_species_densities(heavy);
  update_collisions();
  update_fields(heavy);
  compute_drift_energy();
  for (std::size_t i = 0; i < n_ + 2; ++i) energy_density_ev_m3[i] = 1.5 * ne_m3[i] * te_ev[i];
  compute_pressure();
  update_collisions();
  update_fields(heavy);
}

void ElectronFields::update_fields(const HeavySpecies& heavy) {
  compute_densities(heavy);
  solve_ohms_law();
}

void ElectronFields::compute_densities(const HeavySpecies& heavy) {
  sum_cells(heavy);
  sum_boundary_nodes(heavy);
  update_resistivity();
}

void ElectronFields::refresh_fields(const HeavySpecies& heavy) {
  sum_boundary_nodes(heavy);
  update_resistivity();
  solve_ohms_law();
}

std::array<std::vector<double>*, 6> ElectronFields::quasineutral_sums() {
  return {&ne_m3, &ji_a_m2, &ion_density_m3_, &ion_flux_m2_s_, &neutral_density_m3_, &neutral_flux_m2_s_};
}

void ElectronFields::sum_cells(const HeavySpecies& heavy) {
  // Quasineutrality: ne = sum Z n_Z, ji = e sum Z n_Z u_Z; and the number densities and
  // fluxes summed over the ions and over the neutrals, for the mean velocities of the drag.
  // The interior nodes here, the two boundary nodes in sum_boundary_nodes().
  for (std::vector<double>* v : quasineutral_sums()) std::fill(v->begin() + 1, v->end() - 1, 0.0);
  double* ne = ne_m3.data();
  double* ji = ji_a_m2.data();
  // The interior cells, up to three consecutive ion fluids per pass.
  for (std::size_t f = 0; f < heavy.num_fluids();) {
    if (heavy.fluid(f).charge == 0) {
      add_neutral_cells(n_, heavy.inverse_mass(f), heavy.rho(f).data(), heavy.rho_u(f).data(),
                        neutral_density_m3_.data(), neutral_flux_m2_s_.data());
      ++f;
      continue;
    }
    IonCells ions[3] = {};
    std::size_t count = 0;
    for (; count < 3 && f < heavy.num_fluids() && heavy.fluid(f).charge > 0; ++count, ++f) {
      ions[count] = {heavy.rho(f).data(), heavy.rho_u(f).data(), static_cast<double>(heavy.fluid(f).charge),
                     heavy.inverse_mass(f)};
    }
    double* n_sum = ion_density_m3_.data();
    double* flux_sum = ion_flux_m2_s_.data();
    if (count == 3) {
      add_ion_cells<3>(n_, ions, ne, ji, n_sum, flux_sum);
    } else if (count == 2) {
      add_ion_cells<2>(n_, ions, ne, ji, n_sum, flux_sum);
    } else {
      add_ion_cells<1>(n_, ions, ne, ji, n_sum, flux_sum);
    }
  }
}

void ElectronFields::sum_boundary_nodes(const HeavySpecies& heavy) {
  double* ne = ne_m3.data();
  double* ji = ji_a_m2.data();
  for (std::vector<double>* v : quasineutral_sums()) v->front() = v->back() = 0.0;
  for (std::size_t f = 0; f < heavy.num_fluids(); ++f) {
    const int z = heavy.fluid(f).charge;
    // The boundary nodes hold the ghost-interior mean (section 13).
    for (const std::size_t i : {std::size_t{0}, n_ + 1}) {
      const double n = heavy.density_at_node(f, i), flux = heavy.flux_at_node(f, i);
      if (z == 0) {
        neutral_density_m3_[i] += n;
        neutral_flux_m2_s_[i] += flux;
      } else {
        ne[i] += z * n;
        ji[i] += (e * z) * flux;
        ion_density_m3_[i] += n;
        ion_flux_m2_s_[i] += flux;
      }
    }
  }
}

void ElectronFields::update_resistivity() {
  const std::size_t m = n_ + 2;
  double* ne = ne_m3.data();
  // eta = 1 / (e mu ne): the collision part is fixed for the step, 1/ne follows the ions.
  double* inv_ne = inverse_density_.data();
  double* eta = resistivity_ohm_m_.data();
  const double* eta_ne = resistivity_times_density_.data();
  for (std::size_t i = 0; i < m; ++i) {
    ne[i] = std::max(ne[i], electron_density_floor_m3);
    inv_ne[i] = 1.0 / ne[i];
    eta[i] = eta_ne[i] * inv_ne[i];
  }
}

void ElectronFields::compute_species_densities(const HeavySpecies& heavy) {
  for (std::size_t f = 0; f < heavy.num_fluids(); ++f)
    heavy.node_densities(f, node_density_m3_[f], node_flux_m2_s_[f]);
}

void ElectronFields::update_collisions() {
  const std::size_t m = n_ + 2;
  const std::size_t num_neutrals = config_.propellants.size();
  const auto& fluids = chemistry_.fluids;
  const bool landmark = config_.landmark;
  // One pass per quantity or reaction over the nodes, so that each loop (table lookups
  // included) vectorizes. Inelastic rate lookups take eps = 1.5 Te + K (K from the last
  // field solve; zero in LANDMARK).
  locate_energies();
  double* k = rate_coefficient_m3_s_.data();
  // nu_en = sum n_n k_en(1.5 Te): the elastic rate without the drift energy, as the reference
  // code (docs/physics.md section 12, item 10, has the measurement that decided it)
  std::fill(nu_en_hz.begin(), nu_en_hz.end(), 0.0);
  for (const auto& el : chemistry_.elastic) {
    lookup_rates(el.rate, thermal_position_, rate_coefficient_m3_s_);
    add_products(m, node_density_m3_[static_cast<std::size_t>(el.neutral)].data(), k, nu_en_hz.data());
  }
  // Ionization: n_dot = k(eps) ne n_reactant; nu_iz = sum n_dot / ne = sum k n_reactant.
  std::fill(nu_inelastic_hz.begin(), nu_inelastic_hz.end(), 0.0);
  for (std::size_t r = 0; r < chemistry_.ionization.size(); ++r) {
    const auto& iz = chemistry_.ionization[r];
    double* k_iz = ionization_coefficient_m3_s[r].data();
    lookup_rates(iz.rate, lookup_position_, ionization_coefficient_m3_s[r]);
    add_products(m, k_iz, node_density_m3_[static_cast<std::size_t>(iz.reactant)].data(),
                 nu_inelastic_hz.data());
  }
  for (std::size_t i = 0; i < m; ++i) ionization_rate_m3_s[i] = nu_inelastic_hz[i] * ne_m3[i];
  for (const auto& ex : chemistry_.excitation) {
    lookup_rates(ex.rate, lookup_position_, rate_coefficient_m3_s_);
    add_products(m, k, node_density_m3_[static_cast<std::size_t>(ex.reactant)].data(),
                 nu_inelastic_hz.data());
  }
  // The wall models' inputs, and Z_eff for the Coulomb collisions. sum n_Z and sum n_Z u_Z
  // are those of the last update_fields(); sum m_Z n_Z and the wall flux moment one pass per
  // ion fluid (a loop over the fluids inside the node loop kept that loop scalar).
  std::fill(ion_mass_density_.begin(), ion_mass_density_.end(), 0.0);
  std::fill(wall_flux_moment_.begin(), wall_flux_moment_.end(), 0.0);
  for (std::size_t f = num_neutrals; f < fluids.size(); ++f) {
    add_mass_and_wall_moments(m, fluids[f].mass_kg, wall_flux_coefficient_[f], node_density_m3_[f].data(),
                              ion_mass_density_.data(), wall_flux_moment_.data());
  }
  ion_means(m, fluids[num_neutrals].mass_kg, ion_density_m3_.data(), ion_flux_m2_s_.data(),
            ion_mass_density_.data(), ne_m3.data(), ion_velocity_m_s.data(), ion_mass_kg.data(),
            z_eff_.data());
  if (config_.electron_ion_collisions)
    coulomb_frequency(m, ne_m3.data(), te_ev.data(), z_eff_.data(), nu_ei_hz.data());
  // The wall model over all nodes at once; nu_e needs its momentum frequency.
  wall_rates(config_.wall_loss,
             {grid_.z_node_m, te_ev, ne_m3, wall_flux_moment_, ion_mass_kg, config_.geometry.channel_length_m,
              config_.geometry.outer_radius_m - config_.geometry.inner_radius_m},
             {wall_energy_loss_rate_hz_, nu_wall_hz, wall_loss_log_slope_hz_});
  electron_mobility(m, landmark ? 0.0 : 1.0, nu_en_hz.data(), nu_ei_hz.data(), nu_inelastic_hz.data(),
                    nu_an_hz.data(), nu_wall_hz.data(), cyclotron_frequency_hz.data(), nu_e_hz.data(),
                    mobility_m2_v_s.data(), resistivity_times_density_.data());
}

void ElectronFields::solve_ohms_law() {
  const std::size_t m = n_ + 2;
  const bool landmark = config_.landmark;
  if (!landmark) {
    // D = (m_e/e) [u_i (nu_ei + nu_an) + u_n nu_en], u_i and u_n number-averaged velocities
    const double* ions = ion_density_m3_.data();
    const double* ion_flux = ion_flux_m2_s_.data();
    const double* nn = neutral_density_m3_.data();
    const double* nn_un = neutral_flux_m2_s_.data();
    for (std::size_t i = 0; i < m; ++i) {
      const double ui_mean = ions[i] > 0.0 ? ion_flux[i] / ions[i] : 0.0;
      const double un_mean = nn[i] > 0.0 ? nn_un[i] / nn[i] : 0.0;
      drag_v_m[i] = (me * inv_e) * (ui_mean * (nu_ei_hz[i] + nu_an_hz[i]) + un_mean * nu_en_hz[i]);
    }
  }

  // Discharge current from the integral current constraint (trapezoid over the nodes):
  //   Id = [V_L - V_R + int ((ji/(e mu) + dpe/dz) / ne - D) dz] / int dz / (e ne mu A)
  // with 1/A = (A_ch/A) / A_ch (the ratio is exactly 1 without plume expansion).
  const double v_left = config_.discharge_voltage_v + anode_sheath_potential_v;
  const double v_right = config_.cathode_coupling_voltage_v;
  const double* ji = ji_a_m2.data();
  const double* eta = resistivity_ohm_m_.data();
  const double* grad_pe = grad_pe_ev_m4.data();
  const double* inv_ne = inverse_density_.data();
  const double* drag = drag_v_m.data();
  const double drive_integral = weighted_sum(
      trapezoid_weights_m_, [&](std::size_t i) { return ji[i] * eta[i] + grad_pe[i] * inv_ne[i] - drag[i]; });
  const double* area_ratio = area_.channel_area_ratio.data();
  const double resistance_integral =
      weighted_sum(trapezoid_weights_m_, [&](std::size_t i) { return eta[i] * area_ratio[i]; });
  const double channel_area = area_.area_m2[0];
  discharge_current_a =
      std::max(0.0, (v_left - v_right + drive_integral) * channel_area / resistance_integral);

  const double j_d = discharge_current_a / channel_area;
  if (config_.anode_boundary == AnodeBoundary::sheath && !landmark) {
    // V_s = -Te ln(min(1, je / je_th)) from the first cell, je = Id/A - ji,
    // je_th = e ne sqrt(8 e Te / (pi m_e)) / 4; zero when electrons do not reach the anode.
    const double je = j_d - ji_a_m2[1];
    const double je_thermal = 0.25 * e * ne_m3[1] * std::sqrt(8.0 * e * te_ev[1] / (constants::pi * me));
    anode_sheath_potential_v = je > 0.0 ? -te_ev[1] * std::log(std::min(1.0, je / je_thermal)) : 0.0;
  }
  field_and_drift(m, j_d, area_ratio, ji, eta, grad_pe, inv_ne, drag, electric_field_v_m.data(),
                  ue_m_s.data());
}

void ElectronFields::locate_energies() {
  for (std::size_t i = 0; i < n_ + 2; ++i) thermal_energy_ev_[i] = 1.5 * te_ev[i];
  thermal_position_.locate(thermal_energy_ev_);
  locate_lookup_energies();
}

void ElectronFields::locate_lookup_energies() {
  for (std::size_t i = 0; i < n_ + 2; ++i) lookup_energy_ev_[i] = thermal_energy_ev_[i] + drift_energy_ev[i];
  lookup_position_.locate(lookup_energy_ev_);
}

void ElectronFields::compute_drift_energy() {
  if (config_.landmark) return;
  for (std::size_t i = 0; i < n_ + 2; ++i) {
    // K = m_e (1 + Omega^2) ue^2 / (2 e), 1 + Omega^2 = (nu_e^2 + omega_ce^2) / nu_e^2
    const double nu = nu_e_hz[i], omega = cyclotron_frequency_hz[i];
    drift_energy_ev[i] = 0.5 * me * inv_e * (nu * nu + omega * omega) / (nu * nu) * ue_m_s[i] * ue_m_s[i];
  }
}

void ElectronFields::compute_potential() {
  // phi = V_L - int E dz (cumulative trapezoid from the anode face); the running value stays
  // in a register: reloading the previous store would put the store-forwarding latency on
  // every link of the chain.
  const auto& z = grid_.z_node_m;
  double phi = config_.discharge_voltage_v + anode_sheath_potential_v;
  potential_v[0] = phi;
  for (std::size_t i = 1; i < n_ + 2; ++i) {
    phi -= 0.5 * (electric_field_v_m[i] + electric_field_v_m[i - 1]) * (z[i] - z[i - 1]);
    potential_v[i] = phi;
  }
}

double ElectronFields::energy_step(const HeavySpecies& heavy, double dt_s) {
  const std::size_t m = n_ + 2;
  compute_species_densities(heavy);
  // K of the fields the step starts from; the rate lookups of update_collisions() use it too.
  compute_drift_energy();
  thermal_conductivity(config_.conductivity, {mobility_m2_v_s, ne_m3, te_ev, nu_ei_hz, nu_e_hz, z_eff_},
                       energy_.kappa);
  // Inelastic loss per unit volume (eV m^-3 s^-1), one pass per reaction: sum n_dot_iz E_iz +
  // n_dot_ex (E_ex - K), or the LANDMARK lumped ne n_n k_loss(eps). Te, hence 1.5 Te and its
  // table positions, is that of the last update_collisions() (it changes only at the end of
  // this step); K was just recomputed, so eps is located again.
  locate_lookup_energies();
  double* inelastic = inelastic_loss_ev_m3_s_.data();
  double* k = rate_coefficient_m3_s_.data();
  std::fill(inelastic_loss_ev_m3_s_.begin(), inelastic_loss_ev_m3_s_.end(), 0.0);
  if (!chemistry_.lumped_losses.empty()) {
    for (const auto& l : chemistry_.lumped_losses) {
      lookup_rates(l.loss, thermal_position_, rate_coefficient_m3_s_);
      add_scaled_triple_products(m, 1.0, ne_m3.data(), node_density_m3_[l.reactant].data(), k, inelastic);
    }
  } else {
    for (std::size_t r = 0; r < chemistry_.ionization.size(); ++r) {
      const auto& iz = chemistry_.ionization[r];
      add_scaled_triple_products(m, iz.energy_ev, ionization_coefficient_m3_s[r].data(), ne_m3.data(),
                                 node_density_m3_[static_cast<std::size_t>(iz.reactant)].data(), inelastic);
    }
  }
  // Excitation loses E_ex - K per event: the drift energy K goes into it (section 12 item 7).
  for (const auto& ex : chemistry_.excitation) {
    lookup_rates(ex.rate, lookup_position_, rate_coefficient_m3_s_);
    add_excitation_loss(m, ex.energy_ev, ne_m3.data(), node_density_m3_[ex.reactant].data(), k,
                        drift_energy_ev.data(), inelastic);
  }
  std::copy(inverse_density_.begin(), inverse_density_.end(), energy_.inv_ne_m3.begin());
  std::copy(ue_m_s.begin(), ue_m_s.end(), energy_.ue_m_s.begin());
  (config_.landmark
       ? energy_sources<true>
       : energy_sources<false>)(m, config_.solve_plume, ne_m3.data(), inverse_density_.data(), te_ev.data(),
                                energy_density_ev_m3.data(), ue_m_s.data(), electric_field_v_m.data(),
                                grad_pe_ev_m4.data(), nu_e_hz.data(), cyclotron_frequency_hz.data(),
                                inelastic, wall_energy_loss_rate_hz_.data(), wall_loss_log_slope_hz_.data(),
                                area_.dlnA_dz_m.data(), energy_.source.data(), energy_.loss_rate_hz.data());
  EnergyBoundary bc;
  // Dirichlet anode, or with the sheath whenever electrons flow away from the anode (ue > 0).
  bc.anode_dirichlet = config_.anode_boundary == AnodeBoundary::dirichlet || ue_m_s[0] > 0.0;
  bc.anode_energy_density = 1.5 * config_.anode_electron_temperature_ev * ne_m3[0];
  if (!bc.anode_dirichlet) {
    // Sheath energy flux F_0 = 2 ne ue (Te + V_s) at the anode face, with ne Te = (2/3) n_eps
    // and n_eps_0 = n_eps_1 ne_0 / ne_1 (Neumann on eps).
    bc.anode_flux_per_energy_density = 4.0 / 3.0 * ue_m_s[0] * ne_m3[0] * inverse_density_[1];
    bc.anode_flux_constant = 2.0 * ne_m3[0] * ue_m_s[0] * anode_sheath_potential_v;
  }
  bc.cathode_energy_density = 1.5 * config_.cathode_electron_temperature_ev * ne_m3[n_ + 1];
  std::copy(energy_density_ev_m3.begin(), energy_density_ev_m3.end(), previous_energy_density_.begin());
  electron_energy_step(grid_, energy_, bc, dt_s, config_.implicit_energy_theta, tridiagonal_,
                       energy_density_ev_m3);
  compute_pressure();
  const double* now = energy_density_ev_m3.data();
  const double* before = previous_energy_density_.data();
  double change = 0.0;
#pragma omp simd reduction(max : change)
  for (std::size_t i = 0; i < m; ++i) change = std::max(change, std::abs(now[i] - before[i]) / before[i]);
  return change;
}

void ElectronFields::compute_pressure() {
  const std::size_t m = n_ + 2;
  const double min_te = config_.min_electron_temperature_ev;
  ++temperature_version_;
  for (std::size_t i = 0; i < m; ++i) {
    // n_eps >= 1.5 min_Te ne; Te = n_eps / (1.5 ne)
    energy_density_ev_m3[i] = std::max(energy_density_ev_m3[i], 1.5 * min_te * ne_m3[i]);
    te_ev[i] = energy_density_ev_m3[i] * inverse_density_[i] * (2.0 / 3.0);
    // LANDMARK takes pe = n_eps (eps in place of Te); otherwise pe = ne Te.
    pe_ev_m3[i] = config_.landmark ? energy_density_ev_m3[i] : ne_m3[i] * te_ev[i];
  }
  // The end nodes' one-sided stencils reuse their own node where a neighbour is missing.
  const auto gradient = [&](std::size_t i, std::size_t left, std::size_t right) {
    return gradient_weights_[i][0] * pe_ev_m3[left] + gradient_weights_[i][1] * pe_ev_m3[i] +
           gradient_weights_[i][2] * pe_ev_m3[right];
  };
  grad_pe_ev_m4[0] = gradient(0, 0, 1);
  for (std::size_t i = 1; i + 1 < m; ++i) grad_pe_ev_m4[i] = gradient(i, i - 1, i + 1);
  grad_pe_ev_m4[m - 1] = gradient(m - 1, m - 2, m - 1);
}

namespace {

// The averaged electron profiles (docs/hallsim.md): HDF5 name, units, and the node array.
struct NodeProfile {
  const char* name;
  const char* units;
  const std::vector<double>& (*values)(const ElectronFields&, const FlowArea&);
};

template <std::vector<double> ElectronFields::*member>
const std::vector<double>& field(const ElectronFields& e, const FlowArea&) {
  return e.*member;
}

const std::vector<double>& flow_area(const ElectronFields&, const FlowArea& a) {
  return a.area_m2;
}

constexpr NodeProfile node_profiles[] = {
    {"ne", "m^-3", field<&ElectronFields::ne_m3>},
    {"ue", "m/s", field<&ElectronFields::ue_m_s>},
    {"Tev", "eV", field<&ElectronFields::te_ev>},
    {"phi", "V", field<&ElectronFields::potential_v>},
    {"E", "V/m", field<&ElectronFields::electric_field_v_m>},
    {"nu_an", "s^-1", field<&ElectronFields::nu_an_hz>},
    {"nu_e", "s^-1", field<&ElectronFields::nu_e_hz>},
    {"nu_en", "s^-1", field<&ElectronFields::nu_en_hz>},
    {"nu_ei", "s^-1", field<&ElectronFields::nu_ei_hz>},
    {"nu_wall", "s^-1", field<&ElectronFields::nu_wall_hz>},
    {"mobility", "m^2/(V s)", field<&ElectronFields::mobility_m2_v_s>},
    {"B", "T", field<&ElectronFields::magnetic_field_t>},
    {"pe", "eV m^-3", field<&ElectronFields::pe_ev_m3>},
    {"grad_pe", "eV m^-4", field<&ElectronFields::grad_pe_ev_m4>},
    {"ionization_rate", "m^-3 s^-1", field<&ElectronFields::ionization_rate_m3_s>},
    {"ji", "A/m^2", field<&ElectronFields::ji_a_m2>},
    {"A", "m^2", flow_area},
};

}  // namespace

void ElectronFields::profile_names(std::vector<std::pair<std::string, std::string>>& names) const {
  for (const NodeProfile& p : node_profiles) names.emplace_back(p.name, p.units);
}

std::size_t ElectronFields::accumulate_profiles(std::vector<std::vector<double>>& sums, std::size_t k) {
  compute_potential();
  for (const NodeProfile& p : node_profiles) {
    const std::vector<double>& v = p.values(*this, area_);
    auto& s = sums[k++];
    for (std::size_t i = 1; i <= n_; ++i) s[i - 1] += v[i];
  }
  return k;
}

}  // namespace hd::hallsim
