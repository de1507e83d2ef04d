// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/simulation/heavy_species.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hd/hallsim/constants.hpp"
#include "hd/hallsim/simulation/electron_fields.hpp"

namespace hd::hallsim {
namespace {

constexpr double density_floor_m3 = 1.0;
// Neutral Rusanov wave speed uses gamma = 5/3 (section 13).
constexpr double neutral_gamma = 5.0 / 3.0;

// The source loops below take the distinct arrays as __restrict parameters, which lets the
// compiler vectorize them (it does not honour __restrict on local pointers). Sources are
// added for the N cells: padded cell i (inputs) is state entry i - 1 (outputs).

// Where one ionization reaction's products go: k(eps) per cell and the product's derivatives.
struct IonizationProduct {
  const double* k;
  double* drho;
  double* dmom;
};

// Ionization of one reactant into `count` products at the rates k(eps) ne rho: the mass moves
// from the reactant to each product and, with `carry_momentum`, the reactant's momentum
// k ne (rho u) with it (out of the reactant when it is an ion: neutrals have no momentum
// equation). The reactions of a reactant in one pass (Xe -> Xe+, Xe2+, Xe3+): its arrays are
// read, and its derivative written, once. The arrays are distinct (omp simd says so where
// __restrict cannot reach the structs' pointers).
template <int count, bool carry_momentum, bool ion_reactant>
void ionize(std::size_t n, const IonizationProduct* products, const double* ne, const double* rho,
            const double* rho_u, double* drho_src, double* dmom_src) {
#pragma omp simd
  for (std::size_t i = 1; i <= n; ++i) {
    double mass_out = 0.0, momentum_out = 0.0;
    for (int p = 0; p < count; ++p) {
      const double frequency = products[p].k[i] * ne[i];
      const double mass = frequency * rho[i];
      products[p].drho[i - 1] += mass;
      mass_out += mass;
      if constexpr (carry_momentum) {
        const double momentum = frequency * rho_u[i];
        products[p].dmom[i - 1] += momentum;
        momentum_out += momentum;
      }
    }
    drho_src[i - 1] -= mass_out;
    if constexpr (carry_momentum && ion_reactant) dmom_src[i - 1] -= momentum_out;
  }
}

template <bool carry_momentum, bool ion_reactant>
void ionize(std::size_t count, std::size_t n, const IonizationProduct* products, const double* ne,
            const double* rho, const double* rho_u, double* drho_src, double* dmom_src) {
  switch (count) {
    case 1:
      return ionize<1, carry_momentum, ion_reactant>(n, products, ne, rho, rho_u, drho_src, dmom_src);
    case 2:
      return ionize<2, carry_momentum, ion_reactant>(n, products, ne, rho, rho_u, drho_src, dmom_src);
    default:
      return ionize<3, carry_momentum, ion_reactant>(n, products, ne, rho, rho_u, drho_src, dmom_src);
  }
}

// Ion wall losses at the frequency nu_iw: the mass returns to the neutrals,
//   d(rho)/dt -= nu rho, d(rho_n)/dt += nu rho,
// and the momentum goes to the wall, d(rho u)/dt -= nu rho u.
void wall_losses(std::size_t n, const double* __restrict nu, const double* __restrict rho,
                 const double* __restrict rho_u, double* __restrict drho, double* __restrict dmom,
                 double* __restrict drho_neutral) {
  for (std::size_t i = 1; i <= n; ++i) {
    const double mass = nu[i] * rho[i];
    drho[i - 1] -= mass;
    drho_neutral[i - 1] += mass;
    dmom[i - 1] -= nu[i] * rho_u[i];
  }
}

// Plume expansion of an ion fluid: d(rho)/dt -= rho u dlnA/dz, d(rho u)/dt -= rho u u dlnA/dz,
// with the cell velocities u the flux step has just computed.
void area_sources(std::size_t n, const double* __restrict dlna, const double* __restrict rho_u,
                  const double* __restrict u, double* __restrict drho, double* __restrict dmom) {
  for (std::size_t i = 1; i <= n; ++i) {
    drho[i - 1] -= rho_u[i] * dlna[i];
    dmom[i - 1] -= rho_u[i] * u[i] * dlna[i];
  }
}

// max(0, max_i f(i)) over i = 1..n. The compiler vectorizes a floating-point max reduction
// only when told the order does not matter (omp simd, -fopenmp-simd): the maximum is exact,
// so the result does not depend on the order.
template <class F>
double max_over_cells(std::size_t n, F f) {
  double m = 0.0;
#pragma omp simd reduction(max : m)
  for (std::size_t i = 1; i <= n; ++i) m = std::max(m, f(i));
  return m;
}

}  // namespace

HeavySpecies::HeavySpecies(const Config& config, const Grid& grid, const Chemistry& chemistry,
                           const FlowArea& area)
    : config_(config),
      grid_(grid),
      chemistry_(chemistry),
      fluids_(chemistry.fluids),
      n_(grid.num_cells()),
      num_neutrals_(config.propellants.size()),
      area_(area),
      rho_(fluids_.size(), std::vector<double>(n_ + 2, 0.0)),
      rho_u_(fluids_.size(), std::vector<double>(n_ + 2, 0.0)),
      faces_(n_),
      boundary_flux_(fluids_.size()) {
  state_size_ = n_ * (num_neutrals_ + 2 * (fluids_.size() - num_neutrals_));
  for (const Fluid& f : fluids_) inverse_mass_.push_back(1.0 / f.mass_kg);
  const double channel_width_m = config.geometry.outer_radius_m - config.geometry.inner_radius_m;
  std::vector<double> wall(n_ + 2, 0.0);
  bool any_wall_loss = false;
  for (std::size_t i = 1; i <= n_; ++i) {
    wall[i] = ion_wall_loss_coefficient(config.wall_loss, grid.z_node_m[i], config.geometry.channel_length_m,
                                        channel_width_m);
    any_wall_loss = any_wall_loss || wall[i] > 0.0;
  }
  if (any_wall_loss) {
    ion_wall_loss_coefficient_ = std::move(wall);
    ion_wall_frequency_hz_.assign(fluids_.size() - num_neutrals_, std::vector<double>(n_ + 2, 0.0));
  }
  // The ingested background flow is shared among the propellants in proportion to their
  // anode flows (section 5.3).
  double total_flow = 0.0;
  for (const Propellant& p : config.propellants) total_flow += p.anode_mass_flow_rate_kg_s;
  for (std::size_t p = 0; p < num_neutrals_; ++p) {
    const double flow = config.propellants[p].anode_mass_flow_rate_kg_s;
    anode_inflow_kg_s_.push_back(flow + flow / total_flow *
                                            ingested_mass_flow_kg_s(config.background_gas, fluids_[p].mass_kg,
                                                                    channel_area_m2(config.geometry)));
  }
}

std::size_t HeavySpecies::offset_rho(std::size_t f) const {
  return f < num_neutrals_ ? f * n_ : n_ * (num_neutrals_ + 2 * (f - num_neutrals_));
}

void HeavySpecies::initial_state(double* y) const {
  const double l_ch = config_.geometry.channel_length_m;
  const double vd = config_.discharge_voltage_v;
  for (std::size_t f = 0; f < fluids_.size(); ++f) {
    const Fluid& fl = fluids_[f];
    const Propellant& prop = config_.propellants[fl.propellant];
    const double m = fl.mass_kg;
    for (std::size_t i = 1; i <= n_; ++i) {
      const double z = grid_.z_node_m[i];
      if (fl.charge == 0) {
        // nn = nn_anode (1 - 0.99 * 0.5 (1 + tanh((z - L_ch) / 4 mm)))
        const double nn_anode =
            prop.anode_mass_flow_rate_kg_s / (area_.area_m2[0] * prop.neutral_velocity_m_s * m);
        y[offset_rho(f) + i - 1] = m * nn_anode * (1.0 - 0.99 * 0.5 * (1.0 + std::tanh((z - l_ch) / 4e-3)));
        continue;
      }
      // ni = (2e17 + 8e17 exp(-((z - L_ch) / 0.4 L_ch)^2)) sqrt(Vd/300) (mdot / 5 mg/s) / Z^2
      const double x = (z - l_ch) / (0.4 * l_ch);
      const double scale =
          std::sqrt(vd / 300.0) * prop.anode_mass_flow_rate_kg_s / 5e-6 / (fl.charge * fl.charge);
      const double ni = (2e17 + 8e17 * std::exp(-x * x)) * scale;
      // ui rises quadratically from -c_s at the anode to sqrt(2 Z e Vd / m) at the exit
      const double z_frac = z / config_.domain_length_m;
      const double u0 =
          -std::sqrt(fl.charge * constants::elementary_charge_c * config_.anode_electron_temperature_ev / m);
      const double u1 = std::sqrt(2.0 * fl.charge * constants::elementary_charge_c * vd / m);
      y[offset_rho(f) + i - 1] = m * ni;
      y[offset_rho_u(f) + i - 1] = m * ni * (u0 + (u1 - u0) * z_frac * z_frac);
    }
  }
}

void HeavySpecies::fill_padded(const double* y, const ElectronFields& electrons) {
  for (std::size_t f = 0; f < fluids_.size(); ++f) {
    const double floor = fluids_[f].mass_kg * density_floor_m3;
    const double* r = y + offset_rho(f);
    auto& rho = rho_[f];
    auto& rho_u = rho_u_[f];
    if (fluids_[f].charge == 0) {
      const double un = config_.propellants[fluids_[f].propellant].neutral_velocity_m_s;
      for (std::size_t i = 1; i <= n_; ++i) {
        rho[i] = std::max(r[i - 1], floor);
        rho_u[i] = rho[i] * un;
      }
      continue;
    }
    const double* ru = y + offset_rho_u(f);
    std::copy_n(r, n_, rho.begin() + 1);
    std::copy_n(ru, n_, rho_u.begin() + 1);
    // Floored cells are rare: one branch-free pass counts them. (A count vectorizes; the
    // compiler left a bool |= reduction scalar.)
    std::size_t below = 0;
    for (std::size_t i = 1; i <= n_; ++i) below += !(rho[i] >= floor);
    if (below == 0) continue;
    for (std::size_t i = 1; i <= n_; ++i) {
      if (rho[i] >= floor) continue;  // NaN goes on to the floor below
      // Floor the density, keep the velocity.
      const double u = rho[i] > 0.0 ? rho_u[i] / rho[i] : 0.0;
      rho[i] = floor;
      rho_u[i] = floor * u;
    }
  }
  apply_boundaries(electrons.te_ev[1], electrons.anode_sheath_potential_v);
}

void HeavySpecies::refresh_boundaries(const ElectronFields& electrons) {
  apply_boundaries(electrons.te_ev[1], electrons.anode_sheath_potential_v);
}

void HeavySpecies::apply_boundaries(double te_anode_ev, double sheath_potential_v) {
  const double e = constants::elementary_charge_c;
  // Ions: anode Bohm condition through the Riemann invariant (section 5), target velocity
  // u_b = -c_s / sqrt(1 + chi) with chi from the sheath potential (Hara 2019; chi = 0 without
  // a sheath); cathode Neumann with inflow velocities set to zero.
  double chi = 0.0;
  if (sheath_potential_v > 0.0) {
    // chi = exp(-V_s/Te) / sqrt(pi V_s/Te) / (1 + erf(sqrt(V_s/Te)))
    const double x = sheath_potential_v / te_anode_ev;
    chi = std::exp(-x) / std::sqrt(constants::pi * x) / (1.0 + std::erf(std::sqrt(x)));
  }
  const double bohm_factor = 1.0 / std::sqrt(1.0 + chi);
  for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) {
    const Fluid& fl = fluids_[f];
    const Propellant& prop = config_.propellants[fl.propellant];
    auto& rho = rho_[f];
    auto& rho_u = rho_u_[f];
    const double m = fl.mass_kg;
    // c_s = sqrt((k T_i + Z e Te) / m)
    const double cs =
        std::sqrt((constants::boltzmann_j_per_k * prop.ion_temperature_k + fl.charge * e * te_anode_ev) / m);
    const double u_int = rho_u[1] / rho[1];
    if (u_int <= -cs) {
      rho[0] = rho[1];
      rho_u[0] = rho_u[1];
    } else {
      // rho_g = exp((u_b - J-)/c_s), J- = u_int - c_s ln rho_int
      const double u_b = -cs * bohm_factor;
      rho[0] = rho[1] * std::exp((u_b - u_int) / cs);
      rho_u[0] = u_b * rho[0];
    }
    rho[n_ + 1] = rho[n_];
    rho_u[n_ + 1] = std::max(rho_u[n_], 0.0);
  }
  // Neutrals: anode inflow rho_g = (mdot_a + mdot_ingest) / (A u_n) - sum (rho u)_ion,g / u_n
  // (ions that reach the anode recombine and return as neutrals); cathode Neumann.
  for (std::size_t p = 0; p < num_neutrals_; ++p) {
    const Propellant& prop = config_.propellants[p];
    const double un = prop.neutral_velocity_m_s;
    double ion_flux = 0.0;
    for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) {
      if (fluids_[f].propellant == static_cast<int>(p)) ion_flux += rho_u_[f][0];
    }
    rho_[p][0] = (anode_inflow_kg_s_[p] / area_.area_m2[0] - ion_flux) / un;
    rho_u_[p][0] = rho_[p][0] * un;
    rho_[p][n_ + 1] = rho_[p][n_];
    rho_u_[p][n_ + 1] = rho_u_[p][n_];
  }
}

