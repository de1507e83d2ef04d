// SPDX-License-Identifier: GPL-3.0-or-later
// Synthetic measurements of a known state (docs/inverse.md "Evaluation"): an observation
// template's positions and noise applied to a held-out simulation, so that posterior
// samples can be scored against the truth they were conditioned on. Torch-free.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "hd/common/rng.hpp"
#include "hd/inverse/observation_file.hpp"

namespace hd::inverse {

// One simulation in physical units.
struct TrueState {
  std::vector<double> z_m;                              // cell centres (m)
  std::map<std::string, std::vector<double>> profiles;  // one value per cell, by channel
  std::map<std::string, double> values;                 // parameters and scalars, by name
};

// The template's measurements taken from `truth`: each [fields.<ch>] at the template's
// positions (linear between cell centres, constant beyond the first and last) plus
// Gaussian noise of the template's std (error_type = "relative": that fraction of the true
// value), each [scalars.<name>] likewise, and each [params] name known at the truth's
// value. The template's own y, value and parameter values are replaced. A template in
// normalized units, or a name the truth lacks, is an hd::Error naming the template's line.
ObservationFile synthesize_observation(const ObservationFile& templ, const TrueState& truth, RngStream& rng);

}  // namespace hd::inverse
