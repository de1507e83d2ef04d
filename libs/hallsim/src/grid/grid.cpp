// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/grid/grid.hpp"

#include <cmath>

#include "hd/common/error.hpp"

namespace hd::hallsim {
namespace {

Grid grid_from_faces(std::vector<double> faces) {
  Grid g;
  const std::size_t n = faces.size() - 1;
  g.z_face_m = std::move(faces);
  g.z_node_m.resize(n + 2);
  g.dz_m.resize(n + 2);
  g.z_node_m[0] = g.z_face_m[0];
  g.z_node_m[n + 1] = g.z_face_m[n];
  for (std::size_t i = 1; i <= n; ++i) {
    g.z_node_m[i] = 0.5 * (g.z_face_m[i - 1] + g.z_face_m[i]);
    g.dz_m[i] = g.z_face_m[i] - g.z_face_m[i - 1];
  }
  g.dz_m[0] = g.dz_m[1];
  g.dz_m[n + 1] = g.dz_m[n];
  g.inv_dz_m.resize(n + 2);
  for (std::size_t i = 0; i < n + 2; ++i) g.inv_dz_m[i] = 1.0 / g.dz_m[i];
  g.inv_node_spacing_m.resize(n + 1);
  for (std::size_t f = 0; f <= n; ++f) g.inv_node_spacing_m[f] = 1.0 / (g.z_node_m[f + 1] - g.z_node_m[f]);
  return g;
}

void check(std::size_t num_cells, double z_left_m, double z_right_m) {
  if (num_cells < 2 || !(z_right_m > z_left_m)) {
    throw Error("hallsim grid: need at least 2 cells and z_right > z_left");
  }
}

}  // namespace

Grid make_even_grid(std::size_t num_cells, double z_left_m, double z_right_m) {
  check(num_cells, z_left_m, z_right_m);
  std::vector<double> faces(num_cells + 1);
  for (std::size_t i = 0; i <= num_cells; ++i) {
    faces[i] = z_left_m + (z_right_m - z_left_m) * static_cast<double>(i) / static_cast<double>(num_cells);
  }
  return grid_from_faces(std::move(faces));
}

Grid make_uneven_grid(std::size_t num_cells, double z_left_m, double z_right_m, double channel_length_m) {
  check(num_cells, z_left_m, z_right_m);
  // Cell density g(z) = 2 upstream of 1.5 L_ch, relaxing to 1 over one channel length;
  // faces are equally spaced in the cumulative density, so dz ~ 1/g.
  const auto density = [&](double z) {
    const double z_switch = 1.5 * channel_length_m;
    if (z <= z_switch) return 2.0;
    const double s = (z - z_switch) / channel_length_m;
    return 1.0 + std::exp(-s * s);
  };
  const std::size_t fine = 200 * num_cells;
  std::vector<double> cumulative(fine + 1, 0.0);
  const double h = (z_right_m - z_left_m) / static_cast<double>(fine);
  for (std::size_t k = 0; k < fine; ++k) {
    const double z = z_left_m + (static_cast<double>(k) + 0.5) * h;
    cumulative[k + 1] = cumulative[k] + density(z) * h;
  }
  std::vector<double> faces(num_cells + 1);
  std::size_t k = 0;
  for (std::size_t i = 0; i <= num_cells; ++i) {
    const double target = cumulative[fine] * static_cast<double>(i) / static_cast<double>(num_cells);
    while (k < fine && cumulative[k + 1] < target) ++k;
    const double w = k < fine ? (target - cumulative[k]) / (cumulative[k + 1] - cumulative[k]) : 0.0;
    faces[i] = z_left_m + (static_cast<double>(k) + w) * h;
  }
  faces.front() = z_left_m;
  faces.back() = z_right_m;
  return grid_from_faces(std::move(faces));
}

Grid make_grid(GridKind kind, std::size_t num_cells, double z_left_m, double z_right_m,
               double channel_length_m) {
  return kind == GridKind::even ? make_even_grid(num_cells, z_left_m, z_right_m)
                                : make_uneven_grid(num_cells, z_left_m, z_right_m, channel_length_m);
}

}  // namespace hd::hallsim
