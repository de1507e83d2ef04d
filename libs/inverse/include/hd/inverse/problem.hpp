// SPDX-License-Identifier: GPL-3.0-or-later
// A posterior problem on a trained model (docs/inverse.md "From physical units to the
// model"): the observation operator on the model's images [B, C_img, L] (profiles, then
// the generated labels' constant channels) in normalized units, the observed values, and
// the known labels the network is conditioned on.
#pragma once
#include <torch/torch.h>

#include <optional>

#include "hd/edm2/unet.hpp"
#include "hd/inverse/functionals.hpp"
#include "hd/inverse/model_space.hpp"
#include "hd/inverse/observation.hpp"
#include "hd/sampler/edm.hpp"

namespace hd::inverse {

struct PosteriorProblem {
  std::optional<Observation> observation;  // absent when nothing is measured
  torch::Tensor y;                         // [m], float64: points first, then the functionals
  torch::Tensor label_values;              // [P], normalized known values (0 where unknown)
  torch::Tensor label_mask;                // [P], 1 where known
};

// Point terms become rows of linear interpolation between cell centres (or, with
// `snap_to_cells`, a 1 at the nearest centre, which replacement needs) and mean rows for
// the labels' constant channels. With functionals the operator is the differentiable
// [H vec(x), f(physical profiles of x)], in normalized units for the rows and physical
// units (A, N) for the functionals.
PosteriorProblem build_problem(const MappedObservation& mapped, const ModelSpace& space,
                               const ThrusterConstants& constants, bool snap_to_cells = false);

// The network as the sampler's denoiser of model images, conditioned on the problem's
// known labels (label_features: [mask * labels, mask], so unknown labels stay free).
sampler::Denoiser conditional_denoiser(edm2::Precond net, const PosteriorProblem& problem);

}  // namespace hd::inverse
