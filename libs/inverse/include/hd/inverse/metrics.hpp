// SPDX-License-Identifier: GPL-3.0-or-later
// Scores of posterior samples against the truth (docs/inverse.md). `samples` is [S, ...]
// (S posterior draws of one state), `truth` has the shape of one draw; scalar scores
// average over all entries, so a per-channel score is the score of a channel's slice.
#pragma once
#include <torch/torch.h>

namespace hd::inverse {

// ||mean_s x_s - truth||_2 / ||truth||_2
double relative_l2(const torch::Tensor& samples, const torch::Tensor& truth);

// Fraction of entries whose truth lies in the central `level` interval of the samples,
// [q_{(1-level)/2}, q_{(1+level)/2}] with linearly interpolated sample quantiles.
double interval_coverage(const torch::Tensor& samples, const torch::Tensor& truth, double level);

// Fair-ensemble CRPS, averaged over entries:
// 1/S sum_i |x_i - y| - 1/(2 S (S-1)) sum_{i != j} |x_i - x_j|.
double crps(const torch::Tensor& samples, const torch::Tensor& truth);

// The parts of the spread-skill ratio, so that it can be pooled over cases:
// spread_sq = (S+1)/S x the unbiased ensemble variance averaged over entries, error_sq =
// the mean squared error of the ensemble mean.
struct SpreadSkill {
  double spread_sq = 0.0;
  double error_sq = 0.0;
};
SpreadSkill spread_skill(const torch::Tensor& samples, const torch::Tensor& truth);

// sqrt(spread_sq / error_sq): 1 for a calibrated ensemble of any size S.
double spread_skill_ratio(const torch::Tensor& samples, const torch::Tensor& truth);

// Rank of the truth among the samples per entry (the number of samples below it, 0..S),
// int64 with the truth's shape: uniform over 0..S across simulations when calibrated (SBC).
torch::Tensor sbc_rank(const torch::Tensor& samples, const torch::Tensor& truth);

}  // namespace hd::inverse
