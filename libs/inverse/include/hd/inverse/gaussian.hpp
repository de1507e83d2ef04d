// SPDX-License-Identifier: GPL-3.0-or-later
// An analytic Gaussian over profiles [C, L]: the prior of the samplers' known-answer tests
// (docs/inverse.md). Its denoiser is exact, and so is its posterior under a linear
// observation with Gaussian noise, so sampled moments can be checked against closed forms.
#pragma once
#include <torch/torch.h>

#include <cstdint>

#include "hd/inverse/observation.hpp"

namespace hd::inverse {

class Gaussian {
 public:
  // mean [C, L]; covariance [C L, C L] over vec(x) (channel-major), symmetric positive definite.
  Gaussian(const torch::Tensor& mean, const torch::Tensor& covariance);

  // D*(x; s) = mu + S (S + s^2 I)^-1 (x - mu) = mu + V diag(lambda/(lambda + s^2)) V^T (x - mu)
  // with S = V diag(lambda) V^T precomputed; x [B, C, L], sigma [B]. Differentiable in x;
  // computed in float64 and returned in x's dtype.
  torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma) const;
  // count draws mu + V diag(sqrt(lambda)) eps, [count, C, L], float64.
  torch::Tensor sample(std::int64_t count, torch::Generator generator) const;
  // The posterior under a linear observation y = H vec(x) + n, n ~ N(0, Sy):
  // S_p = (S^-1 + H^T Sy^-1 H)^-1, mu_p = S_p (S^-1 mu + H^T Sy^-1 y), y [m].
  Gaussian posterior(const Observation& observation, const torch::Tensor& y) const;

  const torch::Tensor& mean() const { return mean_; }              // [C, L], float64
  const torch::Tensor& covariance() const { return covariance_; }  // [C L, C L], float64

 private:
  torch::Tensor mean_, covariance_, eigenvalues_, eigenvectors_;
};

// A squared-exponential Gaussian process along z with a cross-channel covariance:
// S[(c,i),(d,j)] = s_c s_d R_cd exp(-(z_i - z_j)^2/(2 l^2)) + jitter delta_(c,i),(d,j).
struct GaussianProcess {
  torch::Tensor z;                    // [L] cell centres
  double length_scale = 0.0;          // l, the unit of z
  torch::Tensor channel_std;          // [C], s_c
  torch::Tensor channel_correlation;  // [C, C], R, unit diagonal
  double jitter = 1e-6;  // keeps S positive definite: the SE kernel alone is numerically singular
};

Gaussian gaussian_process_prior(const torch::Tensor& mean, const GaussianProcess& process);

}  // namespace hd::inverse
