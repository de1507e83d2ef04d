// SPDX-License-Identifier: GPL-3.0-or-later
// The prior over anomalous transport profiles, nu_an = c(z) omega_ce (docs/prior.md): a
// logistic step times an inverted Gaussian, set by six drawn shape parameters, perturbed in
// log space by a Gaussian process. Positions are in channel lengths, z / L_ch.
#pragma once
#include <cstdint>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/prior/prior.hpp"

namespace hd::prior {

// Where c(z) is given and how rough it is: the `[anomalous_profile]` table, every key optional.
struct AnomalousProfileModel {
  int nodes = 256;                         // z_i = extent i / (nodes - 1)
  double extent_channel_lengths = 3.0;     // 3 covers the whole domain of the reference thruster
  double gp_length_channel_lengths = 1.0;  // correlation length l of ln c
  double gp_amplitude = 0.5;               // standard deviation sigma_k of ln c
};
AnomalousProfileModel read_anomalous_profile_model(const config::Table& table);

// The six drawn shape parameters, named as in the prior and the dataset.
struct AnomalousProfileShape {
  double anom_minimum;  // a: c at the centre relative to the step, g(0) = a
  double anom_width;    // w: width of the Gaussian well in zhat, i.e. in units of anom_center
  double anom_slope;    // s: the step lowers c upstream by the factor 1 - s
  double anom_step;     // m: steepness of the step, 0 flat ... 1 a jump
  double anom_scale;    // S: overall scale of c
  double anom_center;   // z_c: centre of the step and of the well, channel lengths
};

// The shape of a simulation from its drawn `values` (in `prior`'s order). Throws naming a
// parameter the prior lacks or a value outside its domain.
AnomalousProfileShape shape_from_parameters(const Prior& prior, const std::vector<double>& values);

// Checks, before any draw, that the prior read from `params` has the six shape parameters and
// that each can only draw values inside its domain; errors name the parameter's table.
void check_shape_prior(const Prior& prior, const config::Table& params);

// c(z) = S f g, zhat = z / z_c - 1, with
//   f = 1 - s + s / (1 + exp(-m zhat / (1 - m)))   (m = 1: the step's limit)
//   g = 1 - (1 - a) exp(-(zhat / w)^2)
double mean_profile(const AnomalousProfileShape& shape, double z_channel_lengths);

// Draws c at the nodes: ln c = ln(S f g) + x, x ~ GP(0, sigma_k^2 exp(-(z - z')^2 / (2 l^2))).
// The kernel is factored once here (Cholesky with a relative jitter of 1e-10 on the
// diagonal: the kernel is numerically rank-deficient) and reused by every draw. Draws only
// read the factor, so one sampler serves every thread.
class AnomalousProfileSampler {
 public:
  static constexpr double kJitter = 1e-10;

  explicit AnomalousProfileSampler(const AnomalousProfileModel& model);

  // Node positions, channel lengths.
  const std::vector<double>& nodes() const { return nodes_; }
  // x at the nodes for simulation `index`: stream (master_seed, index, "prior.anomalous_profile").
  std::vector<double> log_perturbation(std::uint64_t master_seed, std::uint64_t index) const;
  // c at the nodes: mean_profile(shape, z_i) exp(x_i).
  std::vector<double> draw(const AnomalousProfileShape& shape, std::uint64_t master_seed,
                           std::uint64_t index) const;
  // max_ij |(L L^T)_ij - K_ij|: what the draws' covariance differs from the kernel by, the
  // jitter sigma_k^2 1e-10 on the diagonal plus rounding.
  double covariance_error() const { return covariance_error_; }

 private:
  std::vector<double> nodes_;
  std::vector<double> factor_;  // L, lower triangular, column-major nodes x nodes
  double covariance_error_ = 0.0;
};

}  // namespace hd::prior