void HeavySpecies::rhs(const ElectronFields& electrons, double* ydot) {
  std::fill(ydot, ydot + state_size_, 0.0);
  for (std::size_t f = 0; f < fluids_.size(); ++f) {
    const Fluid& fl = fluids_[f];
    const Propellant& prop = config_.propellants[fl.propellant];
    const double r_gas = constants::boltzmann_j_per_k / fl.mass_kg;
    std::span<double> drho(ydot + offset_rho(f), n_);
    if (fl.charge == 0) {
      const double a = std::sqrt(neutral_gamma * r_gas * prop.neutral_temperature_k);
      continuity_flux_divergence(grid_, rho_[f], prop.neutral_velocity_m_s, a, config_.reconstruct_neutrals,
                                 faces_, drho);
      boundary_flux_[f] = {faces_.flux_mass[0], faces_.flux_mass[n_]};
      continue;
    }
    const double rt = r_gas * prop.ion_temperature_k;
    // The wave speed uses gamma = 5/3 while the pressure is isothermal (section 6).
    const double a = std::sqrt(5.0 / 3.0 * rt);
    std::span<double> drho_u(ydot + offset_rho_u(f), n_);
    isothermal_euler_flux_divergence(grid_, rho_[f], rho_u_[f], rt, a, config_.reconstruct, faces_, drho,
                                     drho_u);
    boundary_flux_[f] = {faces_.flux_mass[0], faces_.flux_mass[n_]};
    // Electrostatic force: d(rho u)/dt += (Z e / m) rho E
    const double q_over_m = fl.charge * constants::elementary_charge_c / fl.mass_kg;
    for (std::size_t i = 1; i <= n_; ++i)
      drho_u[i - 1] += q_over_m * rho_[f][i] * electrons.electric_field_v_m[i];
    // Plume expansion, ions only: the neutral equation has no area term (section 6.8).
    if (config_.solve_plume) {
      area_sources(n_, area_.dlnA_dz_m.data(), rho_u_[f].data(), faces_.u_cell.data(), drho.data(),
                   drho_u.data());
    }
  }
  // Ionization: rho_dot = k(eps) ne rho_reactant moves mass from reactant to product. Outside
  // LANDMARK mode the reactant's momentum goes with it; LANDMARK ions are born at rest.
  // The chemistry lists the reactions reactant by reactant: each run of up to three with
  // one reactant is one pass.
  const bool carry_momentum = !config_.landmark;
  const auto& reactions = chemistry_.ionization;
  for (std::size_t r = 0; r < reactions.size();) {
    const std::size_t src = static_cast<std::size_t>(reactions[r].reactant);
    IonizationProduct products[3] = {};
    std::size_t count = 0;
    for (; count < 3 && r < reactions.size() && static_cast<std::size_t>(reactions[r].reactant) == src;
         ++count, ++r) {
      const std::size_t dst = static_cast<std::size_t>(reactions[r].product);
      products[count] = {electrons.ionization_coefficient_m3_s[r].data(), ydot + offset_rho(dst),
                         fluids_[dst].charge > 0 ? ydot + offset_rho_u(dst) : nullptr};
    }
    const double* ne = electrons.ne_m3.data();
    double* drho_src = ydot + offset_rho(src);
    if (!carry_momentum) {
      ionize<false, false>(count, n_, products, ne, rho_[src].data(), nullptr, drho_src, nullptr);
    } else if (fluids_[src].charge > 0) {
      ionize<true, true>(count, n_, products, ne, rho_[src].data(), rho_u_[src].data(), drho_src,
                         ydot + offset_rho_u(src));
    } else {
      ionize<true, false>(count, n_, products, ne, rho_[src].data(), rho_u_[src].data(), drho_src, nullptr);
    }
  }
  if (ion_wall_loss_coefficient_.empty()) return;
  update_ion_wall_frequencies(electrons);
  // Ion wall losses: rho_dot = nu_iw rho with the momentum going to the wall and the mass
  // returning to the propellant's neutrals.
  for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) {
    const double* nu = ion_wall_frequency_hz_[f - num_neutrals_].data();
    wall_losses(n_, nu, rho_[f].data(), rho_u_[f].data(), ydot + offset_rho(f), ydot + offset_rho_u(f),
                ydot + offset_rho(static_cast<std::size_t>(fluids_[f].propellant)));
  }
}

