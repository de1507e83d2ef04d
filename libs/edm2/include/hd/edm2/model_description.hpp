// SPDX-License-Identifier: GPL-3.0-or-later
// model.toml of a run folder or an exported model folder: the architecture ([model]) and
// what the model's inputs and outputs mean ([data]: channel names in order, the
// conditioning quantities by name, the axial grid), plus, once exported, which weights
// these are ([export]). Together with normalization.json (units and transforms) it lets
// `sample` map physical measurements onto the model by name, never by position.
// Torch-free.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hd/edm2/model_config.hpp"
#include "hd/normalize/metadata.hpp"

namespace hd::edm2 {

struct ModelDescription {
  ModelConfig config;
  std::string config_toml;            // the [model] table, resolved
  std::vector<std::string> channels;  // field channels, in the model's order
  std::vector<std::string> labels;    // conditioning quantities (parameters or scalars), in order
  std::vector<double> z_m;            // cell centres of the grid (m)
  std::string dataset;                // the dataset the model was trained on
  // Exported models only: the post-hoc EMA width and training step of the weights.
  double sigma_rel = 0.0;
  std::int64_t step = 0;
};

// model.toml text. Numbers are written to read back exactly.
std::string to_toml(const ModelDescription& description);
// Reads and checks model.toml: the architecture, and [data] consistent with it (one name
// per channel and label, one z per point). Errors name the file, line and key.
ModelDescription read_model_description(const std::filesystem::path& file);

// Checks that `normalization` (normalization.json beside model.toml) covers the model:
// its fields are exactly the model's channels in order, and every label is a parameter
// or a scalar of it. Returns the labels' normalization, in label order.
normalize::Normalization label_normalization(const ModelDescription& description,
                                             const normalize::Metadata& normalization,
                                             const std::filesystem::path& normalization_file);

}  // namespace hd::edm2
