// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/gaussian.hpp"

#include <string>
#include <tuple>

#include "hd/common/error.hpp"

namespace hd::inverse {

Gaussian::Gaussian(const torch::Tensor& mean, const torch::Tensor& covariance)
    : mean_(mean.to(torch::kFloat64).contiguous()), covariance_(covariance.to(torch::kFloat64).contiguous()) {
  const auto n = mean_.numel();
  if (mean_.dim() != 2 || covariance_.dim() != 2 || covariance_.size(0) != n || covariance_.size(1) != n)
    throw Error("a Gaussian over profiles needs a mean [C, L] and a covariance [C*L, C*L]");
  if (!torch::allclose(covariance_, covariance_.t(), 1e-10, 1e-12))
    throw Error("the Gaussian's covariance is not symmetric");
  std::tie(eigenvalues_, eigenvectors_) = torch::linalg_eigh(covariance_);
  if (!(eigenvalues_.min().item<double>() > 0.0))
    throw Error("the Gaussian's covariance is not positive definite (smallest eigenvalue " +
                std::to_string(eigenvalues_.min().item<double>()) + "): add jitter to its diagonal");
}

torch::Tensor Gaussian::denoise(const torch::Tensor& x, const torch::Tensor& sigma) const {
  const auto device = x.device();
  const auto mu = mean_.flatten().to(device);
  const auto lambda = eigenvalues_.to(device);
  const auto v = eigenvectors_.to(device);
  const auto centred = x.to(torch::kFloat64).flatten(1) - mu;
  const auto s2 = sigma.to(device, torch::kFloat64).square().unsqueeze(1);  // [B, 1]
  const auto d = mu + torch::matmul(torch::matmul(centred, v) * (lambda / (lambda + s2)), v.t());
  return d.to(x.scalar_type()).view(x.sizes());
}

torch::Tensor Gaussian::sample(std::int64_t count, torch::Generator generator) const {
  auto eps = torch::randn({count, mean_.numel()}, generator, torch::kFloat64);
  auto draws = mean_.flatten() + torch::matmul(eps * eigenvalues_.sqrt(), eigenvectors_.t());
  return draws.view({count, mean_.size(0), mean_.size(1)});
}

Gaussian Gaussian::posterior(const Observation& observation, const torch::Tensor& y) const {
  if (!observation.is_linear())
    throw Error(
        "the closed-form Gaussian posterior needs a linear observation; use importance resampling "
        "for a nonlinear one");
  const auto& h = observation.matrix();
  if (h.size(1) != mean_.numel())
    throw Error("the observation acts on " + std::to_string(h.size(1)) + " values, the Gaussian has " +
                std::to_string(mean_.numel()));
  // The information form above inverts S, which a smooth GP makes near-singular; the
  // same posterior in gain form needs only the m x m innovation covariance:
  // K = S H^T (H S H^T + Sy)^-1, mu_p = mu + K (y - H mu), S_p = S - K H S.
  const auto sht = torch::matmul(covariance_, h.t());
  const auto innovation = torch::matmul(h, sht) + torch::diag(observation.noise_std().square());
  const auto gain = torch::linalg_solve(innovation, sht.t()).t();
  const auto residual = y.to(torch::kFloat64).flatten() - torch::matmul(h, mean_.flatten());
  const auto mean = mean_.flatten() + torch::matmul(gain, residual);
  auto covariance = covariance_ - torch::matmul(gain, sht.t());
  return Gaussian(mean.view(mean_.sizes()), 0.5 * (covariance + covariance.t()));
}

Gaussian gaussian_process_prior(const torch::Tensor& mean, const GaussianProcess& p) {
  const auto z = p.z.to(torch::kFloat64);
  const auto channels = p.channel_std.numel();
  if (!(p.length_scale > 0.0)) throw Error("the Gaussian process needs a length scale > 0");
  if (p.channel_correlation.dim() != 2 || p.channel_correlation.size(0) != channels ||
      p.channel_correlation.size(1) != channels)
    throw Error("the channel correlation must be [C, C] with C = " + std::to_string(channels) +
                " (one std per channel)");
  const auto along_z =
      torch::exp(-0.5 * (z.unsqueeze(0) - z.unsqueeze(1)).square() / (p.length_scale * p.length_scale));
  const auto std = p.channel_std.to(torch::kFloat64);
  const auto across = torch::outer(std, std) * p.channel_correlation.to(torch::kFloat64);
  const auto covariance = torch::kron(across, along_z);  // channel-major, like vec(x)
  return Gaussian(mean, covariance + p.jitter * torch::eye(covariance.size(0), torch::kFloat64));
}

}  // namespace hd::inverse
