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

// EDM2 loss with learned uncertainty u(sigma): mean over elements of
// (lambda(sigma)/e^u) (D(x + n; sigma) - x)^2 + u, ln sigma ~ N(p_mean, p_std^2).
// (EDM2 sums over a sample's elements; the mean differs by a constant factor, which Adam
// ignores, and keeps the logged value comparable across sizes.) Draws sigma and n from
// torch's default generator.
torch::Tensor edm2_loss(Precond& model, const torch::Tensor& x, const torch::Tensor& labels,
                        const LossOptions& options);

}  // namespace hd::edm2
