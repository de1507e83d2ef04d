// SPDX-License-Identifier: GPL-3.0-or-later
// The EDM2 U-Net in 1D (config G of arXiv 2312.02696) and the EDM preconditioning
// around it (Karras et al. 2022, arXiv 2206.00364, table 1).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "hd/edm2/layers.hpp"
#include "hd/edm2/model_config.hpp"

namespace hd::edm2 {

// F_theta(x; c_noise, labels): the raw network. x is [B, image_channels, length], c_noise
// [B], labels [B, label_features] (undefined when label_dim = 0).
class UNetImpl : public torch::nn::Module {
 public:
  explicit UNetImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& c_noise, const torch::Tensor& labels);

 private:
  struct Stage {
    Block block{nullptr};
    bool takes_skip = false;  // decoder blocks fed mp_cat(x, skip)
  };
  void add_encoder(const std::string& name, const BlockOptions& options);
  void add_decoder(const std::string& name, const BlockOptions& options, bool takes_skip);

  ModelConfig config_;
  MPFourier emb_fourier{nullptr};
  MPConv emb_noise{nullptr}, emb_label{nullptr}, stem{nullptr}, out_conv{nullptr};
  std::vector<Block> encoder_;
  std::vector<Stage> decoder_;
  torch::Tensor out_gain;
};
TORCH_MODULE(UNet);

// EDM preconditioning: D(x; sigma) = c_skip x + c_out F(c_in x; c_noise) with
// c_skip = sd^2/(s^2+sd^2), c_out = s sd/sqrt(s^2+sd^2), c_in = 1/sqrt(s^2+sd^2),
// c_noise = ln(s)/4. Also the uncertainty head u(sigma) = lin(MPFourier(c_noise)) used by
// the training loss only. Runs in float32.
class PrecondImpl : public torch::nn::Module {
 public:
  explicit PrecondImpl(const ModelConfig& config);
  // sigma is [B]; labels as from label_features() (undefined when unconditional).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels = {});
  torch::Tensor logvar(const torch::Tensor& sigma);  // u(sigma), [B]
  const ModelConfig& config() const { return config_; }

 private:
  ModelConfig config_;
  UNet net{nullptr};
  MPFourier logvar_fourier{nullptr};
  MPConv logvar_linear{nullptr};
};
TORCH_MODULE(Precond);

// The label input for known scalars `params` [B, P] with `mask` [B, P] (1 = known):
// [mask * params, mask] when the model was built with label_mask, else params. An
// undefined mask means all known; undefined params with a mask means none known.
torch::Tensor label_features(const ModelConfig& config, const torch::Tensor& params,
                             const torch::Tensor& mask);

// The tensor the model denoises: the profiles [B, C, L], followed by each scalar as a
// constant channel when the scalars are modelled jointly.
torch::Tensor model_image(const ModelConfig& config, const torch::Tensor& fields,
                          const torch::Tensor& params);

std::int64_t parameter_count(torch::nn::Module& module);

}  // namespace hd::edm2
