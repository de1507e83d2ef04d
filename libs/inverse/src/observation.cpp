// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/observation.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <string>

#include "hd/common/error.hpp"

namespace hd::inverse {

namespace {

torch::Tensor checked_noise(const torch::Tensor& noise_std) {
  if (!noise_std.defined() || noise_std.dim() != 1 || noise_std.size(0) == 0)
    throw Error("an observation needs a noise standard deviation per observed value (a non-empty vector)");
  auto out = noise_std.to(torch::kFloat64).contiguous();
  for (std::int64_t k = 0; k < out.size(0); ++k)
    if (!(out[k].item<double>() > 0.0))
      throw Error("observation " + std::to_string(k) + " has noise std " +
                  std::to_string(out[k].item<double>()) + ": give every observation a noise std > 0");
  return out;
}

}  // namespace

Observation::Observation(ObservationFunction function, torch::Tensor matrix, torch::Tensor noise_std)
    : function_(std::move(function)), matrix_(std::move(matrix)), noise_std_(std::move(noise_std)) {}

Observation Observation::linear(const torch::Tensor& matrix, const torch::Tensor& noise_std) {
  auto noise = checked_noise(noise_std);
  if (!matrix.defined() || matrix.dim() != 2 || matrix.size(0) != noise.size(0))
    throw Error("a linear observation needs a matrix [m, C*L] with one row per noise std (m = " +
                std::to_string(noise.size(0)) + ")");
  auto h = matrix.to(torch::kFloat64).contiguous();
  ObservationFunction apply = [h](const torch::Tensor& x) {
    return torch::matmul(x.flatten(1), h.to(x.device(), x.scalar_type()).t());
  };
  return Observation(std::move(apply), h, noise);
}

Observation Observation::differentiable(ObservationFunction function, const torch::Tensor& noise_std) {
  if (!function) throw Error("a differentiable observation needs a function");
  return Observation(std::move(function), {}, checked_noise(noise_std));
}

torch::Tensor Observation::operator()(const torch::Tensor& x) const {
  auto y = function_(x);
  if (y.dim() != 2 || y.size(0) != x.size(0) || y.size(1) != size()) {
    std::ostringstream message;
    message << "the observation function returned shape " << y.sizes() << " for a batch of " << x.size(0)
            << "; it must return [batch, " << size() << "] (one column per noise std)";
    throw Error(message.str());
  }
  return y;
}

torch::Tensor Observation::jacobian(const torch::Tensor& x) const {
  const auto batch = x.size(0);
  if (is_linear()) return matrix_.to(x.device(), x.scalar_type()).expand({batch, size(), matrix_.size(1)});
  torch::AutoGradMode enable(true);
  auto input = x.detach().requires_grad_(true);
  auto y = (*this)(input);
  // Samples do not interact, so the gradient of column k summed over the batch is row k
  // of every sample's Jacobian.
  std::vector<torch::Tensor> rows;
  for (std::int64_t k = 0; k < size(); ++k)
    rows.push_back(torch::autograd::grad({y.select(1, k).sum()}, {input}, {}, /*retain_graph=*/true,
                                         /*create_graph=*/false, /*allow_unused=*/true)[0]);
  for (auto& row : rows) row = row.defined() ? row.flatten(1) : torch::zeros_like(x).flatten(1);
  return torch::stack(rows, 1);
}

// log N(y; A(x), diag(s^2)) = -1/2 sum_k ((y_k - A_k(x))/s_k)^2 - sum_k ln s_k - m/2 ln(2 pi)
torch::Tensor Observation::log_likelihood(const torch::Tensor& y, const torch::Tensor& x) const {
  const auto predicted = (*this)(x).to(torch::kFloat64);
  const auto scaled =
      (y.to(predicted.device(), torch::kFloat64) - predicted) / noise_std_.to(predicted.device());
  return -0.5 * scaled.square().sum(1) - noise_std_.log().sum().item<double>() -
         0.5 * static_cast<double>(size()) * std::log(2.0 * std::numbers::pi);
}

Observation point_observation(const torch::Tensor& z, std::int64_t channels,
                              const std::vector<PointProbe>& probes) {
  const auto grid = z.to(torch::kFloat64).contiguous();
  const auto length = grid.numel();
  if (grid.dim() != 1 || length < 2) throw Error("point observations need a grid of at least 2 cell centres");
  const auto* zs = grid.data_ptr<double>();
  for (std::int64_t j = 1; j < length; ++j)
    if (!(zs[j] > zs[j - 1])) throw Error("point observations need strictly increasing cell centres");
  if (probes.empty()) throw Error("point observations need at least one probe");

  const auto m = static_cast<std::int64_t>(probes.size());
  auto matrix = torch::zeros({m, channels * length}, torch::kFloat64);
  auto noise = torch::empty({m}, torch::kFloat64);
  for (std::int64_t k = 0; k < m; ++k) {
    const auto& probe = probes[k];
    if (probe.channel < 0 || probe.channel >= channels)
      throw Error("observation " + std::to_string(k) + " names channel " + std::to_string(probe.channel) +
                  " of " + std::to_string(channels) + ": give a channel index in [0, " +
                  std::to_string(channels - 1) + "]");
    if (!(probe.z >= zs[0] && probe.z <= zs[length - 1])) {
      std::ostringstream message;
      message << "observation " << k << " of channel " << probe.channel << " at z = " << probe.z
              << " lies outside the cell centres [" << zs[0] << ", " << zs[length - 1]
              << "]: move it inside the grid";
      throw Error(message.str());
    }
    const auto right = std::min<std::int64_t>(std::upper_bound(zs, zs + length, probe.z) - zs,
                                              length - 1);  // first centre above p (or the last)
    const auto left = right - 1;
    const double w = (probe.z - zs[left]) / (zs[right] - zs[left]);
    matrix[k][probe.channel * length + left] = 1.0 - w;
    matrix[k][probe.channel * length + right] = w;
    noise[k] = probe.noise_std;
  }
  return Observation::linear(matrix, noise);
}

}  // namespace hd::inverse
