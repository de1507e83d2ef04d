// SPDX-License-Identifier: GPL-3.0-or-later
// Anomalous electron collision frequency nu_an = c(z) * omega_ce (docs/physics.md section 3).
// Every model is a prescribed profile c(z): it depends on position only, so the simulation
// evaluates it once.
#pragma once
#include <variant>
#include <vector>

namespace hd::hallsim {

struct NoAnomalousTransport {};
// c(z) = c
struct Bohm {
  double coefficient = 1.0 / 16.0;
};
// c(z) = c_inside in the channel, c_outside in the plume, linear over transition_length_m.
struct TwoZoneBohm {
  double c_inside = 1.0 / 160.0;
  double c_outside = 1.0 / 16.0;
  double transition_length_m = 0.0025;
};
// log c interpolated linearly between nodes (z_m, c); constant beyond the end nodes.
struct MultiLogBohm {
  std::vector<double> z_m;
  std::vector<double> c;
};

using AnomalousTransport = std::variant<NoAnomalousTransport, Bohm, TwoZoneBohm, MultiLogBohm>;

// Inverse Hall parameter c(z) such that nu_an = c(z) e B / m_e.
double anomalous_coefficient(const AnomalousTransport& model, double z_m, double channel_length_m);

}  // namespace hd::hallsim
