// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/normalize/outlier_filter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/testing/errors.hpp"

namespace hd::normalize {
namespace {

constexpr std::size_t L = 4;
const std::vector<std::string> kChannels{"B", "nu_an", "phi"};

// Fields are float32: the closest float on each side of a threshold is the tightest
// "just passes" / "just fails" pair the data can hold.
float float_below(double limit) {
  float f = static_cast<float>(limit);
  return f < limit ? f : std::nextafter(f, -std::numeric_limits<float>::infinity());
}
float float_at_or_above(double limit) {
  float f = static_cast<float>(limit);
  return f >= limit ? f : std::nextafter(f, std::numeric_limits<float>::infinity());
}
double double_above(double limit) {
  return std::nextafter(limit, std::numeric_limits<double>::infinity());
}

// A plausible SPT-100 simulation at 300 V that every rule keeps.
struct Simulation {
  std::vector<float> fields{0.01f, 0.02f, 0.015f, 0.005f,  // B
                            1e5f,  1e7f,  1e8f,   1e6f,    // nu_an
                            300.f, 200.f, 50.f,   -10.f};  // phi
  std::vector<double> scalars{5.0, 0.08};
  std::vector<double> params{300.0, 5e-6};
  double discharge_voltage_v = 300.0, discharge_current_a = 5.0, thrust_n = 0.08;

