// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/conductivity.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "hd/common/config.hpp"
#include "hd/common/model_family.hpp"

namespace hd::hallsim {

double braginskii_coefficient(double z_eff) {
  // C(Z) at Z = 1, 2, 3, 4, 5 (Braginskii 1965, electron heat conduction coefficient)
  static constexpr std::array<double, 5> c{4.66, 4.0, 3.7, 3.6, 3.2};
  const double z = std::clamp(z_eff, 1.0, 5.0);
  const auto i = std::min(static_cast<std::size_t>(z) - 1, c.size() - 2);
  const double w = z - static_cast<double>(i + 1);
  return (1.0 - w) * c[i] + w * c[i + 1];
}

namespace {

struct Kappa {
  double mu, ne, te, nu_ei, nu, z_eff;
  // kappa = 2.4 / (1 + nu_ei / (sqrt(2) nu)) mu ne Te  (Mitchner & Kruger)
  double operator()(const Mitchner&) const {
    return 2.4 / (1.0 + nu_ei / (std::sqrt(2.0) * nu)) * mu * ne * te;
  }
  // kappa = C(Z_eff) mu ne Te
  double operator()(const Braginskii&) const { return braginskii_coefficient(z_eff) * mu * ne * te; }
  // kappa = (10/9) mu n_eps = (10/9) mu (1.5 ne Te)
  double operator()(const LandmarkConductivity&) const { return 10.0 / 9.0 * mu * 1.5 * ne * te; }
};

template <class Model>
hd::config::ModelFamily<Conductivity>::Reader model() {
  return [](const hd::config::Table&) { return Conductivity{Model{}}; };
}

const hd::config::ModelFamily<Conductivity> conductivities{{"mitchner", model<Mitchner>()},
                                                           {"braginskii", model<Braginskii>()},
                                                           {"landmark", model<LandmarkConductivity>()}};

}  // namespace

Conductivity read_conductivity(const hd::config::Table& physics, bool landmark) {
  return conductivities.read(physics, "conductivity", landmark ? "landmark" : "mitchner");
}

void thermal_conductivity(const Conductivity& model, const ConductivityInputs& in, std::span<double> kappa) {
  std::visit(
      [&](const auto& m) {
        for (std::size_t i = 0; i < kappa.size(); ++i) {
          kappa[i] = Kappa{in.mobility[i], in.ne_m3[i],       in.te_ev[i],
                           in.nu_ei_hz[i], in.nu_total_hz[i], in.z_eff[i]}(m);
        }
      },
      model);
}

}  // namespace hd::hallsim
