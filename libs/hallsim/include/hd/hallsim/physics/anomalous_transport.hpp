// SPDX-License-Identifier: GPL-3.0-or-later
// Anomalous electron collision frequency nu_an = c(z) omega_ce (docs/physics.md section 3).
// Every model is a prescribed profile c(z) (the inverse Hall parameter), depending on position
// and, through the pressure-shift wrappers, on the background pressure only: the simulation
// evaluates it once. A new model is one struct here, one overload in
// anomalous_transport.cpp and one row in its family table there.
#pragma once
#include <memory>
#include <variant>
#include <vector>

#include "hd/hallsim/constants.hpp"
#include "hd/hallsim/thruster/thruster.hpp"

namespace hd::config {
class Table;
}

namespace hd::hallsim {

struct AnomalousTransport;

struct NoAnomalousTransport {};
// c = coefficient
struct Bohm {
  double coefficient = 1.0 / 16.0;
};
// c = c_inside in the channel, c_outside in the plume, linear over transition_length_m.
struct TwoZoneBohm {
  double c_inside = 1.0 / 160.0;
  double c_outside = 1.0 / 16.0;
  double transition_length_m = 0.0025;
};
// ln c interpolated linearly between nodes (z_m, c); constant beyond the end nodes.
struct MultiLogBohm {
  std::vector<double> z_m;
  std::vector<double> c;
};
// c = hall_max [1 - (1 - hall_min) exp(-(z - center)^2 / (2 width^2))]: hall_min is the
// fraction of hall_max left at the trough.
struct GaussianBohm {
  double hall_min = 0.0;
  double hall_max = 0.0;
  double center_m = 0.0;
  double width_m = 0.0;
};
// c = anom_scale [1 - barrier_scale exp(-(z/L_ch - center)^2 / (2 width^2))], center and
// width in channel lengths.
struct ScaledGaussianBohm {
  double anom_scale = 0.0625;
  double barrier_scale = 0.9;
  double width = 0.0;
  double center = 0.0;
};
// The base model evaluated at z - dz_shift(p_B) (omega_ce stays at z), with
//   dz_shift = L_ch [z0 + dz / (1 + (alpha - 1)^(2 p_B / p* - 1))]
// (not zero at p_B = 0). z0 and dz in channel lengths.
struct LogisticPressureShift {
  std::shared_ptr<const AnomalousTransport> base;
  double z0 = 0.0;
  double dz = 0.0;
  double pressure_star_pa = 0.0;
  double alpha = 2.0;  // > 1
};
// The base model evaluated at z - dz_shift(p_B), with
//   dz_shift = -L_ch shift_length [1 / (1 + exp(-slope (p_B/p_mid - 1))) - 1 / (1 + exp(slope))]
// zero at p_B = 0, moving the profile upstream as the pressure rises.
struct SimpleLogisticShift {
  std::shared_ptr<const AnomalousTransport> base;
  double shift_length = 0.0;  // channel lengths
  double pressure_mid_pa = 25e-6 * constants::pascal_per_torr;
  double slope = 2.0;
};

using AnomalousModel = std::variant<NoAnomalousTransport, Bohm, TwoZoneBohm, MultiLogBohm, GaussianBohm,
                                    ScaledGaussianBohm, LogisticPressureShift, SimpleLogisticShift>;

// One of the models above. A named type (not an alias), so that the shift wrappers can hold
// the model they wrap.
struct AnomalousTransport : AnomalousModel {
  using AnomalousModel::AnomalousModel;
  const AnomalousModel& model() const { return *this; }
};

// Where a profile is evaluated: the channel length and the background pressure p_B.
struct AnomalousContext {
  double channel_length_m = 0.025;
  double background_pressure_pa = 0.0;
};

// Inverse Hall parameter c(z) such that nu_an = c(z) e B(z) / m_e.
double anomalous_coefficient(const AnomalousTransport& model, double z_m, const AnomalousContext& context);

// dz_shift (m) of the two pressure wrappers.
double pressure_shift_m(const LogisticPressureShift& model, const AnomalousContext& context);
double pressure_shift_m(const SimpleLogisticShift& model, const AnomalousContext& context);

// Reads [anomalous_transport]: `model` (default two_zone_bohm) and that model's keys; the
// shift wrappers read the model they wrap from the sub-table `base` (any model of this
// family). Pressures are in Torr in the config and converted to pascals once, here.
AnomalousTransport read_anomalous_transport(const hd::config::Table& table, const Geometry& geometry);

}  // namespace hd::hallsim