void HeavySpecies::update_ion_wall_frequencies(const ElectronFields& electrons) {
  // Te is frozen over a step: the frequencies change only when the electrons' Te does.
  if (ion_wall_frequency_version_ == electrons.temperature_version()) return;
  ion_wall_frequency_version_ = electrons.temperature_version();
  for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) {
    const double ze_over_m = fluids_[f].charge * constants::elementary_charge_c * inverse_mass_[f];
    auto& nu = ion_wall_frequency_hz_[f - num_neutrals_];
    // nu_iw = (h/dr) sqrt(Z e Te / m)
    for (std::size_t i = 1; i <= n_; ++i)
      nu[i] = ion_wall_loss_coefficient_[i] * std::sqrt(ze_over_m * electrons.te_ev[i]);
  }
}

bool HeavySpecies::apply_floors(double* y) const {
  // The sum of every entry is NaN or infinite exactly when one entry is; it is taken before
  // flooring, which would otherwise hide a NaN density behind the floor value. Floored cells
  // are rare: the sum and a count of them take one branch-free pass that vectorizes, and
  // only a fluid with such cells takes the second.
  double sum = 0.0;
  for (std::size_t f = 0; f < fluids_.size(); ++f) {
    const double floor = fluids_[f].mass_kg * density_floor_m3;
    double* r = y + offset_rho(f);
    double* ru = fluids_[f].charge > 0 ? y + offset_rho_u(f) : nullptr;
    std::size_t below = 0;
#pragma omp simd reduction(+ : sum, below)
    for (std::size_t i = 0; i < n_; ++i) {
      sum += r[i];
      below += !(r[i] >= floor);
    }
    if (ru != nullptr) {
#pragma omp simd reduction(+ : sum)
      for (std::size_t i = 0; i < n_; ++i) sum += ru[i];
    }
    if (below == 0) continue;
    for (std::size_t i = 0; i < n_; ++i) {
      if (r[i] >= floor) continue;
      if (ru != nullptr) ru[i] = r[i] > 0.0 ? floor * ru[i] / r[i] : 0.0;
      r[i] = floor;
    }
  }
  return std::isfinite(sum);
}

