// SPDX-License-Identifier: GPL-3.0-or-later
// Scalars computed from the profiles (docs/inverse.md "Scalar observations"): the
// discharge current and the thrust as differentiable quadratures of denormalized model
// samples, so that they can be observed (hd::inverse::Observation::differentiable) and
// reported for every sample.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "hd/inverse/model_space.hpp"

namespace hd::inverse {

// Profiles in physical units by channel name, each [B, L] on the model's cell centres.
using Profiles = std::map<std::string, torch::Tensor>;

// What the profiles do not say: the channel cross-section and the ion mass.
struct ThrusterConstants {
  double channel_area_m2 = 0.0;
  double ion_mass_kg = 0.0;
};

// I_d = e A mean_z( sum_Z Z n_Z u_Z - n_e u_e ): the current density through the
// cross-section, ion minus electron flux, uniform along z in a steady discharge, so the
// mean over the cell centres is its least noisy estimate. [B], amperes.
torch::Tensor discharge_current(const Profiles& profiles, double channel_area_m2);

// T = A sum_Z m n_Z u_Z^2 |_exit - A sum_Z m n_Z u_Z^2 |_anode: the ions' momentum flux out
// of the last cell centre minus that into the first. [B], newtons.
torch::Tensor thrust(const Profiles& profiles, const ThrusterConstants& constants);

torch::Tensor evaluate(Functional functional, const Profiles& profiles, const ThrusterConstants& constants);

// The named channels of model images x [B, C_img, L] (normalized) in physical units,
// T^-1(x std + mean), computed in float64 and differentiable in x.
Profiles physical_profiles(const torch::Tensor& x, const ModelSpace& space,
                           const std::vector<std::string>& names);

}  // namespace hd::inverse
