// SPDX-License-Identifier: GPL-3.0-or-later
// Posterior samples in physical units and the HDF5 file `sample` writes (docs/inverse.md
// "Output file"):
//   /z                      [L]     cell centres (m)
//   /samples/<channel>      [K, L]  every profile channel, physical units
//   /samples/<name>         [K]     inferred labels (generated, not given) and scalars
//                                   computed from the profiles (discharge_current_a, thrust_n)
//   /quantiles/<name>       [5, L] or [5]  the 5, 25, 50, 75, 95 % quantiles (attribute `levels`)
//   /observations/fields/<channel>/{x, y, stddev}, /observations/scalars/<name>/{value, stddev},
//   /observations/params/<name>   the measurements as given (attributes error_type, normalized)
//   /<group>/<name>         further results (ResultGroup), e.g. /check
// Every dataset carries `units`; the file's attributes record the observation file's text,
// the resolved sample config, the model folder, seed, method, network evaluations per
// sample, notes and the suite's version. Written atomically.
#pragma once
#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "hd/inverse/functionals.hpp"
#include "hd/inverse/model_space.hpp"

namespace hd::inverse {

inline constexpr std::array<double, 5> kQuantileLevels{0.05, 0.25, 0.5, 0.75, 0.95};

struct Quantity {
  std::string name;
  std::string units;
  std::int64_t length = 1;     // L for a profile, 1 for a scalar
  std::vector<double> values;  // [K, length], row-major
  bool log_scale = false;      // normalized as ln(value): spans decades, positive
  std::int64_t count() const { return static_cast<std::int64_t>(values.size()) / length; }
};

struct PhysicalSamples {
  std::vector<double> z_m;
  std::vector<Quantity> profiles;  // every profile channel, in the model's order
  // The labels the model generated (those not given as known), then the scalars the
  // profiles allow computing; a computed scalar whose name a generated label has is
  // written as <stem>_from_profiles_<unit>.
  std::vector<Quantity> scalars;
};

// Model images [K, C_img, L] (normalized) in physical units.
PhysicalSamples physical_samples(const torch::Tensor& samples, const ModelSpace& space,
                                 const std::vector<bool>& label_known, const ThrusterConstants& constants);

// Per column, the sample quantiles at kQuantileLevels with linear interpolation between
// order statistics (position q (K - 1)): [5, length], row-major.
std::vector<double> quantiles(const Quantity& quantity);

// Further results under their own group (e.g. /check, the posterior predictive check):
// datasets [count] or [count, length] with units, and string attributes.
struct ResultGroup {
  std::string name;
  std::vector<Quantity> datasets;
  std::vector<std::pair<std::string, std::string>> attributes;
};

struct SampleFileAttributes {
  std::string observation_file;  // path as given
  std::string sample_config;     // resolved TOML
  std::string model_folder;
  std::uint64_t seed = 0;
  std::string method;
  double forward_per_sample = 0.0;  // network evaluations per posterior sample
  double backward_per_sample = 0.0;
  double effective_sample_size = 0.0;  // of the final weights: SIR and TDS only
  std::vector<std::string> notes;
  std::vector<ResultGroup> groups;
};

void write_sample_file(const std::filesystem::path& path, const PhysicalSamples& samples,
                       const ObservationFile& observations, const ModelSpace& space,
                       const SampleFileAttributes& attributes);

}  // namespace hd::inverse