StabilityLimits HeavySpecies::stability_limits(double cfl, const ElectronFields& electrons) const {
  // Largest rates first (multiplications only), inverted once at the end.
  double max_wave_rate = 0.0, max_field_rate = 0.0, max_ionization_rate = 0.0;
  for (std::size_t f = 0; f < fluids_.size(); ++f) {
    const Fluid& fl = fluids_[f];
    const Propellant& prop = config_.propellants[fl.propellant];
    const double r_gas = constants::boltzmann_j_per_k / fl.mass_kg;
    if (fl.charge == 0) {
      const double s =
          prop.neutral_velocity_m_s + std::sqrt(neutral_gamma * r_gas * prop.neutral_temperature_k);
      const double* inv_dz = grid_.inv_dz_m.data();
      max_wave_rate = std::max(max_wave_rate, max_over_cells(n_, [&](std::size_t i) { return s * inv_dz[i]; }));
      continue;
    }
    const double a = std::sqrt(5.0 / 3.0 * r_gas * prop.ion_temperature_k);
    const double q_over_m = fl.charge * constants::elementary_charge_c / fl.mass_kg;
    const double* rho = rho_[f].data();
    const double* rho_u = rho_u_[f].data();
    const double* inv_dz = grid_.inv_dz_m.data();
    const double* field = electrons.electric_field_v_m.data();
    // (|u| + a) / dz with |u| = |rho u| / rho
    max_wave_rate = std::max(max_wave_rate, max_over_cells(n_, [&](std::size_t i) {
                               return (std::abs(rho_u[i]) + a * rho[i]) * inv_dz[i] / rho[i];
                             }));
    // dt_E = sqrt(dz m / (Z e |E|)): time to cross a cell from rest under the field
    max_field_rate = std::max(max_field_rate, max_over_cells(n_, [&](std::size_t i) {
                                return q_over_m * std::abs(field[i]) * inv_dz[i];
                              }));
  }
  // dt_iz = min rho / rho_dot_iz over the products of ionization
  for (std::size_t r = 0; r < chemistry_.ionization.size(); ++r) {
    const auto& iz = chemistry_.ionization[r];
    const double* k = electrons.ionization_coefficient_m3_s[r].data();
    const double* ne = electrons.ne_m3.data();
    const double* reactant = rho_[static_cast<std::size_t>(iz.reactant)].data();
    const double* product = rho_[static_cast<std::size_t>(iz.product)].data();
    max_ionization_rate =
        std::max(max_ionization_rate,
                 max_over_cells(n_, [&](std::size_t i) { return k[i] * ne[i] * reactant[i] / product[i]; }));
  }
  constexpr double inf = std::numeric_limits<double>::infinity();
  StabilityLimits lim;
  lim.cfl_s = max_wave_rate > 0.0 ? cfl / max_wave_rate : inf;
  lim.ionization_s = max_ionization_rate > 0.0 ? cfl / max_ionization_rate : inf;
  lim.field_s = max_field_rate > 0.0 ? std::sqrt(cfl / max_field_rate) : inf;
  return lim;
}

