// SPDX-License-Identifier: GPL-3.0-or-later
// One-dimensional distributions of the parameter prior (docs/prior.md): what each simulation
// parameter is drawn from. Each is a small struct; `Distribution` selects one. Draws use only
// the 64-bit output of hd::RngStream and IEEE arithmetic, never the implementation-defined
// std:: distributions, so a seed gives the same values with every standard library.
#pragma once
#include <limits>
#include <string>
#include <variant>

#include "hd/common/config.hpp"
#include "hd/common/rng.hpp"

namespace hd::prior {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

// X ~ U(min, max)
struct Uniform {
  double min, max;
};
// X ~ N(mean, std^2)
struct Normal {
  double mean, std;
};
// X ~ N(mean, std^2) conditioned on lower < X < upper (either bound may be infinite).
struct TruncatedNormal {
  double mean, std;
  double lower = -kInfinity, upper = kInfinity;
};
// ln X ~ N(ln median, (ln factor)^2): X is within [median / factor, median * factor] with
// probability 68 %. The reference's LogNormal(ln 1e-5, ln 10) is {1e-5, 10}.
struct LogNormal {
  double median, factor;
};
// LogNormal conditioned on lower < X < upper (bounds on X itself, 0 <= lower).
struct TruncatedLogNormal {
  double median, factor;
  double lower = 0.0, upper = kInfinity;
};
// X = value
struct Fixed {
  double value;
};

using Distribution = std::variant<Uniform, Normal, TruncatedNormal, LogNormal, TruncatedLogNormal, Fixed>;

// A truncation that keeps less of the untruncated mass than this is refused: rejection
// sampling would then need more than 1000 tries per draw, and such a prior is almost
// certainly a typo.
inline constexpr double kMinimumKeptMass = 1e-3;

double draw(const Distribution& dist, RngStream& rng);

// Exact moments (closed forms, truncations included).
double mean(const Distribution& dist);
double variance(const Distribution& dist);

// Closed interval that holds every draw.
struct Interval {
  double lower, upper;
};
Interval support(const Distribution& dist);

// Fraction of the untruncated distribution's mass inside the bounds (1 when untruncated).
double kept_mass(const Distribution& dist);

// "uniform(200, 600)", "truncated_normal(300, 50; 0, inf)", "log_normal(1e-05, 10)": the
// TOML name and its keys' values in the order of docs/prior.md.
std::string describe(const Distribution& dist);

// Reads key `distribution` (uniform | normal | truncated_normal | log_normal |
// truncated_log_normal | fixed) and that distribution's keys, with their ranges checked.
// Other keys of the table are left for the caller, who calls finish().
Distribution read_distribution(const config::Table& table);

}  // namespace hd::prior
