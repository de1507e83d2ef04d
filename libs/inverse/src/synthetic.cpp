// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/synthetic.hpp"

#include <cmath>

#include "hd/common/error.hpp"
#include "hd/common/interpolate.hpp"

namespace hd::inverse {

namespace {

double true_value(const TrueState& truth, const std::string& name, const std::string& origin) {
  const auto it = truth.values.find(name);
  if (it == truth.values.end()) throw Error(origin + ": the held-out data has no value of " + name);
  return it->second;
}

}  // namespace

ObservationFile synthesize_observation(const ObservationFile& templ, const TrueState& truth, RngStream& rng) {
  ObservationFile o;
  o.source = templ.source;
  o.text = templ.text;
  for (const auto& p : templ.params) o.params.push_back({p.name, true_value(truth, p.name, p.origin), p.origin});
  for (const auto& t : templ.fields) {
    // Noise in normalized units would depend on the model: a template states physical noise.
    if (t.normalized || t.stddev_normalized)
      throw Error(t.origin + ": synthetic measurements need values and stddev in physical units (" +
                  (t.normalized ? "normalized = true" : "no stddev of its own, so the default's normalized one") +
                  ")");
    const auto profile = truth.profiles.find(t.channel);
    if (profile == truth.profiles.end()) throw Error(t.origin + ": the held-out data has no channel " + t.channel);
    if (t.all_cells && t.y.size() != truth.z_m.size())
      throw Error(t.origin + ": x = \"all\" with " + std::to_string(t.y.size()) + " values, but the data has " +
                  std::to_string(truth.z_m.size()) + " cells");
    FieldMeasurement f = t;
    const auto& x = t.all_cells ? truth.z_m : t.x_m;
    for (std::size_t k = 0; k < x.size(); ++k) {
      const double value = interpolate_clamped(truth.z_m, profile->second, x[k]);
      const double s = t.error_type == ErrorType::relative ? t.stddev[k] * std::abs(value) : t.stddev[k];
      // A relative error keeps its fraction: the sampler scales it by the measured value.
      f.y[k] = value + s * rng.normal();
    }
    o.fields.push_back(std::move(f));
  }
  for (const auto& s : templ.scalars)
    o.scalars.push_back({s.name, true_value(truth, s.name, s.origin) + s.stddev * rng.normal(), s.stddev, s.origin});
  return o;
}

}  // namespace hd::inverse
