// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/sample_file.hpp"

#include <algorithm>
#include <cmath>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/common/version.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace hd::inverse {

namespace {

std::vector<double> to_vector(const torch::Tensor& t) {
  const auto c = t.to(torch::kFloat64).contiguous().cpu();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

const char* functional_units(Functional f) {
  return f == Functional::discharge_current ? "A" : "N";
}

void write_array(H5::Group& group, const std::string& name, const std::vector<double>& values,
                 std::vector<hsize_t> dims, const std::string& units) {
  H5::DataSet set = group.createDataSet(name, H5::PredType::IEEE_F64LE,
                                        H5::DataSpace(static_cast<int>(dims.size()), dims.data()));
  if (!values.empty()) set.write(values.data(), H5::PredType::NATIVE_DOUBLE);
  hdf5::write_string(set, "units", units);
}

// /samples/<name> and /quantiles/<name> of one quantity.
void write_quantity(H5::Group& samples, H5::Group& quantile_group, const Quantity& q) {
  const auto k = static_cast<hsize_t>(q.count());
  const auto l = static_cast<hsize_t>(q.length);
  const bool profile = q.length > 1;
  write_array(samples, q.name, q.values, profile ? std::vector<hsize_t>{k, l} : std::vector<hsize_t>{k},
              q.units);
  write_array(quantile_group, q.name, quantiles(q),
              profile ? std::vector<hsize_t>{kQuantileLevels.size(), l}
                      : std::vector<hsize_t>{kQuantileLevels.size()},
              q.units);
  H5::DataSet set = quantile_group.openDataSet(q.name);
  hdf5::write_numbers<double>(set, "levels", kQuantileLevels);
}

std::string label_units(const ModelSpace& space, const std::string& name) {
  const std::size_t l = space.label(name);
  return l < space.labels.size() ? space.label_normalization.units[l] : "";
}

void write_observations(H5::H5File& file, const ObservationFile& o, const ModelSpace& space) {
  H5::Group root = file.createGroup("/observations");
  H5::Group fields = root.createGroup("fields");
  for (const auto& f : o.fields) {
    H5::Group g = fields.createGroup(f.channel);
    const std::size_t c = space.channel(f.channel);
    const std::string units = f.normalized ? "1" : (c < space.channels.size() ? space.fields.units[c] : "");
    hdf5::write_vector(g, "x", f.all_cells ? space.z_m : f.x_m, "m");
    hdf5::write_vector(g, "y", f.y, units);
    const bool fraction = f.error_type == ErrorType::relative || f.stddev_normalized;
    hdf5::write_vector(g, "stddev", f.stddev, fraction ? "1" : units);
    hdf5::write_string(g, "error_type", f.error_type == ErrorType::relative ? "relative" : "absolute");
    hdf5::write_string(g, "normalized", f.normalized ? "true" : "false");
    hdf5::write_string(g, "stddev_normalized", f.stddev_normalized ? "true" : "false");
  }
  H5::Group scalars = root.createGroup("scalars");
  for (const auto& s : o.scalars) {
    H5::Group g = scalars.createGroup(s.name);
    const std::string units = s.name == "discharge_current_a" ? std::string("A")
                              : s.name == "thrust_n"          ? std::string("N")
                                                              : label_units(space, s.name);
    hdf5::write_scalar(g, "value", s.value, units);
    hdf5::write_scalar(g, "stddev", s.stddev, units);
  }
  H5::Group params = root.createGroup("params");
  for (const auto& p : o.params) hdf5::write_scalar(params, p.name, p.value, label_units(space, p.name));
}

}  // namespace

PhysicalSamples physical_samples(const torch::Tensor& samples, const ModelSpace& space,
                                 const std::vector<bool>& label_known, const ThrusterConstants& constants) {
  torch::NoGradGuard no_grad;
  PhysicalSamples out;
  out.z_m = space.z_m;
  const auto length = static_cast<std::int64_t>(space.z_m.size());
  const auto profiles = physical_profiles(samples, space, space.channels);
  for (std::size_t c = 0; c < space.channels.size(); ++c) {
    const auto& name = space.channels[c];
    out.profiles.push_back({name, space.fields.units[c], length, to_vector(profiles.at(name)), space.fields.log[c]});
  }
  std::vector<std::string> generated;
  if (space.joint_labels) {
    for (std::size_t l = 0; l < space.labels.size(); ++l) {
      if (label_known[l]) continue;
      // The label's constant channel, its mean over the grid as the value.
      const auto stored =
          samples.select(1, static_cast<std::int64_t>(space.channels.size() + l)).to(torch::kFloat64).mean(1);
      const auto& n = space.label_normalization;
      auto t = stored * n.std[l] + n.mean[l];
      out.scalars.push_back({space.labels[l], n.units[l], 1, to_vector(n.log[l] ? t.exp() : t), n.log[l]});
      generated.push_back(space.labels[l]);
    }
  }
  for (Functional f : {Functional::discharge_current, Functional::thrust}) {
    const auto needed = functional_channels(f, space);
    if (std::any_of(needed.begin(), needed.end(),
                    [&](const std::string& n) { return space.channel(n) == space.channels.size(); }))
      continue;
    std::string name = f == Functional::discharge_current ? "discharge_current_a" : "thrust_n";
    if (std::find(generated.begin(), generated.end(), name) != generated.end())
      name =
          f == Functional::discharge_current ? "discharge_current_from_profiles_a" : "thrust_from_profiles_n";
    out.scalars.push_back({name, functional_units(f), 1, to_vector(evaluate(f, profiles, constants))});
  }
  return out;
}

std::vector<double> quantiles(const Quantity& q) {
  const auto k = q.count();
  if (k < 1) throw Error("quantiles of " + q.name + " need at least one sample");
  std::vector<double> out(kQuantileLevels.size() * static_cast<std::size_t>(q.length));
  std::vector<double> column(static_cast<std::size_t>(k));
  for (std::int64_t j = 0; j < q.length; ++j) {
    for (std::int64_t i = 0; i < k; ++i) column[i] = q.values[i * q.length + j];
    std::sort(column.begin(), column.end());
    for (std::size_t level = 0; level < kQuantileLevels.size(); ++level) {
      const double position = kQuantileLevels[level] * static_cast<double>(k - 1);
      const auto below = static_cast<std::size_t>(std::floor(position));
      const std::size_t above = std::min(below + 1, column.size() - 1);
      const double w = position - static_cast<double>(below);
      out[level * q.length + j] = (1.0 - w) * column[below] + w * column[above];
    }
  }
  return out;
}

void write_sample_file(const std::filesystem::path& path, const PhysicalSamples& samples,
                       const ObservationFile& observations, const ModelSpace& space,
                       const SampleFileAttributes& a) {
  write_file_atomically(path, [&](const std::filesystem::path& tmp) {
    hdf5::guarded(path, "write the samples", [&] {
      H5::H5File file(tmp.string(), H5F_ACC_TRUNC);
      H5::Group root = file.openGroup("/");
      hdf5::write_vector(root, "z", samples.z_m, "m");
      H5::Group sample_group = file.createGroup("/samples");
      H5::Group quantile_group = file.createGroup("/quantiles");
      for (const auto* group : {&samples.profiles, &samples.scalars})
        for (const auto& q : *group) write_quantity(sample_group, quantile_group, q);
      write_observations(file, observations, space);
      hdf5::write_string(file, "format", "hall_diffusion.posterior_samples/1");
      hdf5::write_string(file, "version", hd::version());
      hdf5::write_string(file, "observation_file", a.observation_file);
      hdf5::write_string(file, "observation", observations.text);
      hdf5::write_string(file, "sample_config", a.sample_config);
      hdf5::write_string(file, "model", a.model_folder);
      hdf5::write_number<std::uint64_t>(file, "seed", a.seed);
      hdf5::write_string(file, "method", a.method);
      hdf5::write_number<double>(file, "network_evaluations_per_sample", a.forward_per_sample);
      hdf5::write_number<double>(file, "vector_jacobian_products_per_sample", a.backward_per_sample);
      if (a.effective_sample_size > 0.0)
        hdf5::write_number<double>(file, "effective_sample_size", a.effective_sample_size);
      hdf5::write_strings(file, "notes", a.notes);
      for (const auto& g : a.groups) {
        H5::Group group = file.createGroup("/" + g.name);
        for (const auto& q : g.datasets) {
          const auto count = static_cast<hsize_t>(q.count()), length = static_cast<hsize_t>(q.length);
          write_array(group, q.name, q.values,
                      q.length > 1 ? std::vector<hsize_t>{count, length} : std::vector<hsize_t>{count},
                      q.units);
        }
        for (const auto& [name, value] : g.attributes) hdf5::write_string(group, name, value);
      }
    });
  });
}

}  // namespace hd::inverse
