// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/anomalous_transport.hpp"

#include <cmath>

#include "hd/common/interpolate.hpp"
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
    if (m.z_m.size() == 1) return m.c.front();
    const Bracket b = bracket(m.z_m, z_m);
    return std::exp((1.0 - b.w) * std::log(m.c[b.i]) + b.w * std::log(m.c[b.i + 1]));
  }
};

}  // namespace

double anomalous_coefficient(const AnomalousTransport& model, double z_m, double channel_length_m) {
  return std::visit(Coefficient{z_m, channel_length_m}, model);
}

}  // namespace hd::hallsim
