// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/thruster/thruster.hpp"

#include <cmath>

#include "hd/common/csv.hpp"
#include "hd/common/interpolate.hpp"
#include "hd/hallsim/constants.hpp"

namespace hd::hallsim {

double channel_area_m2(const Geometry& g) {
  return constants::pi * (g.outer_radius_m * g.outer_radius_m - g.inner_radius_m * g.inner_radius_m);
}

TabulatedField read_field_table(const std::filesystem::path& file) {
  auto columns = read_numeric_csv(file, {.what = "magnetic field file (rows 'z_m, B_t')"});
  return {file, std::move(columns[0]), std::move(columns[1])};
}

double magnetic_field_t(const MagneticField& field, double z_m, const Geometry& geometry, double scale) {
  if (const auto* g = std::get_if<GaussianField>(&field)) {
    const double sigma = z_m < geometry.channel_length_m ? g->width_upstream_m : g->width_downstream_m;
    const double x = (z_m - geometry.channel_length_m) / sigma;
    // B = B_max exp(-x^2 / 2)
    return scale * g->peak_t * std::exp(-0.5 * x * x);
  }
  const auto& t = std::get<TabulatedField>(field);
  return scale * interpolate_clamped(t.z_m, t.b_t, z_m);
}

}  // namespace hd::hallsim
