// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/conductivity.hpp"

#include <cmath>

namespace hd::hallsim {
namespace {

struct Kappa {
  double mu, ne, te, nu_ei, nu;
  // kappa = 2.4 / (1 + nu_ei / (sqrt(2) nu)) mu ne Te  (Mitchner & Kruger)
  double operator()(const Mitchner&) const {
    return 2.4 / (1.0 + nu_ei / (std::sqrt(2.0) * nu)) * mu * ne * te;
  }
  // kappa = (10/9) mu n_eps = (10/9) mu (1.5 ne Te)
  double operator()(const LandmarkConductivity&) const { return 10.0 / 9.0 * mu * 1.5 * ne * te; }
};

}  // namespace

double thermal_conductivity(const Conductivity& model, double mobility, double ne_m3, double te_ev,
                            double nu_ei_hz, double nu_total_hz) {
  return std::visit(Kappa{mobility, ne_m3, te_ev, nu_ei_hz, nu_total_hz}, model);
}

}  // namespace hd::hallsim
