// SPDX-License-Identifier: GPL-3.0-or-later
// Power-function EMA and post-hoc reconstruction (EDM2, arXiv 2312.02696, section 3.1 and
// appendix C). Torch-free: the trainer applies beta to its tensors and combines snapshots
// with the weights computed here.
//
// theta_hat(t) = ((gamma+1) / t^(gamma+1)) * integral_0^t tau^gamma theta(tau) dtau: an
// average whose window grows with training time, of relative width
// sigma_rel = sqrt((gamma+1) / ((gamma+2)^2 (gamma+3))).
#pragma once
#include <cstdint>
#include <vector>

namespace hd::ema {

// sigma_rel(gamma) as above.
double sigma_rel_from_gamma(double gamma);
// The gamma >= 0 with sigma_rel(gamma) = sigma_rel: the largest real root of
// gamma^3 + 7 gamma^2 + (16 - s^-2) gamma + (12 - s^-2) = 0. sigma_rel must lie in
// (0, sqrt(1/12)] (gamma = 0 gives the widest profile); throws hd::Error otherwise.
double gamma_from_sigma_rel(double sigma_rel);

// Per-step decay: beta = (1 - batch/t)^(gamma+1), with t the images seen after the step;
// then theta_hat <- beta theta_hat + (1 - beta) theta.
double power_beta(double gamma, std::int64_t images_after_step, std::int64_t batch_size);

// A tracked EMA profile at a snapshot time: its averaging kernel is
// p(tau) = (gamma+1) tau^gamma / t^(gamma+1) on [0, t].
struct Snapshot {
  double t;
  double gamma;
};

// <p_a, p_b> = integral of p_a(tau) p_b(tau) dtau
//            = (g_a+1)(g_b+1) (t_a/t_b)^e / ((g_a+g_b+1) max(t_a, t_b)),
// e = g_b if t_a < t_b else -g_a.
double kernel_inner_product(const Snapshot& a, const Snapshot& b);

// Weights w (summing to 1) such that sum_i w_i p_i is the least-squares approximation of
// the target kernel: solve A w = b with A_ij = <p_i, p_j>, b_i = <p_i, p_target>.
std::vector<double> reconstruction_weights(const std::vector<Snapshot>& snapshots, const Snapshot& target);

}  // namespace hd::ema
