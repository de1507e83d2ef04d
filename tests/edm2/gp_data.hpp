// SPDX-License-Identifier: GPL-3.0-or-later
// The training tests' data and configs: Gaussian-process profiles with known structure, a
// tiny model and a short training recipe, written into a test folder.
#pragma once
#include <filesystem>
#include <string>

#include "hd/dataset/normalized.hpp"

namespace hd::edm2 {

inline constexpr int kChannels = 2, kLength = 32, kRows = 2048, kValRows = 256;

// Channels a and b over 32 points, one parameter p.
dataset::Metadata gp_metadata();

// gp.h5 with kRows profiles, gp.train.h5 (the first kRows - kValRows rows) and
// gp.val_small.h5 (the rest): two channels of a squared-exponential GP (length scale 0.15
// of the axis), the second correlated with the first (coefficient 0.8), each with std 0.5
// (the model's sigma_data) around a sine mean profile.
void write_gp_dataset(const std::filesystem::path& dir);

// tiny.toml: a 0.3 M-parameter model (C 32, mult 1,2, NB 1, attention at 16).
void write_tiny_model(const std::filesystem::path& dir);

// The training config (batch 64, 600 steps, ...) over those files, followed by `extra`
// (more keys of its last table, [checkpoint]).
std::string gp_training_toml(const std::string& extra = "");

}  // namespace hd::edm2
