// SPDX-License-Identifier: GPL-3.0-or-later
// Where an observation file meets a model (docs/inverse.md "From physical units to the
// model"): names matched to the model's channels and labels, positions checked against
// its grid, values and noise mapped into its normalized space. Torch-free: the torch side
// (hd/inverse/problem.hpp) turns the result into observation operators.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "hd/edm2/model_description.hpp"
#include "hd/inverse/observation_file.hpp"
#include "hd/normalize/metadata.hpp"

namespace hd::inverse {

// What the model generates and how its values relate to physical units.
struct ModelSpace {
  std::vector<std::string> channels;  // profile channels, in the model's order
  normalize::Normalization fields;    // one entry per channel
  std::vector<std::string> labels;    // conditioning quantities, in order
  normalize::Normalization label_normalization;
  std::vector<double> z_m;    // cell centres (m)
  bool joint_labels = false;  // each label is also generated, as a constant channel after the profiles

  // The exported model's description and normalization, checked against each other
  // (`normalization_file` names the latter in messages).
  static ModelSpace of(const edm2::ModelDescription& description, const normalize::Metadata& normalization,
                       const std::filesystem::path& normalization_file);

  std::size_t image_channels() const { return channels.size() + (joint_labels ? labels.size() : 0); }
  // Index of a profile channel, or channels.size() when the model has none of that name.
  std::size_t channel(const std::string& name) const;
  std::size_t label(const std::string& name) const;  // labels.size() when absent
};

struct Normalized {
  double value = 0.0;
  double noise_std = 0.0;
};

// A physical measurement y with noise std s (absolute) or r (relative, s = r|y|) of
// quantity i, in normalized units, with T = ln for log quantities:
//   y_n = (T(y) - mean)/std;  linear: s_n = s/std (exact);  log: s_n = s/(y std) to first
//   order in s/y, so a relative error r is s_n = r/std.
// A log quantity needs y > 0 (an hd::Error otherwise).
Normalized normalize_measurement(const normalize::Normalization& n, std::size_t i, double y, double s,
                                 ErrorType error_type);
// The inverse for display: y = T^-1(y_n std + mean); linear s = s_n std, log s = s_n std y.
Normalized physical_measurement(const normalize::Normalization& n, std::size_t i, double y_n, double s_n);

// One row of a linear observation on the model's image [C_img, L], in normalized units.
struct PointTerm {
  std::size_t channel = 0;    // image channel: a profile, or a label's constant channel
  double z_m = 0.0;           // position, inside the cell centres (unused when channel_mean)
  bool channel_mean = false;  // the mean of the channel over the grid (a label's constant channel)
  double value = 0.0;
  double noise_std = 0.0;
};

// Scalars computed from the denormalized profiles (hd/inverse/functionals.hpp).
enum class Functional { discharge_current, thrust };

struct FunctionalTerm {
  Functional functional = Functional::discharge_current;
  std::string name;        // discharge_current_a or thrust_n
  double value = 0.0;      // physical units (A, N)
  double noise_std = 0.0;  // physical units
};

struct MappedObservation {
  std::vector<PointTerm> points;
  std::vector<FunctionalTerm> functionals;
  std::vector<double> label_values;  // normalized known values, 0 where unknown
  std::vector<bool> label_known;     // per label
  std::vector<std::string> notes;    // the file's notes and how this model reads it
};

// The profile channels each functional needs (ni_Z and ui_Z pairs for the ions; ne and ue
// for the electrons in the discharge current).
std::vector<std::string> functional_channels(Functional functional, const ModelSpace& space);

// Maps a file onto a model. One-line hd::Error naming the file, line and key for: a field
// that is not a profile channel of the model, a position outside the model's domain
// [z_0 - dz_0/2, z_{L-1} + dz_{L-1}/2], "all" with a y of another length, a parameter that
// is not a label, a scalar the model can neither generate nor compute, a non-positive value
// of a log quantity. A position between a domain edge and the nearest cell centre is
// observed at that centre (noted).
MappedObservation map_observation(const ObservationFile& file, const ModelSpace& space);

}  // namespace hd::inverse
