// SPDX-License-Identifier: GPL-3.0-or-later
// Observation operators y = A(x) + n, n ~ N(0, diag(noise_std^2)), acting on profiles
// x [B, C, L] in the model's normalized space (docs/inverse.md). A linear operator is a
// matrix H on vec(x), channel-major (entry c L + l); any other A is a differentiable torch
// function, e.g. a quadrature of fields for the discharge current.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace hd::inverse {

// A: x [B, C, L] -> [B, m], differentiable with torch autograd.
using ObservationFunction = std::function<torch::Tensor(const torch::Tensor& x)>;

class Observation {
 public:
  // A(x) = H vec(x) with H [m, C L]; noise_std [m], every entry > 0.
  static Observation linear(const torch::Tensor& matrix, const torch::Tensor& noise_std);
  // Any differentiable A with m = noise_std.size(0) outputs.
  static Observation differentiable(ObservationFunction function, const torch::Tensor& noise_std);

  torch::Tensor operator()(const torch::Tensor& x) const;  // A(x), [B, m], in x's dtype
  // dA/dx at every sample, [B, m, C L]: H for a linear A, else m reverse passes through A.
  torch::Tensor jacobian(const torch::Tensor& x) const;
  // log N(y; A(x), diag(noise_std^2)) per sample, [B]; y is [m] or [B, m].
  torch::Tensor log_likelihood(const torch::Tensor& y, const torch::Tensor& x) const;

  const torch::Tensor& noise_std() const { return noise_std_; }  // [m], float64
  const torch::Tensor& matrix() const { return matrix_; }        // H, undefined unless linear
  bool is_linear() const { return matrix_.defined(); }
  std::int64_t size() const { return noise_std_.size(0); }

 private:
  Observation(ObservationFunction function, torch::Tensor matrix, torch::Tensor noise_std);
  ObservationFunction function_;
  torch::Tensor matrix_;
  torch::Tensor noise_std_;
};

// One point measurement of a field: channel `channel` at axial position z_m (the grid's
// unit), with Gaussian noise of standard deviation noise_std (normalized units).
struct PointProbe {
  std::int64_t channel = 0;
  double z = 0.0;
  double noise_std = 0.0;
};

// Point observations by linear interpolation between the cell centres z [L] (strictly
// increasing) of `channels` fields: a probe at z_j <= p <= z_{j+1} has the row
// (z_{j+1} - p)/(z_{j+1} - z_j) at (c, j) and (p - z_j)/(z_{j+1} - z_j) at (c, j+1).
// Probes outside [z_0, z_{L-1}] are an error naming the position.
Observation point_observation(const torch::Tensor& z, std::int64_t channels,
                              const std::vector<PointProbe>& probes);

}  // namespace hd::inverse
