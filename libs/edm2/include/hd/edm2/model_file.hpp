// SPDX-License-Identifier: GPL-3.0-or-later
// The exported sampling model: a folder (hd::edm2::ModelFolder) with the post-hoc EMA
// weights (model.pt), what the model's channels and labels are (model.toml) and how to map
// them to physical units (normalization.json, plus the reference code's CSV tables), so
// that `sample` needs nothing else (docs/formats.md).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "hd/edm2/model_description.hpp"
#include "hd/edm2/run_folder.hpp"
#include "hd/edm2/unet.hpp"
#include "hd/normalize/metadata.hpp"

namespace hd::edm2 {

// Reconstructs the EMA of relative width `sigma_rel` at the run's last snapshot from the
// snapshots of its tracked profiles (EDM2's post-hoc EMA) and writes the model folder
// (replacing one that exists). Returns the weight of each snapshot profile.
std::vector<double> export_sampling_model(const RunFolder& run, double sigma_rel, const ModelFolder& model);

struct SamplingModel {
  Precond net{nullptr};  // in evaluation mode
  ModelDescription description;
  normalize::Metadata normalization;
  normalize::Normalization labels;  // the labels' transforms, in label order
};

// Loads an exported model folder; anything missing, damaged or inconsistent between its
// files is a one-line hd::Error naming the file.
SamplingModel load_sampling_model(const ModelFolder& folder, torch::Device device = torch::kCPU);

}  // namespace hd::edm2
