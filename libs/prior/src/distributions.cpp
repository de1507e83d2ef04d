// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/prior/distributions.hpp"

#include <cmath>
#include <numbers>

#include "hd/common/config.hpp"
#include "hd/common/error.hpp"


namespace hd::prior {
namespace {

using config::format_number;

// phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
double normal_pdf(double x) {
  return std::exp(-0.5 * x * x) * 0.5 * std::numbers::inv_sqrtpi * std::numbers::sqrt2;
}

// x phi(x), which vanishes at both infinities (inf * 0 would be NaN).
double x_normal_pdf(double x) {
  return std::isinf(x) ? 0.0 : x * normal_pdf(x);
}

// Phi(b) - Phi(a) for a standard normal, from the tail nearer to [a, b] so that a window far
// out in a tail does not cancel.
double normal_mass(double a, double b) {
  const auto upper_tail = [](double x) { return 0.5 * std::erfc(x / std::numbers::sqrt2); };
  return a > 0.0 ? upper_tail(a) - upper_tail(b) : upper_tail(-b) - upper_tail(-a);
}

// Standardized bounds of a normal truncation, alpha = (lower - mean) / std and beta likewise.
struct Standardized {
  double alpha, beta;
};
Standardized standardized(const TruncatedNormal& d) {
  return {(d.lower - d.mean) / d.std, (d.upper - d.mean) / d.std};
}
// For log-normals the truncation acts on ln X ~ N(ln median, ln factor).
TruncatedNormal log_space(const TruncatedLogNormal& d) {
  return {std::log(d.median), std::log(d.factor), std::log(d.lower), std::log(d.upper)};
}

// E[X^k] of a truncated log-normal with ln X ~ N(mu, sigma) on [alpha, beta] (standardized):
// exp(k mu + k^2 sigma^2 / 2) (Phi(beta - k sigma) - Phi(alpha - k sigma)) / (Phi(beta) - Phi(alpha)).
double log_normal_raw_moment(const TruncatedLogNormal& d, int k) {
  const TruncatedNormal y = log_space(d);
  const auto [alpha, beta] = standardized(y);
  return std::exp(k * y.mean + 0.5 * k * k * y.std * y.std) *
         normal_mass(alpha - k * y.std, beta - k * y.std) / normal_mass(alpha, beta);
}

// What is wrong with a truncation that keeps too little mass, or "" when nothing is.
std::string mass_problem(const Distribution& d) {
  const double kept = kept_mass(d);
  if (kept >= kMinimumKeptMass) return {};
  return describe(d) + " keeps only " + format_number(kept) + " of its mass inside its bounds (at least " +
         format_number(kMinimumKeptMass) + " is needed): widen the bounds or move the centre";
}

// Rejection from the untruncated distribution: exact, and at most 1 / kMinimumKeptMass
// tries per draw on average.
template <class Truncated, class Untruncated>
double draw_truncated(const Truncated& d, Untruncated untruncated, RngStream& rng) {
  if (const std::string problem = mass_problem(d); !problem.empty()) throw Error(problem);
  while (true) {
    const double x = draw(untruncated, rng);
    if (d.lower < x && x < d.upper) return x;
  }
}

struct Draw {
  RngStream& rng;
  double operator()(const Uniform& d) const {
    return d.min + (d.max - d.min) * rng.uniform();
  }
  double operator()(const Normal& d) const { return d.mean + d.std * rng.normal(); }
  double operator()(const TruncatedNormal& d) const { return draw_truncated(d, Normal{d.mean, d.std}, rng); }
  // X = median factor^n, n ~ N(0, 1)
  double operator()(const LogNormal& d) const {
    return d.median * std::exp(std::log(d.factor) * rng.normal());
  }
  double operator()(const TruncatedLogNormal& d) const {
    return draw_truncated(d, LogNormal{d.median, d.factor}, rng);
  }
  double operator()(const Fixed& d) const { return d.value; }
};

struct Mean {
  // (min + max) / 2
  double operator()(const Uniform& d) const { return 0.5 * (d.min + d.max); }
  double operator()(const Normal& d) const { return d.mean; }
  // mean + std (phi(alpha) - phi(beta)) / Z
  double operator()(const TruncatedNormal& d) const {
    const auto [alpha, beta] = standardized(d);
    return d.mean + d.std * (normal_pdf(alpha) - normal_pdf(beta)) / normal_mass(alpha, beta);
  }
  double operator()(const LogNormal& d) const { return (*this)(TruncatedLogNormal{d.median, d.factor}); }
  double operator()(const TruncatedLogNormal& d) const { return log_normal_raw_moment(d, 1); }
  double operator()(const Fixed& d) const { return d.value; }
};

struct Variance {
  // (max - min)^2 / 12
  double operator()(const Uniform& d) const { return (d.max - d.min) * (d.max - d.min) / 12.0; }
  double operator()(const Normal& d) const { return d.std * d.std; }
  // std^2 [1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2]
  double operator()(const TruncatedNormal& d) const {
    const auto [alpha, beta] = standardized(d);
    const double z = normal_mass(alpha, beta);
    const double shift = (normal_pdf(alpha) - normal_pdf(beta)) / z;
    return d.std * d.std * (1.0 + (x_normal_pdf(alpha) - x_normal_pdf(beta)) / z - shift * shift);
  }
  double operator()(const LogNormal& d) const { return (*this)(TruncatedLogNormal{d.median, d.factor}); }
  // E[X^2] - E[X]^2
  double operator()(const TruncatedLogNormal& d) const {
    const double m1 = log_normal_raw_moment(d, 1);
    return log_normal_raw_moment(d, 2) - m1 * m1;
  }
  double operator()(const Fixed&) const { return 0.0; }
};

struct Support {
  Interval operator()(const Uniform& d) const { return {d.min, d.max}; }
  Interval operator()(const Normal&) const { return {-kInfinity, kInfinity}; }
  Interval operator()(const TruncatedNormal& d) const { return {d.lower, d.upper}; }
  Interval operator()(const LogNormal&) const { return {0.0, kInfinity}; }
  Interval operator()(const TruncatedLogNormal& d) const { return {d.lower, d.upper}; }
  Interval operator()(const Fixed& d) const { return {d.value, d.value}; }
};

struct KeptMass {
  double operator()(const TruncatedNormal& d) const {
    const auto [alpha, beta] = standardized(d);
    return normal_mass(alpha, beta);
  }
  double operator()(const TruncatedLogNormal& d) const { return (*this)(log_space(d)); }
  double operator()(const auto&) const { return 1.0; }
};

struct Describe {
  static std::string args(std::initializer_list<double> values) {
    std::string out;
    for (double v : values) out += (out.empty() ? "" : ", ") + format_number(v);
    return out;
  }
  static std::string bounds(double lower, double upper) { return "; " + args({lower, upper}); }
  std::string operator()(const Uniform& d) const { return "uniform(" + args({d.min, d.max}) + ")"; }
  std::string operator()(const Normal& d) const { return "normal(" + args({d.mean, d.std}) + ")"; }
  std::string operator()(const TruncatedNormal& d) const {
    return "truncated_normal(" + args({d.mean, d.std}) + bounds(d.lower, d.upper) + ")";
  }
  std::string operator()(const LogNormal& d) const {
    return "log_normal(" + args({d.median, d.factor}) + ")";
  }
  std::string operator()(const TruncatedLogNormal& d) const {
    return "truncated_log_normal(" + args({d.median, d.factor}) + bounds(d.lower, d.upper) + ")";
  }
  std::string operator()(const Fixed& d) const { return "fixed(" + args({d.value}) + ")"; }
};

// ln X has standard deviation ln factor, so factor must exceed 1.
double read_factor(const config::Table& t) {
  const double factor = t.get_double("factor");
  if (!(factor > 1.0)) t.fail("factor", "= " + format_number(factor) + " must be greater than 1");
  return factor;
}

// The optional bounds `lower` and `upper` of a truncation: at least one, ordered, keeping
// enough mass for rejection sampling.
template <class Truncated>
Truncated read_bounds(const config::Table& t, Truncated d, config::Range range, const char* untruncated) {
  if (!t.has("lower") && !t.has("upper")) {
    t.fail("distribution",
           std::string("needs a bound lower and/or upper (without one, use \"") + untruncated + "\")");
  }
  if (t.has("lower")) d.lower = t.get_double("lower", range);
  if (t.has("upper")) d.upper = t.get_double("upper", range);
  if (!(d.lower < d.upper)) {
    t.fail("upper",
           "= " + format_number(d.upper) + " must be greater than lower = " + format_number(d.lower));
  }
  if (const std::string problem = mass_problem(d); !problem.empty()) {
    const char* bound = t.has("lower") ? "lower" : "upper";
    t.fail(bound, "= " + format_number(t.get_double(bound)) + ": " + problem);
  }
  return d;
}

}  // namespace

double draw(const Distribution& dist, RngStream& rng) {
  return std::visit(Draw{rng}, dist);
}

double mean(const Distribution& dist) {
  return std::visit(Mean{}, dist);
}

double variance(const Distribution& dist) {
  return std::visit(Variance{}, dist);
}

Interval support(const Distribution& dist) {
  return std::visit(Support{}, dist);
}

double kept_mass(const Distribution& dist) {
  return std::visit(KeptMass{}, dist);
}

std::string describe(const Distribution& dist) {
  return std::visit(Describe{}, dist);
}

Distribution read_distribution(const config::Table& t) {
  using config::Range;
  const std::string name = t.get_choice("distribution", {"uniform", "normal", "truncated_normal",
                                                         "log_normal", "truncated_log_normal", "fixed"});
  if (name == "uniform") {
    const Uniform d{t.get_double("min"), t.get_double("max")};
    if (!(d.min < d.max)) {
      t.fail("max", "= " + format_number(d.max) + " must be greater than min = " + format_number(d.min));
    }
    return d;
  }
  if (name == "normal") return Normal{t.get_double("mean"), t.get_double("std", Range::positive())};
  if (name == "truncated_normal") {
    const TruncatedNormal d{t.get_double("mean"), t.get_double("std", Range::positive())};
    return read_bounds(t, d, Range{}, "normal");
  }
  if (name == "log_normal") return LogNormal{t.get_double("median", Range::positive()), read_factor(t)};
  if (name == "truncated_log_normal") {
    const TruncatedLogNormal d{t.get_double("median", Range::positive()), read_factor(t)};
    return read_bounds(t, d, Range::non_negative(), "log_normal");
  }
  return Fixed{t.get_double("value")};
}

}  // namespace hd::prior
