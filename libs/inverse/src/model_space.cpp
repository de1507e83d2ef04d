// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/model_space.hpp"

#include <algorithm>
#include <cmath>

#include "hd/common/error.hpp"

namespace hd::inverse {

namespace {

using config::format_number;

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

std::size_t index_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

const char* functional_name(Functional f) {
  return f == Functional::discharge_current ? "discharge_current_a" : "thrust_n";
}

// The half-cell edges of the grid: the model describes the domain up to there. A grid
// that starts at the anode gives a first edge of 0 up to rounding: made exactly 0.
std::pair<double, double> domain_of(const std::vector<double>& z) {
  const std::size_t n = z.size();
  const double low = z[0] - 0.5 * (z[1] - z[0]), high = z[n - 1] + 0.5 * (z[n - 1] - z[n - 2]);
  return {std::abs(low) < 1e-9 * (high - low) ? 0.0 : low, high};
}

void map_field(const FieldMeasurement& f, const ModelSpace& space, MappedObservation& out) {
  const std::size_t c = space.channel(f.channel);
  if (c == space.channels.size())
    throw Error(f.origin + ": the model has no channel " + f.channel +
                " (its channels: " + join(space.channels) + ")");
  const auto& z = space.z_m;
  std::vector<double> x = f.x_m;
  if (f.all_cells) {
    if (f.y.size() != z.size())
      throw Error(f.x_origin + " = \"all\" needs one y per cell centre: the model has " +
                  std::to_string(z.size()) + ", y has " + std::to_string(f.y.size()));
    x = z;
  }
  const auto [low, high] = domain_of(z);
  int clamped = 0;
  for (std::size_t k = 0; k < x.size(); ++k) {
    if (x[k] < low || x[k] > high)
      throw Error(f.x_origin + "[" + std::to_string(k) + "] = " + format_number(x[k]) +
                  " m lies outside the model's domain [" + format_number(low) + ", " + format_number(high) +
                  "] m: move or drop it");
    const double at = std::clamp(x[k], z.front(), z.back());
    clamped += at != x[k];
    Normalized n{f.y[k], f.stddev[k]};
    if (!f.normalized) {
      if (space.fields.log[c] && !(f.y[k] > 0.0))
        throw Error(f.origin + ".y[" + std::to_string(k) + "] = " + format_number(f.y[k]) + ": " + f.channel +
                    " is modelled in log space and needs positive values");
      n = normalize_measurement(space.fields, c, f.y[k], f.stddev[k], f.error_type);
      if (f.stddev_normalized) n.noise_std = f.stddev[k];  // the file's default is normalized already
    }
    out.points.push_back(
        {.channel = c, .z_m = at, .channel_mean = false, .value = n.value, .noise_std = n.noise_std});
  }
  if (clamped > 0)
    out.notes.push_back(f.x_origin + ": " + std::to_string(clamped) +
                        " position(s) between a domain edge and the nearest cell centre are observed at that "
                        "centre");
}

void map_scalar(const ScalarMeasurement& s, const ModelSpace& space, MappedObservation& out) {
  const std::size_t l = space.label(s.name);
  if (l < space.labels.size() && space.joint_labels) {
    const auto& n = space.label_normalization;
    if (n.log[l] && !(s.value > 0.0))
      throw Error(s.origin + ".value = " + format_number(s.value) + ": " + s.name +
                  " is modelled in log space and needs a positive value");
    const auto v = normalize_measurement(n, l, s.value, s.stddev, ErrorType::absolute);
    out.points.push_back({.channel = space.channels.size() + l,
                          .z_m = 0.0,
                          .channel_mean = true,
                          .value = v.value,
                          .noise_std = v.noise_std});
    return;
  }
  for (Functional f : {Functional::discharge_current, Functional::thrust}) {
    if (s.name != functional_name(f)) continue;
    std::vector<std::string> missing;
    for (const auto& channel : functional_channels(f, space))
      if (space.channel(channel) == space.channels.size()) missing.push_back(channel);
    if (!missing.empty() || space.channel("ni_1") == space.channels.size())
      throw Error(s.origin + ": computing " + s.name + " from the profiles needs the channels " +
                  join(functional_channels(f, space)) + " (at least ni_1 and ui_1), which the model lacks: " +
                  (missing.empty() ? std::string("ni_1, ui_1") : join(missing)));
    if (l < space.labels.size())
      out.notes.push_back(s.origin + ": the model conditions on " + s.name +
                          " but does not generate it (joint_labels = false): observed through the profiles");
    out.functionals.push_back({.functional = f, .name = s.name, .value = s.value, .noise_std = s.stddev});
    return;
  }
  if (l < space.labels.size())
    throw Error(s.origin + ": the model conditions on " + s.name +
                " but does not generate it (joint_labels = false): give it under [params] as a known value");
  throw Error(s.origin + ": the model can neither generate nor compute " + s.name +
              " (scalars it can observe: discharge_current_a, thrust_n" +
              (space.joint_labels ? ", " + join(space.labels) : std::string()) + ")");
}

}  // namespace

ModelSpace ModelSpace::of(const edm2::ModelDescription& d, const normalize::Metadata& n,
                          const std::filesystem::path& normalization_file) {
  ModelSpace s;
  s.channels = d.channels;
  s.fields = n.fields;
  s.labels = d.labels;
  s.label_normalization = edm2::label_normalization(d, n, normalization_file);
  s.z_m = d.z_m;
  s.joint_labels = d.config.joint_labels;
  return s;
}

std::size_t ModelSpace::channel(const std::string& name) const {
  return index_of(channels, name);
}

std::size_t ModelSpace::label(const std::string& name) const {
  return index_of(labels, name);
}

Normalized normalize_measurement(const normalize::Normalization& n, std::size_t i, double y, double s,
                                 ErrorType error_type) {
  const double absolute = error_type == ErrorType::relative ? s * std::abs(y) : s;
  const double value = n.forward(i, y);
  // d ln y = dy / y: the log transform's first-order noise.
  return {value, n.log[i] ? absolute / (std::abs(y) * n.std[i]) : absolute / n.std[i]};
}

Normalized physical_measurement(const normalize::Normalization& n, std::size_t i, double y_n, double s_n) {
  const double y = n.inverse(i, y_n);
  return {y, n.log[i] ? s_n * n.std[i] * y : s_n * n.std[i]};
}

std::vector<std::string> functional_channels(Functional functional, const ModelSpace& space) {
  std::vector<std::string> names;
  if (functional == Functional::discharge_current) names = {"ne", "ue"};
  for (int z = 1; z <= 3; ++z) {
    const auto ni = "ni_" + std::to_string(z), ui = "ui_" + std::to_string(z);
    // Charge states beyond the first count where the model has both their density and velocity.
    if (z == 1 || (space.channel(ni) < space.channels.size() && space.channel(ui) < space.channels.size())) {
      names.push_back(ni);
      names.push_back(ui);
    }
  }
  return names;
}

MappedObservation map_observation(const ObservationFile& file, const ModelSpace& space) {
  if (space.z_m.size() < 2) throw Error("the model's grid needs at least 2 cell centres");
  MappedObservation out;
  out.notes = file.notes;
  out.label_values.assign(space.labels.size(), 0.0);
  out.label_known.assign(space.labels.size(), false);
  for (const auto& p : file.params) {
    const std::size_t l = space.label(p.name);
    if (l == space.labels.size())
      throw Error(p.origin + ": the model does not know the parameter " + p.name +
                  " (its labels: " + join(space.labels) + "): remove it or use a model conditioned on it");
    if (space.label_normalization.log[l] && !(p.value > 0.0))
      throw Error(p.origin + " = " + format_number(p.value) + ": " + p.name +
                  " is modelled in log space and needs a positive value");
    out.label_values[l] = space.label_normalization.forward(l, p.value);
    out.label_known[l] = true;
  }
  for (const auto& f : file.fields) map_field(f, space, out);
  for (const auto& s : file.scalars) {
    if (const std::size_t l = space.label(s.name); l < space.labels.size() && out.label_known[l])
      throw Error(s.origin + ": " + s.name + " is also given under [params]: give it once");
    map_scalar(s, space, out);
  }
  return out;
}

}  // namespace hd::inverse
