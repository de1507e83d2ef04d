// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/prior/anomalous_profile.hpp"

#include <cmath>

// GCC 12 reports its own AVX-512 intrinsics (avx512fintrin.h, reached through Eigen's
// matrix-product kernels under -march=native) as using an uninitialized value: a known false
// positive of that header's `__m256d __Y = __Y;` idiom.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <Eigen/Cholesky>
#include <Eigen/Core>
#pragma GCC diagnostic pop

#include "hd/common/config.hpp"
#include "hd/common/error.hpp"


namespace hd::prior {
namespace {

using config::format_number;

// The values each shape parameter may take: [lower, upper], with lower itself excluded where
// the profile divides by the parameter or takes a logarithm of it (c = 0 has no log).
struct ShapeDomain {
  const char* name;
  double AnomalousProfileShape::*member;
  double lower;
  bool lower_excluded;
  double upper;
};
constexpr ShapeDomain kShapeDomains[] = {
    {"anom_minimum", &AnomalousProfileShape::anom_minimum, 0.0, false, kInfinity},
    {"anom_width", &AnomalousProfileShape::anom_width, 0.0, true, kInfinity},
    {"anom_slope", &AnomalousProfileShape::anom_slope, 0.0, false, 1.0},
    {"anom_step", &AnomalousProfileShape::anom_step, 0.0, false, 1.0},
    {"anom_scale", &AnomalousProfileShape::anom_scale, 0.0, true, kInfinity},
    {"anom_center", &AnomalousProfileShape::anom_center, 0.0, true, kInfinity},
};

std::string describe(const ShapeDomain& d) {
  std::string out = d.lower_excluded ? "(" : "[";
  return out + format_number(d.lower) + ", " + format_number(d.upper) + "]";
}

bool inside(const ShapeDomain& d, double v) {
  return (d.lower_excluded ? v > d.lower : v >= d.lower) && v <= d.upper;
}

std::string shape_names() {
  std::string out;
  for (const ShapeDomain& d : kShapeDomains) out += (out.empty() ? "" : ", ") + std::string(d.name);
  return out;
}

// 1 / (1 + exp(-m zhat / (1 - m))); at m = 1 the logistic has become a unit step (1/2 at 0).
double logistic_step(double zhat, double m) {
  if (m >= 1.0) return zhat > 0.0 ? 1.0 : (zhat < 0.0 ? 0.0 : 0.5);
  return 1.0 / (1.0 + std::exp(-m * zhat / (1.0 - m)));
}

}  // namespace

AnomalousProfileModel read_anomalous_profile_model(const config::Table& t) {
  using config::Range;
  AnomalousProfileModel m;
  m.nodes = static_cast<int>(t.get_int_or("nodes", m.nodes, {2, 4096}));
  m.extent_channel_lengths =
      t.get_double_or("extent_channel_lengths", m.extent_channel_lengths, Range::positive());
  m.gp_length_channel_lengths =
      t.get_double_or("gp_length_channel_lengths", m.gp_length_channel_lengths, Range::positive());
  m.gp_amplitude = t.get_double_or("gp_amplitude", m.gp_amplitude, Range::non_negative());
  return m;
}

AnomalousProfileShape shape_from_parameters(const Prior& prior, const std::vector<double>& values) {
  AnomalousProfileShape shape{};
  for (const ShapeDomain& d : kShapeDomains) {
    const auto i = prior.index_of(d.name);
    if (!i)
      throw Error(std::string("the prior has no parameter ") + d.name + ": the anomalous profile needs " +
                  shape_names());
    const double v = values.at(*i);
    if (!inside(d, v)) {
      throw Error(std::string(d.name) + " = " + format_number(v) + " is outside " + describe(d) +
                  ", where the anomalous profile is defined: narrow its distribution in params." + d.name);
    }
    shape.*d.member = v;
  }
  return shape;
}

void check_shape_prior(const Prior& prior, const config::Table& params) {
  for (const ShapeDomain& d : kShapeDomains) {
    const auto i = prior.index_of(d.name);
    if (!i) params.fail(d.name, "is missing: the anomalous profile needs " + shape_names());
    const Distribution& dist = prior.parameters[*i].distribution;
    const Interval s = support(dist);
    if (s.lower < d.lower || s.upper > d.upper) {
      params.table(d.name).fail("distribution", "= " + describe(dist) + " can draw values outside " +
                                                    describe(d) +
                                                    ", where the anomalous profile is defined: truncate it");
    }
  }
}

// c = S f g, zhat = z / z_c - 1
double mean_profile(const AnomalousProfileShape& p, double z_channel_lengths) {
  const double zhat = z_channel_lengths / p.anom_center - 1.0;
  const double f = 1.0 - p.anom_slope + p.anom_slope * logistic_step(zhat, p.anom_step);
  const double g = 1.0 - (1.0 - p.anom_minimum) * std::exp(-(zhat / p.anom_width) * (zhat / p.anom_width));
  return p.anom_scale * f * g;
}

AnomalousProfileSampler::AnomalousProfileSampler(const AnomalousProfileModel& model) {
  const int n = model.nodes;
  nodes_.resize(n);
  for (int i = 0; i < n; ++i) nodes_[i] = model.extent_channel_lengths * i / (n - 1);

  // Correlation R_ij = exp(-((z_i - z_j) / l)^2 / 2). Its eigenvalues fall off faster than
  // exponentially, so most are below rounding and the Cholesky factorization needs the
  // jitter; then K = sigma_k^2 R.
  Eigen::MatrixXd correlation(n, n);
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const double r = (nodes_[i] - nodes_[j]) / model.gp_length_channel_lengths;
      correlation(i, j) = std::exp(-0.5 * r * r);
    }
  }
  Eigen::MatrixXd jittered = correlation;
  jittered.diagonal().array() += kJitter;
  Eigen::LLT<Eigen::MatrixXd> llt(jittered);
  if (llt.info() != Eigen::Success) {
    throw Error("anomalous_profile: the Gaussian-process kernel on " + std::to_string(n) +
                " nodes with gp_length_channel_lengths = " + format_number(model.gp_length_channel_lengths) +
                " cannot be factored even with a jitter of " + format_number(kJitter) +
                ": use fewer nodes or a shorter gp_length_channel_lengths");
  }
  const Eigen::MatrixXd factor = model.gp_amplitude * Eigen::MatrixXd(llt.matrixL());
  const double variance = model.gp_amplitude * model.gp_amplitude;
  covariance_error_ = (factor * factor.transpose() - variance * correlation).cwiseAbs().maxCoeff();
  factor_.assign(factor.data(), factor.data() + factor.size());
}

std::vector<double> AnomalousProfileSampler::log_perturbation(std::uint64_t master_seed,
                                                              std::uint64_t index) const {
  const Eigen::Index n = static_cast<Eigen::Index>(nodes_.size());
  RngStream rng(master_seed, index, purpose_tag("prior.anomalous_profile"));
  Eigen::VectorXd xi(n);
  for (Eigen::Index i = 0; i < n; ++i) xi[i] = rng.normal();
  // x = L xi has covariance L L^T
  const Eigen::Map<const Eigen::MatrixXd> factor(factor_.data(), n, n);
  const Eigen::VectorXd x = factor.triangularView<Eigen::Lower>() * xi;
  return {x.data(), x.data() + n};
}

std::vector<double> AnomalousProfileSampler::draw(const AnomalousProfileShape& shape,
                                                  std::uint64_t master_seed, std::uint64_t index) const {
  std::vector<double> c = log_perturbation(master_seed, index);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = mean_profile(shape, nodes_[i]) * std::exp(c[i]);
  return c;
}

}  // namespace hd::prior
