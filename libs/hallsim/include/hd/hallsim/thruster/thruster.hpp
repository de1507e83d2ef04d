// SPDX-License-Identifier: GPL-3.0-or-later
// Thruster geometry and applied radial magnetic field.
#pragma once
#include <filesystem>
#include <variant>
#include <vector>

namespace hd::hallsim {

struct Geometry {
  double channel_length_m = 0.025;
  double inner_radius_m = 0.0345;
  double outer_radius_m = 0.05;
};

// A = pi (R_out^2 - R_in^2)
double channel_area_m2(const Geometry& geometry);

// B(z) = B_max exp(-(z - L_ch)^2 / (2 sigma^2)), sigma upstream/downstream of the peak
// (the LANDMARK analytic SPT-100 field, docs/physics.md section 13).
struct GaussianField {
  double peak_t = 0.015;
  double width_upstream_m = 0.011;
  double width_downstream_m = 0.018;
};

// B(z) tabulated (z_m, B_t), linearly interpolated and clamped at the ends.
struct TabulatedField {
  std::filesystem::path file;
  std::vector<double> z_m;
  std::vector<double> b_t;
};

using MagneticField = std::variant<GaussianField, TabulatedField>;

// Reads "z, B" rows without header; throws hd::Error naming the file.
TabulatedField read_field_table(const std::filesystem::path& file);

// Radial field B(z) in tesla, times `scale`.
double magnetic_field_t(const MagneticField& field, double z_m, const Geometry& geometry, double scale);

}  // namespace hd::hallsim
