// SPDX-License-Identifier: GPL-3.0-or-later
// Sample moments against a Gaussian's, for the samplers' known-answer tests (torch tests
// only). Errors are given both in standard errors of the estimate (to set tolerances from
// the sample size) and in posterior standard deviations (to state a method's bias
// independently of the sample size).
#pragma once
#include <torch/torch.h>

#include <ostream>

namespace hd::testing {

struct MomentErrors {
  double mean_z = 0.0;              // max_i |m_i - mu_i| / sqrt(S_ii / n)
  double covariance_z = 0.0;        // max_ij |C_ij - S_ij| / sqrt((S_ij^2 + S_ii S_jj) / n)
  double mean_bias = 0.0;           // max_i |m_i - mu_i| / sqrt(S_ii)
  double variance_ratio_min = 0.0;  // min_i C_ii / S_ii
  double variance_ratio_max = 0.0;  // max_i C_ii / S_ii
};

inline std::ostream& operator<<(std::ostream& out, const MomentErrors& e) {
  return out << "mean error " << e.mean_z << " s.e. (" << e.mean_bias << " sd), covariance error "
             << e.covariance_z << " s.e., variance ratio " << e.variance_ratio_min << ".."
             << e.variance_ratio_max;
}

// samples [n, ...] flattened to [n, d] against N(mean, covariance) with mean [...] (d
// entries) and covariance [d, d]. `effective_size` replaces n in the standard errors when
// the samples are not independent (importance resampling); 0 means n.
inline MomentErrors moment_errors(const torch::Tensor& samples, const torch::Tensor& mean,
                                  const torch::Tensor& covariance, double effective_size = 0.0) {
  const auto x = samples.to(torch::kFloat64).flatten(1);
  const double n = effective_size > 0.0 ? effective_size : static_cast<double>(x.size(0));
  const auto m = x.mean(0);
  const auto centred = x - m;
  const auto c = torch::matmul(centred.t(), centred) / (x.size(0) - 1);
  const auto mu = mean.to(torch::kFloat64).flatten();
  const auto s = covariance.to(torch::kFloat64);
  const auto var = s.diagonal();
  MomentErrors e;
  e.mean_z = ((m - mu).abs() / (var / n).sqrt()).max().item<double>();
  e.mean_bias = ((m - mu).abs() / var.sqrt()).max().item<double>();
  const auto cov_se = ((s.square() + torch::outer(var, var)) / n).sqrt();
  e.covariance_z = ((c - s).abs() / cov_se).max().item<double>();
  const auto ratio = c.diagonal() / var;
  e.variance_ratio_min = ratio.min().item<double>();
  e.variance_ratio_max = ratio.max().item<double>();
  return e;
}

}  // namespace hd::testing
