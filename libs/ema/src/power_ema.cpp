// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/ema/power_ema.hpp"

#include <algorithm>
#include <cmath>
#include <string>

// GCC 12 reports its own AVX-512 intrinsics (avx512fintrin.h, reached through Eigen's
// packet reductions under -march=native) as using an uninitialized value: a known false
// positive of that header's `__m256d __Y = __Y;` idiom.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Dense>
#pragma GCC diagnostic pop

#include "hd/common/error.hpp"

namespace hd::ema {

double sigma_rel_from_gamma(double gamma) {
  return std::sqrt((gamma + 1.0) / ((gamma + 2.0) * (gamma + 2.0) * (gamma + 3.0)));
}

// sigma_rel decreases monotonically for gamma >= 0, so bisection on [0, hi] finds the
// root the cubic describes without the branch bookkeeping of Cardano's formula.
double gamma_from_sigma_rel(double sigma_rel) {
  const double widest = sigma_rel_from_gamma(0.0);
  if (!(sigma_rel > 0.0 && sigma_rel <= widest * (1.0 + 1e-12)))
    throw Error("EMA sigma_rel = " + std::to_string(sigma_rel) + " is outside (0, " + std::to_string(widest) +
                "]");
  double lo = 0.0, hi = 1.0;
  while (sigma_rel_from_gamma(hi) > sigma_rel) hi *= 2.0;
  for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    (sigma_rel_from_gamma(mid) > sigma_rel ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

double power_beta(double gamma, std::int64_t images_after_step, std::int64_t batch_size) {
  const double t = static_cast<double>(images_after_step);
  return std::pow(std::max(0.0, 1.0 - static_cast<double>(batch_size) / t), gamma + 1.0);
}

double kernel_inner_product(const Snapshot& a, const Snapshot& b) {
  const double e = a.t < b.t ? b.gamma : -a.gamma;
  return (a.gamma + 1.0) * (b.gamma + 1.0) * std::pow(a.t / b.t, e) /
         ((a.gamma + b.gamma + 1.0) * std::max(a.t, b.t));
}

std::vector<double> reconstruction_weights(const std::vector<Snapshot>& snapshots, const Snapshot& target) {
  if (snapshots.empty()) throw Error("EMA reconstruction needs at least one snapshot");
  const auto n = static_cast<Eigen::Index>(snapshots.size());
  Eigen::MatrixXd a(n, n);
  Eigen::VectorXd b(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    b(i) = kernel_inner_product(snapshots[i], target);
    for (Eigen::Index j = 0; j < n; ++j) a(i, j) = kernel_inner_product(snapshots[i], snapshots[j]);
  }
  // Least squares: A is a Gram matrix of near-parallel kernels and often numerically
  // singular; the minimum-norm solution is the well-defined one.
  Eigen::VectorXd w = a.completeOrthogonalDecomposition().solve(b);
  w /= w.sum();
  return {w.data(), w.data() + n};
}

}  // namespace hd::ema
