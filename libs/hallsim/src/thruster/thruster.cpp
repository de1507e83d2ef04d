// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/thruster/thruster.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "hd/common/error.hpp"
#include "hd/hallsim/constants.hpp"

namespace hd::hallsim {

double channel_area_m2(const Geometry& g) {
  return constants::pi * (g.outer_radius_m * g.outer_radius_m - g.inner_radius_m * g.inner_radius_m);
}

TabulatedField read_field_table(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open magnetic field file");
  TabulatedField t;
  t.file = file;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream row(line);
    double z = 0.0, b = 0.0;
    if (!(row >> z >> b)) {
      throw Error(file.string() + ":" + std::to_string(line_no) + ": expected two numbers 'z_m, B_t'");
    }
    if (!t.z_m.empty() && z <= t.z_m.back()) {
      throw Error(file.string() + ":" + std::to_string(line_no) + ": z must increase");
    }
    t.z_m.push_back(z);
    t.b_t.push_back(b);
  }
  if (t.z_m.size() < 2) throw Error(file.string() + ": magnetic field file needs at least two rows");
  return t;
}

namespace {

double interpolate_clamped(const std::vector<double>& x, const std::vector<double>& y, double xq) {
  if (xq <= x.front()) return y.front();
  if (xq >= x.back()) return y.back();
  const auto it = std::upper_bound(x.begin(), x.end(), xq);
  const std::size_t i = static_cast<std::size_t>(it - x.begin()) - 1;
  const double w = (xq - x[i]) / (x[i + 1] - x[i]);
  return (1.0 - w) * y[i] + w * y[i + 1];
}

}  // namespace

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