void HeavySpecies::node_densities(std::size_t f, std::span<double> n_m3, std::span<double> flux_m2_s) const {
  const double inv_m = inverse_mass_[f];
  const double* rho = rho_[f].data();
  const double* rho_u = rho_u_[f].data();
  // Interior nodes are the cells; the two boundary nodes are set after.
  for (std::size_t i = 1; i <= n_; ++i) {
    n_m3[i] = rho[i] * inv_m;
    flux_m2_s[i] = rho_u[i] * inv_m;
  }
  for (const std::size_t i : {std::size_t{0}, n_ + 1}) {
    n_m3[i] = density_at_node(f, i);
    flux_m2_s[i] = flux_at_node(f, i);
  }
}

double HeavySpecies::thrust_n() const {
  double thrust = 0.0;
  for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) {
    const auto& r = rho_[f];
    const auto& ru = rho_u_[f];
    const double rho_anode = 0.5 * (r[0] + r[1]), rho_u_anode = 0.5 * (ru[0] + ru[1]);
    // T = A_exit (rho u)^2 / rho |_exit - A_ch (rho u)^2 / rho |_anode, written with
    // A_exit = A_ch / ratio (the ratio is exactly 1 without plume expansion)
    thrust += area_.area_m2[0] * (ru[n_] * ru[n_] / r[n_] / area_.channel_area_ratio[n_] -
                                  rho_u_anode * rho_u_anode / rho_anode);
  }
  return thrust;
}

