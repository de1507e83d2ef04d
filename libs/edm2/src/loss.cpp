// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/loss.hpp"

namespace hd::edm2 {

torch::Tensor loss_weight(const torch::Tensor& sigma, double sigma_data) {
  return (sigma.square() + sigma_data * sigma_data) / (sigma * sigma_data).square();
}

double loss_weight(double sigma, double sigma_data) {
  return (sigma * sigma + sigma_data * sigma_data) / ((sigma * sigma_data) * (sigma * sigma_data));
}

torch::Tensor squared_error(const torch::Tensor& denoised, const torch::Tensor& x, bool derivative_penalty) {
  auto e = denoised - x;
  if (!derivative_penalty) return e.square();
  // Forward differences, zero past the last point, so every term keeps the shape of e.
  auto diff = [](const torch::Tensor& v) {
    return torch::constant_pad_nd(v.narrow(2, 1, v.size(2) - 1) - v.narrow(2, 0, v.size(2) - 1), {0, 1});
  };
  auto d1 = diff(e);
  return (e.square() + d1.square() + diff(d1).square()) * (1.0 / 3.0);
}

LossDraws draw_loss_noise(at::IntArrayRef image_shape, const torch::TensorOptions& tensor_options,
                          const LossOptions& options) {
  LossDraws draws;
  draws.sigma = torch::exp(torch::randn({image_shape[0]}, tensor_options) * options.p_std + options.p_mean);
  draws.noise = torch::randn(image_shape, tensor_options);
  return draws;
}

torch::Tensor edm2_loss(Precond& model, const torch::Tensor& x, const torch::Tensor& labels,
                        const LossOptions& options) {
  return edm2_loss(model, x, labels, options, draw_loss_noise(x.sizes(), x.options(), options));
}

torch::Tensor edm2_loss(Precond& model, const torch::Tensor& x, const torch::Tensor& labels,
                        const LossOptions& options, const LossDraws& draws) {
  const auto& sigma = draws.sigma;
  auto noisy = x + draws.noise * sigma.reshape({-1, 1, 1});
  auto denoised = model(noisy, sigma, labels);
  auto weight = loss_weight(sigma, model->config().sigma_data).reshape({-1, 1, 1});
  auto u = model->logvar(sigma).reshape({-1, 1, 1});
  return (weight * torch::exp(-u) * squared_error(denoised, x, options.derivative_penalty) + u).mean();
}

}  // namespace hd::edm2