  std::span<float> channel(std::size_t c) { return std::span(fields).subspan(c * L, L); }
  SimulationView view() const {
    return {fields, discharge_voltage_v, discharge_current_a, thrust_n, scalars, params};
  }
};

const OutlierFilter& filter() {
  static const OutlierFilter f(OutlierThresholds{}, kChannels);
  return f;
}

std::string reason_of(const Simulation& s) {
  const auto rejection = filter().check(s.view());
  return rejection ? std::string(reason_code(rejection->reason)) : "kept";
}

TEST(OutlierFilter, KeepsAPlausibleSimulation) {
  EXPECT_EQ(reason_of(Simulation{}), "kept");
}

TEST(OutlierFilter, MeanDischargeCurrentAbove150A) {
  Simulation s;
  s.discharge_current_a = 150.0;
  EXPECT_EQ(reason_of(s), "kept");
  s.discharge_current_a = double_above(150.0);
  EXPECT_EQ(reason_of(s), "discharge_current");
}

TEST(OutlierFilter, MeanThrustAbove10N) {
  Simulation s;
  s.thrust_n = 10.0;
  EXPECT_EQ(reason_of(s), "kept");
  s.thrust_n = double_above(10.0);
  EXPECT_EQ(reason_of(s), "thrust");
}

TEST(OutlierFilter, MinimumPotentialBelowMinusHalfTheDischargeVoltage) {
  Simulation s;
  s.channel(2)[3] = -150.0f;  // |min phi| = 0.5 Vd
  EXPECT_EQ(reason_of(s), "kept");
  s.channel(2)[3] = -std::nextafter(150.0f, 200.0f);
  EXPECT_EQ(reason_of(s), "potential_min");
}

TEST(OutlierFilter, PotentialAboveOneAndAHalfDischargeVoltages) {
  Simulation s;
  s.channel(2)[1] = 450.0f;  // max |phi| = 1.5 Vd
  EXPECT_EQ(reason_of(s), "kept");
  s.channel(2)[1] = std::nextafter(450.0f, 500.0f);
  EXPECT_EQ(reason_of(s), "potential_max");
}

TEST(OutlierFilter, MaximumAnomalousFrequencyStrictlyInside1e6To1e11) {
  Simulation s;
  auto nu_an = s.channel(1);
  nu_an[0] = float_below(1e11);
  EXPECT_EQ(reason_of(s), "kept");
  nu_an[0] = float_at_or_above(1e11);
  EXPECT_EQ(reason_of(s), "nu_an_max");
  // A profile whose largest value is at or just above the lower end of the range.
  for (float& v : nu_an) v = 1e5f;
  nu_an[2] = std::nextafter(1e6f, 2e6f);
  EXPECT_EQ(reason_of(s), "kept");
  nu_an[2] = 1e6f;
  EXPECT_EQ(reason_of(s), "nu_an_max");
}

TEST(OutlierFilter, MinimumAnomalousFrequencyStrictlyInside1e4To1e9) {
  Simulation s;
  auto nu_an = s.channel(1);
  nu_an[0] = std::nextafter(1e4f, 2e4f);
  EXPECT_EQ(reason_of(s), "kept");
  nu_an[0] = 1e4f;
  EXPECT_EQ(reason_of(s), "nu_an_min");
  // A flat profile at the top of the minimum's range (inside the maximum's range).
  for (float& v : nu_an) v = 1e10f;
  nu_an[3] = std::nextafter(1e9f, 0.0f);
  EXPECT_EQ(reason_of(s), "kept");
  nu_an[3] = 1e9f;
  EXPECT_EQ(reason_of(s), "nu_an_min");
}

TEST(OutlierFilter, AnyNonFiniteValueIsRejectedFirst) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  Simulation s;
  s.channel(1)[2] = static_cast<float>(nan);
  s.discharge_current_a = 1e3;  // would also fail its own rule: non-finite wins
  const auto rejection = filter().check(s.view());
  ASSERT_TRUE(rejection);
  EXPECT_EQ(reason_code(rejection->reason), "nonfinite");
  EXPECT_NE(rejection->detail.find("nu_an at cell 2"), std::string::npos) << rejection->detail;
  for (auto spoil : std::vector<void (*)(Simulation&, double)>{
           [](Simulation&t, double x) { t.scalars[1] = x; }, [](Simulation&t, double x) { t.params[0] = x; },
           [](Simulation&t, double x) { t.thrust_n = x; },
           [](Simulation&t, double x) { t.discharge_voltage_v = x; },
           [](Simulation&t, double x) { t.channel(0)[0] = static_cast<float>(x); }}) {
    for (double bad : {nan, inf, -inf}) {
      Simulation t;
      spoil(t, bad);
      EXPECT_EQ(reason_of(t), "nonfinite");
    }
  }
}

TEST(OutlierFilter, AMissingChannelIsAnErrorAtConstruction) {
  testing::expect_one_line_error([] { OutlierFilter({}, {"B", "nu_an"}); }, "`phi`");
  testing::expect_one_line_error([] { OutlierFilter({}, {"B", "phi"}); }, "`nu_an`");
}

TEST(OutlierFilter, FieldsThatAreNotCTimesLAreAnError) {
  Simulation s;
  s.fields.pop_back();
  testing::expect_one_line_error([&] { filter().check(s.view()); }, "11 field values");
}

TEST(OutlierFilter, ReasonCodesAreStable) {
  std::vector<std::string> codes;
  for (std::size_t r = 0; r < kNumReasons; ++r) codes.emplace_back(reason_code(static_cast<Reason>(r)));
  EXPECT_EQ(codes, (std::vector<std::string>{"nonfinite", "discharge_current", "thrust", "potential_min",
                                             "potential_max", "nu_an_max", "nu_an_min"}));
}

TEST(OutlierThresholds, EveryKeyDefaultsToTheReferenceValue) {
  const auto doc = config::Document::parse("[outlier_filter]\n", "defaults.toml");
  const OutlierThresholds th = read_outlier_thresholds(doc.root().table("outlier_filter"));
  EXPECT_EQ(th.discharge_current_limit_a, 150.0);
  EXPECT_EQ(th.thrust_limit_n, 10.0);
  EXPECT_EQ(th.potential_min_limit_vd, 0.5);
  EXPECT_EQ(th.potential_max_limit_vd, 1.5);
  EXPECT_EQ(th.nu_an_max_range_hz, (std::array<double, 2>{1e6, 1e11}));
  EXPECT_EQ(th.nu_an_min_range_hz, (std::array<double, 2>{1e4, 1e9}));
  // The defaults are written into the resolved config, so a run records what it used.
  EXPECT_NE(doc.to_toml().find("nu_an_min_range_hz"), std::string::npos);
}

TEST(OutlierThresholds, ConfiguredValuesChangeTheRules) {
  const auto doc = config::Document::parse(
      "[outlier_filter]\ndischarge_current_limit_a = 20.0\nnu_an_max_range_hz = [1e5, 1e12]\n",
      "custom.toml");
  const OutlierFilter custom(read_outlier_thresholds(doc.root().table("outlier_filter")), kChannels);
  Simulation s;
  s.discharge_current_a = 21.0;
  EXPECT_EQ(reason_code(custom.check(s.view())->reason), "discharge_current");
  s.discharge_current_a = 5.0;
  s.channel(1)[0] = 5e11f;
  EXPECT_FALSE(custom.check(s.view()));
}

TEST(OutlierThresholds, BadValuesNameTheKey) {
  const auto read = [](const char* toml) {
    const auto doc = config::Document::parse(std::string("[outlier_filter]\n") + toml, "bad.toml");
    read_outlier_thresholds(doc.root().table("outlier_filter"));
    doc.root().finish();
  };
  testing::expect_one_line_error([&] { read("nu_an_min_range_hz = [1e9, 1e4]\n"); },
                                 "bad.toml:2: outlier_filter.nu_an_min_range_hz");
  testing::expect_one_line_error([&] { read("nu_an_max_range_hz = [1e6]\n"); }, "nu_an_max_range_hz");
  testing::expect_one_line_error([&] { read("thrust_limit_n = -1.0\n"); }, "thrust_limit_n");
  testing::expect_one_line_error([&] { read("thrust_limit = 1.0\n"); }, "thrust_limit");
}

TEST(RejectionTally, CountsKeptAndEachReason) {
  RejectionTally a, b;
  EXPECT_EQ(a.summary(), "kept 0, rejected: none");
  a.record(std::nullopt);
  a.record(Rejection{Reason::potential_max, ""});
  b.record(Rejection{Reason::nonfinite, ""});
  b.record(Rejection{Reason::potential_max, ""});
  b.record(std::nullopt);
  a.merge(b);
  EXPECT_EQ(a.kept(), 2);
  EXPECT_EQ(a.rejected(Reason::potential_max), 2);
  EXPECT_EQ(a.rejected_total(), 3);
  EXPECT_EQ(a.summary(), "kept 2, rejected: nonfinite 1, potential_max 2");
}

}  // namespace
}  // namespace hd::normalize
