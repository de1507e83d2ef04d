// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/anomalous_transport.hpp"

#include <cmath>

#include "hd/hallsim/physics/transition.hpp"

namespace hd::hallsim {
namespace {

struct Coefficient {
  double z_m, channel_length_m;
  double operator()(const NoAnomalousTransport&) const { return 0.0; }
  // c = c_Bohm
  double operator()(const Bohm& m) const { return m.coefficient; }
  // c = c1 inside, c2 outside, linear across the transition
  double operator()(const TwoZoneBohm& m) const {
    return linear_transition(z_m, channel_length_m, m.transition_length_m, m.c_inside, m.c_outside);
  }
  // ln c linear between nodes, constant outside
  double operator()(const MultiLogBohm& m) const {
    if (z_m <= m.z_m.front()) return m.c.front();
    if (z_m >= m.z_m.back()) return m.c.back();
    std::size_t i = 0;
    while (m.z_m[i + 1] < z_m) ++i;
    const double w = (z_m - m.z_m[i]) / (m.z_m[i + 1] - m.z_m[i]);
    return std::exp((1.0 - w) * std::log(m.c[i]) + w * std::log(m.c[i + 1]));
  }
};

}  // namespace

double anomalous_coefficient(const AnomalousTransport& model, double z_m, double channel_length_m) {
  return std::visit(Coefficient{z_m, channel_length_m}, model);
}

}  // namespace hd::hallsim
