// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/metrics.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "hd/common/error.hpp"

namespace hd::inverse {

namespace {

// samples [S, n] and truth [n] in float64, after checking that a draw has the truth's shape.
std::pair<torch::Tensor, torch::Tensor> flat(const torch::Tensor& samples, const torch::Tensor& truth,
                                             std::int64_t minimum_samples = 1) {
  if (samples.dim() != truth.dim() + 1 || samples.sizes().slice(1) != truth.sizes())
    throw Error("scores need samples [S, ...] whose draws have the truth's shape");
  if (samples.size(0) < minimum_samples)
    throw Error("this score needs at least " + std::to_string(minimum_samples) + " samples");
  return {samples.to(torch::kFloat64).flatten(1), truth.to(torch::kFloat64).flatten()};
}

}  // namespace

double relative_l2(const torch::Tensor& samples, const torch::Tensor& truth) {
  const auto [x, y] = flat(samples, truth);
  return ((x.mean(0) - y).norm() / y.norm()).item<double>();
}

double interval_coverage(const torch::Tensor& samples, const torch::Tensor& truth, double level) {
  if (!(level > 0.0 && level < 1.0)) throw Error("interval coverage needs a level in (0, 1)");
  const auto [x, y] = flat(samples, truth);
  const auto q = torch::tensor({0.5 * (1.0 - level), 0.5 * (1.0 + level)}, torch::kFloat64).to(x.device());
  const auto bounds = torch::quantile(x, q, 0);  // [2, n], linear interpolation
  return ((y >= bounds[0]) & (y <= bounds[1])).to(torch::kFloat64).mean().item<double>();
}

double crps(const torch::Tensor& samples, const torch::Tensor& truth) {
  const auto [x, y] = flat(samples, truth, 2);
  const auto s = static_cast<double>(x.size(0));
  const auto skill = (x - y).abs().mean(0);
  // sum_{i != j} |x_i - x_j| = 2 sum_k x_(k) (2k - S - 1) over the sorted draws (k = 1..S).
  const auto sorted = std::get<0>(x.sort(0));
  const auto k = torch::arange(1, x.size(0) + 1, torch::kFloat64).unsqueeze(1);
  const auto pairs = 2.0 * (sorted * (2.0 * k - s - 1.0)).sum(0);
  return (skill - pairs / (2.0 * s * (s - 1.0))).mean().item<double>();
}

SpreadSkill spread_skill(const torch::Tensor& samples, const torch::Tensor& truth) {
  const auto [x, y] = flat(samples, truth, 2);
  const auto s = static_cast<double>(x.size(0));
  return {(s + 1.0) / s * x.var(0).mean().item<double>(), (x.mean(0) - y).square().mean().item<double>()};
}

double spread_skill_ratio(const torch::Tensor& samples, const torch::Tensor& truth) {
  const auto parts = spread_skill(samples, truth);
  return std::sqrt(parts.spread_sq / parts.error_sq);
}

torch::Tensor sbc_rank(const torch::Tensor& samples, const torch::Tensor& truth) {
  const auto [x, y] = flat(samples, truth);
  return (x < y).sum(0).view(truth.sizes());
}

}  // namespace hd::inverse
