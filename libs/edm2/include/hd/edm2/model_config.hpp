// SPDX-License-Identifier: GPL-3.0-or-later
// Hyperparameters of the 1D EDM2 U-Net and its preconditioning (configs/model/*.toml).
// Torch-free so that apps and tests can read and validate a config without LibTorch.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "hd/common/config.hpp"

namespace hd::edm2 {

struct ModelConfig {
  int channels = 0;        // data channels (profiles) per sample
  int length = 0;          // points along the axis; divisible by 2^(levels-1)
  int base_channels = 64;  // C: channels at the finest level
  std::vector<int> channel_mult{1, 2, 3, 4};
  int num_blocks = 3;  // encoder blocks per level (decoder: num_blocks + 1)
  std::vector<int> attention_resolutions{16, 8};
  int channels_per_head = 64;
  int label_dim = 0;          // conditioning scalars (operating parameters)
  bool label_mask = true;     // feed [mask * labels, mask] so any subset may be known
  bool joint_labels = false;  // also model the scalars as constant channels
  double dropout = 0.0;
  double sigma_data = 0.5;
  int logvar_channels = 128;  // Fourier features of the uncertainty head u(sigma)
  double res_balance = 0.3;
  double attn_balance = 0.3;
  double label_balance = 0.5;
  double concat_balance = 0.5;
  double clip_act = 256.0;

  // Channels the network denoises: the profiles, plus one constant channel per scalar
  // when the scalars are modelled jointly.
  int image_channels() const { return channels + (joint_labels ? label_dim : 0); }
  // Width of the label input: [m * s, m] with a mask, s alone without.
  int label_features() const { return label_mask ? 2 * label_dim : label_dim; }
};

// Reads the [model] table; every key is checked (ranges, consistency) and recorded.
ModelConfig read_model_config(const config::Table& table);

// Loads a model config file (configs/model/*.toml: a [model] table and nothing else);
// `resolved_toml` receives it with every default filled in.
ModelConfig load_model_config(const std::filesystem::path& path, std::string* resolved_toml = nullptr);

// hd_config's check of a model config file (kind "model").
void check_model_config(const config::Document& document);

// The same from TOML text (as stored in checkpoints and model files); `source` names it
// in messages.
ModelConfig parse_model_config(const std::string& toml, const std::string& source);

}  // namespace hd::edm2
