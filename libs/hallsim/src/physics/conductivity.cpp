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

void thermal_conductivity(const Conductivity& model, std::span<const double> mobility,
                          std::span<const double> ne_m3, std::span<const double> te_ev,
                          std::span<const double> nu_ei_hz, std::span<const double> nu_total_hz,
                          std::span<double> kappa) {
  std::visit(
      [&](const auto& m) {
        for (std::size_t i = 0; i < kappa.size(); ++i)
          kappa[i] = Kappa{mobility[i], ne_m3[i], te_ev[i], nu_ei_hz[i], nu_total_hz[i]}(m);
      },
      model);
}

}  // namespace hd::hallsim
