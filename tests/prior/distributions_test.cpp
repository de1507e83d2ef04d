// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/prior/distributions.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/testing/errors.hpp"

namespace {

using namespace hd::prior;
using hd::testing::expect_one_line_error;

std::vector<double> sample(const Distribution& d, int n, std::uint64_t seed = 11) {
  hd::RngStream rng(seed, 0);
  std::vector<double> out(n);
  for (double& x : out) x = draw(d, rng);
  return out;
}

// The distributions of the reference prior, plus one-sided and two-sided tail truncations
// whose moments the truncation terms dominate.
const std::vector<Distribution>& test_distributions() {
  static const std::vector<Distribution> all = {
      Uniform{200.0, 600.0},
      Normal{300.0, 50.0},
      TruncatedNormal{300.0, 50.0, 0.0},
      TruncatedNormal{1.0, 0.5, 0.0, 2.0},
      TruncatedNormal{4.0, 2.0, 1.0, 6.0},
      TruncatedNormal{0.25, 0.1, 0.0},
      TruncatedNormal{0.5, 0.5, 0.0},
      TruncatedNormal{0.0, 1.0, 2.0},
      TruncatedNormal{0.0, 1.0, -kInfinity, -1.0},
      LogNormal{2.0, 1.5},
      TruncatedLogNormal{0.01, 10.0, 0.0, 1.0},
      TruncatedLogNormal{1.0, 2.0, 0.5, 4.0},
      Fixed{3.0},
  };
  return all;
}

// Sample mean and variance of n = 100000 draws against the exact values. The standard error
// of the mean is sqrt(var / n); that of the sample variance is sqrt((m4 - var^2) / n) with m4
// the sample's fourth central moment. 5 standard errors: a correct sampler fails one of these
// 26 checks with probability ~1e-5 (and the seed is fixed, so the outcome is too). Rounding
// of the sums is ~1e-11 relative, far below every standard error (fixed(3) sums exactly).
TEST(Distributions, SampleMomentsMatchTheExactMeanAndVariance) {
  const int n = 100000;
  for (const Distribution& d : test_distributions()) {
    const std::vector<double> x = sample(d, n);
    double m = 0.0, m2 = 0.0, m4 = 0.0;
    for (double v : x) m += v;
    m /= n;
    for (double v : x) {
      m2 += (v - m) * (v - m);
      m4 += std::pow(v - m, 4);
    }
    m2 /= n;
    m4 /= n;
    const double var = variance(d);
    EXPECT_NEAR(m, mean(d), 5.0 * std::sqrt(var / n)) << describe(d);
    EXPECT_NEAR(m2, var, 5.0 * std::sqrt((m4 - m2 * m2) / n)) << describe(d);
  }
}

// Closed forms checked by hand, independently of sampling: the half-normal has mean
// sqrt(2/pi) and variance 1 - 2/pi; U(a, b) has variance (b - a)^2 / 12; a log-normal has
// mean median exp(ln^2 factor / 2). Relative tolerance 1e-14: only rounding separates them.
TEST(Distributions, ClosedFormsMatchKnownMoments) {
  const TruncatedNormal half{0.0, 1.0, 0.0};
  EXPECT_NEAR(mean(half), std::sqrt(2.0 / std::numbers::pi), 1e-14);
  EXPECT_NEAR(variance(half), 1.0 - 2.0 / std::numbers::pi, 1e-14);
  EXPECT_NEAR(variance(Uniform{200.0, 600.0}), 400.0 * 400.0 / 12.0, 1e-14 * 400.0 * 400.0);
  const double s = std::log(10.0);
  EXPECT_NEAR(mean(LogNormal{1e-5, 10.0}), 1e-5 * std::exp(s * s / 2.0),
              1e-14 * 1e-5 * std::exp(s * s / 2.0));
  EXPECT_NEAR(mean(TruncatedLogNormal{1e-5, 10.0}), mean(LogNormal{1e-5, 10.0}), 1e-14 * 1e-4);
  EXPECT_EQ(variance(Fixed{3.0}), 0.0);
}

// Every draw of a truncated distribution lies strictly inside its bounds (the bounds have
// probability zero, and a truncation at 0 must never give 0 to a parameter that divides).
TEST(Distributions, TruncationBoundsAreNeverViolated) {
  for (const Distribution& d : test_distributions()) {
    const Interval s = support(d);
    for (double x : sample(d, 100000, 5)) {
      if (std::holds_alternative<TruncatedNormal>(d) || std::holds_alternative<TruncatedLogNormal>(d)) {
        ASSERT_TRUE(s.lower < x && x < s.upper) << describe(d) << " drew " << x;
      } else {
        ASSERT_TRUE(s.lower <= x && x <= s.upper) << describe(d) << " drew " << x;
      }
    }
  }
}

// log_normal(median, factor): half the draws lie below the median and 68.27 % within
// [median / factor, median * factor]. n = 100000: binomial standard errors 0.0016 and 0.0015,
// tolerance 5 of them.
TEST(Distributions, LogNormalMedianAndFactorMeanWhatTheySay) {
  const int n = 100000;
  const LogNormal d{1e-5, 10.0};
  int below = 0, within = 0;
  for (double x : sample(d, n)) {
    below += x < 1e-5;
    within += 1e-6 < x && x < 1e-4;
  }
  const double one_sigma = std::erf(1.0 / std::numbers::sqrt2);
  EXPECT_NEAR(below / double(n), 0.5, 5.0 * std::sqrt(0.25 / n));
  EXPECT_NEAR(within / double(n), one_sigma, 5.0 * std::sqrt(one_sigma * (1 - one_sigma) / n));
}

// The draws come from RngStream's 64-bit output through the library's own transforms, not the
// implementation-defined std:: distributions, so these values are the same with every standard
// library. A change here changes every dataset drawn from a seed.
TEST(Distributions, DrawsFromASeedAreTheSameOnEveryPlatform) {
  hd::RngStream rng(2024, 3);
  EXPECT_EQ(draw(Uniform{0.0, 1.0}, rng), 0.062765098908685091);
  // within 4 ulp: std::log is not correctly rounded everywhere
  EXPECT_DOUBLE_EQ(draw(Normal{0.0, 1.0}, rng), 0.82621762301688406);
  EXPECT_DOUBLE_EQ(draw(Normal{0.0, 1.0}, rng), -2.1891057372934051);
}

TEST(Distributions, DescribeNamesTheDistributionAndItsKeys) {
  EXPECT_EQ(describe(Uniform{200.0, 600.0}), "uniform(200, 600)");
  EXPECT_EQ(describe(TruncatedNormal{300.0, 50.0, 0.0}), "truncated_normal(300, 50; 0, inf)");
  EXPECT_EQ(describe(LogNormal{1e-5, 10.0}), "log_normal(1e-05, 10)");
  EXPECT_EQ(describe(TruncatedLogNormal{0.01, 10.0, 0.0, 1.0}), "truncated_log_normal(0.01, 10; 0, 1)");
  EXPECT_EQ(describe(Fixed{3.0}), "fixed(3)");
}

// A truncation keeping 3e-5 of the mass (beyond 4 standard deviations) would take ~30000
// tries per draw: refused when drawn, not looped on.
TEST(Distributions, DrawingATruncationThatKeepsAlmostNoMassIsAnError) {
  hd::RngStream rng(1, 0);
  expect_one_line_error([&] { draw(TruncatedNormal{0.0, 1.0, 4.0}, rng); }, "keeps only 3.16");
}

// ------------------------------------------------------------------ reading from TOML

struct Read {
  hd::config::Document doc;
  explicit Read(const std::string& text) : doc(hd::config::Document::parse(text, "prior.toml")) {}
  hd::config::Table x() const { return doc.root().table("x"); }
  Distribution distribution() const { return read_distribution(x()); }
};

Distribution read(const std::string& keys) {
  Read r("[x]\n" + keys);
  Distribution d = r.distribution();
  r.doc.root().finish();
  return d;
}

TEST(ReadDistribution, ReadsEveryDistributionWithItsKeys) {
  EXPECT_EQ(describe(read("distribution = \"uniform\"\nmin = 200\nmax = 600")), "uniform(200, 600)");
  EXPECT_EQ(describe(read("distribution = \"normal\"\nmean = 300\nstd = 50")), "normal(300, 50)");
  EXPECT_EQ(describe(read("distribution = \"truncated_normal\"\nmean = 4\nstd = 2\nlower = 1\nupper = 6")),
            "truncated_normal(4, 2; 1, 6)");
  EXPECT_EQ(describe(read("distribution = \"truncated_normal\"\nmean = 0.25\nstd = 0.1\nlower = 0")),
            "truncated_normal(0.25, 0.1; 0, inf)");
  EXPECT_EQ(describe(read("distribution = \"log_normal\"\nmedian = 1e-5\nfactor = 10")),
            "log_normal(1e-05, 10)");
  EXPECT_EQ(describe(read("distribution = \"truncated_log_normal\"\nmedian = 0.01\nfactor = 10\nupper = 1")),
            "truncated_log_normal(0.01, 10; 0, 1)");
  EXPECT_EQ(describe(read("distribution = \"fixed\"\nvalue = 3")), "fixed(3)");
}

// gen_data keeps its own keys next to the distribution's: read_distribution leaves them, and
// finish() still catches a key nobody read.
TEST(ReadDistribution, LeavesOtherKeysForTheCallersFinish) {
  Read r(
      "[x]\ndistribution = \"uniform\"\nmin = 0\nmax = 1\nsets = \"thruster.magnetic_field_scale\"\nstd = "
      "2\n");
  r.distribution();
  EXPECT_EQ(r.x().get_string("sets"), "thruster.magnetic_field_scale");
  expect_one_line_error([&] { r.doc.root().finish(); }, "prior.toml:6: unknown key x.std");
}

// Bad input is one line naming file:line and the key, with what to do where useful.
TEST(ReadDistribution, BadInputIsAOneLineErrorNamingTheKey) {
  const auto error = [](const std::string& keys, const std::string& needle) {
    expect_one_line_error([&] { Read("[x]\n" + keys).distribution(); }, needle);
  };
  error("distribution = \"gaussian\"",
        "prior.toml:2: x.distribution = \"gaussian\" is not one of: uniform, normal");
  error("distribution = \"uniform\"\nmin = 2\nmax = 1",
        "prior.toml:4: x.max = 1 must be greater than min = 2");
  error("distribution = \"uniform\"\nmin = 2\nmax = 2", "x.max = 2 must be greater than min = 2");
  error("distribution = \"uniform\"\nmin = nan\nmax = 2", "x.min = nan is not a finite number");
  error("distribution = \"normal\"\nmean = 1\nstd = -1", "prior.toml:4: x.std = -1 is out of range (0, inf]");
  error("distribution = \"normal\"\nmean = 1", "missing required key x.std");
  error("distribution = \"log_normal\"\nmedian = 0\nfactor = 10", "x.median = 0 is out of range (0, inf]");
  error("distribution = \"log_normal\"\nmedian = 1\nfactor = 1", "x.factor = 1 must be greater than 1");
  error("distribution = \"truncated_normal\"\nmean = 1\nstd = 1",
        "x.distribution needs a bound lower and/or upper");
  error("distribution = \"truncated_normal\"\nmean = 1\nstd = 1\nlower = 2\nupper = 2",
        "x.upper = 2 must be greater than lower = 2");
  error("distribution = \"truncated_log_normal\"\nmedian = 1\nfactor = 2\nlower = -1",
        "x.lower = -1 is out of range");
  error("distribution = \"truncated_normal\"\nmean = 0\nstd = 1\nlower = 4",
        "prior.toml:5: x.lower = 4: truncated_normal(0, 1; 4, inf) keeps only 3.16");
  error("distribution = \"truncated_log_normal\"\nmedian = 1\nfactor = 2\nupper = 0.01",
        "x.upper = 0.01: truncated_log_normal(1, 2; 0, 0.01) keeps only");
}

}  // namespace
