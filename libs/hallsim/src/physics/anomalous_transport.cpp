// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/physics/anomalous_transport.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "hd/common/config.hpp"
#include "hd/common/csv.hpp"
#include "hd/common/error.hpp"
#include "hd/common/interpolate.hpp"
#include "hd/common/model_family.hpp"
#include "hd/hallsim/physics/transition.hpp"

namespace hd::hallsim {
namespace {

struct Coefficient {
  double z_m;
  const AnomalousContext& context;

  double operator()(const NoAnomalousTransport&) const { return 0.0; }
  // c = c_Bohm
  double operator()(const Bohm& m) const { return m.coefficient; }
  // c = c1 inside, c2 outside, linear across the transition
  double operator()(const TwoZoneBohm& m) const {
    return linear_transition(z_m, context.channel_length_m, m.transition_length_m, m.c_inside, m.c_outside);
  }
  // ln c linear between nodes, constant outside
  double operator()(const MultiLogBohm& m) const {
    if (m.z_m.size() == 1) return m.c.front();
    const Bracket b = bracket(m.z_m, z_m);
    return std::exp((1.0 - b.w) * std::log(m.c[b.i]) + b.w * std::log(m.c[b.i + 1]));
  }
  // c = hall_max [1 - (1 - hall_min) exp(-(z - center)^2 / (2 width^2))]
  double operator()(const GaussianBohm& m) const {
    const double x = (z_m - m.center_m) / m.width_m;
    return m.hall_max * (1.0 - (1.0 - m.hall_min) * std::exp(-0.5 * x * x));
  }
  // c = anom_scale [1 - barrier_scale exp(-(z - center L_ch)^2 / (2 (width L_ch)^2))]
  double operator()(const ScaledGaussianBohm& m) const {
    const double l_ch = context.channel_length_m;
    const double x = (z_m - m.center * l_ch) / (m.width * l_ch);
    return m.anom_scale * (1.0 - m.barrier_scale * std::exp(-0.5 * x * x));
  }
  // The wrapped profile moves along z; only the coefficient is shifted, not omega_ce.
  double operator()(const LogisticPressureShift& m) const {
    return anomalous_coefficient(*m.base, z_m - pressure_shift_m(m, context), context);
  }
  double operator()(const SimpleLogisticShift& m) const {
    return anomalous_coefficient(*m.base, z_m - pressure_shift_m(m, context), context);
  }
};

}  // namespace

double anomalous_coefficient(const AnomalousTransport& model, double z_m, const AnomalousContext& context) {
  return std::visit(Coefficient{z_m, context}, model.model());
}

double pressure_shift_m(const LogisticPressureShift& m, const AnomalousContext& context) {
  // dz_shift = L_ch [z0 + dz / (1 + (alpha - 1)^(2 p_B / p* - 1))]
  const double exponent = 2.0 * context.background_pressure_pa / m.pressure_star_pa - 1.0;
  return context.channel_length_m * (m.z0 + m.dz / (1.0 + std::pow(m.alpha - 1.0, exponent)));
}

double pressure_shift_m(const SimpleLogisticShift& m, const AnomalousContext& context) {
  // dz_shift = -L_ch shift_length [1 / (1 + exp(-slope (p_B/p_mid - 1))) - 1 / (1 + exp(slope))]
  const double ratio = context.background_pressure_pa / m.pressure_mid_pa;
  const double logistic = 1.0 / (1.0 + std::exp(-m.slope * (ratio - 1.0)));
  return -context.channel_length_m * m.shift_length * (logistic - 1.0 / (1.0 + std::exp(m.slope)));
}

namespace {

using hd::config::Range;
using hd::config::Table;

// Strictly above 1 (a closed range cannot say "> 1" otherwise).
const Range above_one{std::nextafter(1.0, 2.0), std::numeric_limits<double>::infinity()};

using Family = hd::config::ModelFamily<AnomalousTransport, Geometry>;
const Family& anomalous_models();

AnomalousTransport read_bohm(const Table& t, const Geometry&) {
  return Bohm{t.get_double_or("coefficient", Bohm{}.coefficient, Range::non_negative())};
}

AnomalousTransport read_two_zone_bohm(const Table& t, const Geometry& g) {
  TwoZoneBohm m;
  m.c_inside = t.get_double_or("c_inside", m.c_inside, Range::non_negative());
  m.c_outside = t.get_double_or("c_outside", m.c_outside, Range::non_negative());
  m.transition_length_m =
      t.get_double_or("transition_length_m", 0.1 * g.channel_length_m, Range::non_negative());
  return m;
}

// The nodes come from exactly one of `z_m`, `z_channel_lengths` (each with the array `c`) or
// `file`, a CSV of rows "z, c" whose z unit `file_z_units` names.
AnomalousTransport read_multi_log_bohm(const Table& t, const Geometry& g) {
  const int sources = static_cast<int>(t.has("z_m")) + static_cast<int>(t.has("z_channel_lengths")) +
                      static_cast<int>(t.has("file"));
  if (sources != 1) {
    t.fail("model", "= \"multi_log_bohm\" needs exactly one of z_m, z_channel_lengths or file (found " +
                        std::to_string(sources) + ")");
  }
  MultiLogBohm m;
  if (t.has("file")) {
    if (t.has("c")) t.fail("c", "is not used with `file`: the file holds the rows \"z, c\"");
    const auto file = t.get_path("file");
    const double z_scale =
        t.get_choice("file_z_units", {"m", "channel_lengths"}) == "m" ? 1.0 : g.channel_length_m;
    std::vector<std::vector<double>> columns;
    try {
      columns =
          read_numeric_csv(file, {.min_rows = 1, .what = "anomalous transport profile (rows \"z, c\")"});
    } catch (const Error& e) {
      t.fail("file", "cannot be used: " + std::string(e.what()));
    }
    for (double& z : columns[0]) z *= z_scale;
    m.z_m = std::move(columns[0]);
    m.c = std::move(columns[1]);
    for (const double c : m.c) {
      if (!(c > 0.0))
        t.fail("file", "holds c = " + std::to_string(c) + ": c must be positive (ln c is interpolated)");
    }
    return m;
  }
  const std::string key = t.has("z_m") ? "z_m" : "z_channel_lengths";
  m.z_m = t.get_doubles(key);
  if (key == "z_channel_lengths") {
    for (double& z : m.z_m) z *= g.channel_length_m;
  }
  m.c = t.get_doubles("c", Range::positive());
  if (m.z_m.empty()) t.fail(key, "needs at least one node");
  if (m.c.size() != m.z_m.size()) {
    t.fail("c", "has " + std::to_string(m.c.size()) + " values for " + std::to_string(m.z_m.size()) +
                    " nodes in " + key + ": give one per node");
  }
  for (std::size_t i = 1; i < m.z_m.size(); ++i) {
    if (!(m.z_m[i] > m.z_m[i - 1])) t.fail(key, "must increase (entry " + std::to_string(i) + " does not)");
  }
  return m;
}

AnomalousTransport read_gaussian_bohm(const Table& t, const Geometry&) {
  GaussianBohm m;
  m.hall_min = t.get_double("hall_min", Range::unit());
  m.hall_max = t.get_double("hall_max", Range::positive());
  m.center_m = t.get_double("center_m");
  m.width_m = t.get_double("width_m", Range::positive());
  return m;
}

AnomalousTransport read_scaled_gaussian_bohm(const Table& t, const Geometry&) {
  ScaledGaussianBohm m;
  m.anom_scale = t.get_double_or("anom_scale", m.anom_scale, Range::positive());
  m.barrier_scale = t.get_double_or("barrier_scale", m.barrier_scale, Range::unit());
  m.width = t.get_double("width", Range::positive());
  m.center = t.get_double("center", Range::positive());
  return m;
}

std::shared_ptr<const AnomalousTransport> read_base(const Table& t, const Geometry& g) {
  // Required: a wrapper around an implicit default would hide what is shifted.
  return std::make_shared<const AnomalousTransport>(anomalous_models().read(t.table("base"), "model", "", g));
}

AnomalousTransport read_logistic_pressure_shift(const Table& t, const Geometry& g) {
  LogisticPressureShift m;
  m.z0 = t.get_double("z0");
  m.dz = t.get_double("dz");
  m.pressure_star_pa = t.get_double("pressure_star_torr", Range::positive()) * constants::pascal_per_torr;
  m.alpha = t.get_double("alpha", above_one);
  m.base = read_base(t, g);
  return m;
}

AnomalousTransport read_simple_logistic_shift(const Table& t, const Geometry& g) {
  SimpleLogisticShift m;
  m.shift_length = t.get_double("shift_length", Range::positive());
  m.pressure_mid_pa =
      t.get_double_or("pressure_mid_torr", 25e-6, Range::positive()) * constants::pascal_per_torr;
  m.slope = t.get_double_or("slope", m.slope, Range::positive());
  m.base = read_base(t, g);
  return m;
}

const Family& anomalous_models() {
  static const Family family{
      {"none", [](const Table&, const Geometry&) { return AnomalousTransport{NoAnomalousTransport{}}; }},
      {"bohm", read_bohm},
      {"two_zone_bohm", read_two_zone_bohm},
      {"multi_log_bohm", read_multi_log_bohm},
      {"gaussian_bohm", read_gaussian_bohm},
      {"scaled_gaussian_bohm", read_scaled_gaussian_bohm},
      {"logistic_pressure_shift", read_logistic_pressure_shift},
      {"simple_logistic_shift", read_simple_logistic_shift}};
  return family;
}

}  // namespace

AnomalousTransport read_anomalous_transport(const Table& table, const Geometry& geometry) {
  return anomalous_models().read(table, "model", "two_zone_bohm", geometry);
}

}  // namespace hd::hallsim
