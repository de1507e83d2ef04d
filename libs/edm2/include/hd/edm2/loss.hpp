// SPDX-License-Identifier: GPL-3.0-or-later
// The EDM2 training loss (arXiv 2312.02696, section 2 and appendix; docs/model.md).
#pragma once
#include <torch/torch.h>

#include "hd/edm2/training_config.hpp"
#include "hd/edm2/unet.hpp"

namespace hd::edm2 {

// lambda(sigma) = (sigma^2 + sd^2) / (sigma sd)^2 = 1 / c_out^2: the weight that gives
// every noise level unit loss at initialisation (D = c_skip x).
torch::Tensor loss_weight(const torch::Tensor& sigma, double sigma_data);
double loss_weight(double sigma, double sigma_data);

// Squared error with the optional derivative penalty, per element.
torch::Tensor squared_error(const torch::Tensor& denoised, const torch::Tensor& x, bool derivative_penalty);

// The random part of a training loss: sigma [B] with ln sigma ~ N(p_mean, p_std^2) and
// unit normal noise [B, C, L], drawn in this order from torch's default generator.
struct LossDraws {
  torch::Tensor sigma;
  torch::Tensor noise;
};
LossDraws draw_loss_noise(at::IntArrayRef image_shape, const torch::TensorOptions& tensor_options,
                          const LossOptions& options);

// EDM2 loss with learned uncertainty u(sigma): mean over elements of
// (lambda(sigma)/e^u) (D(x + sigma n; sigma) - x)^2 + u, with the given draws (one row
// per sample of x).
// (EDM2 sums over a sample's elements; the mean differs by a constant factor, which Adam
// ignores, and keeps the logged value comparable across sizes.)
torch::Tensor edm2_loss(Precond& model, const torch::Tensor& x, const torch::Tensor& labels,
                        const LossOptions& options, const LossDraws& draws);
// The same, drawing sigma and n for x with draw_loss_noise.
torch::Tensor edm2_loss(Precond& model, const torch::Tensor& x, const torch::Tensor& labels,
                        const LossOptions& options);

}  // namespace hd::edm2