double HeavySpecies::ion_current_a() const {
  double current = 0.0;
  for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) {
    current += constants::elementary_charge_c * fluids_[f].charge * area_.area_m2[n_] * flux_at_node(f, n_);
  }
  return current;
}

double HeavySpecies::ion_mass_flow_kg_s() const {
  double flow = 0.0;
  for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) flow += area_.area_m2[n_] * rho_u_[f][n_];
  return flow;
}

double HeavySpecies::singly_charged_energy_ev() const {
  double energy = 0.0, density = 0.0;
  for (std::size_t f = num_neutrals_; f < fluids_.size(); ++f) {
    if (fluids_[f].charge != 1) continue;
    // n m u^2 / 2 = (rho u)^2 / (2 rho)
    energy += 0.5 * rho_u_[f][n_] * rho_u_[f][n_] / rho_[f][n_];
    density += rho_[f][n_] * inverse_mass_[f];
  }
  return density > 0.0 ? energy / density / constants::elementary_charge_c : 0.0;
}

namespace {

// The averaged profiles of one fluid (docs/hallsim.md): name stem, units and the cell value
// from (rho, rho u, m).
struct FluidProfile {
  const char* stem;
  const char* units;
  double (*value)(double rho, double rho_u, double mass_kg);
};

double number_density(double rho, double, double mass_kg) {
  return rho / mass_kg;
}
double velocity(double rho, double rho_u, double) {
  return rho_u / rho;
}

constexpr FluidProfile neutral_profiles[] = {{"nn", "m^-3", number_density}};
constexpr FluidProfile ion_profiles[] = {{"ni", "m^-3", number_density}, {"ui", "m/s", velocity}};

std::span<const FluidProfile> profiles_of(const Fluid& f) {
  if (f.charge == 0) return neutral_profiles;
  return ion_profiles;
}

}  // namespace

void HeavySpecies::profile_names(std::vector<std::pair<std::string, std::string>>& names) const {
  // nn, ni_Z, ui_Z; with several propellants nn_<gas>, ni_<gas>_<Z>, ui_<gas>_<Z>.
  const bool one_propellant = num_neutrals_ == 1;
  for (const Fluid& fl : fluids_) {
    std::string suffix;
    if (!one_propellant) suffix += "_" + config_.propellants[fl.propellant].gas;
    if (fl.charge > 0) suffix.append("_").append(std::to_string(fl.charge));
    for (const FluidProfile& p : profiles_of(fl)) names.emplace_back(p.stem + suffix, p.units);
  }
}

std::size_t HeavySpecies::accumulate_profiles(std::vector<std::vector<double>>& sums, std::size_t k) const {
  for (std::size_t f = 0; f < fluids_.size(); ++f) {
    for (const FluidProfile& p : profiles_of(fluids_[f])) {
      auto& s = sums[k++];
      for (std::size_t i = 1; i <= n_; ++i) s[i - 1] += p.value(rho_[f][i], rho_u_[f][i], fluids_[f].mass_kg);
    }
  }
  return k;
}

}  // namespace hd::hallsim
