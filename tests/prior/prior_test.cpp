// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/prior/prior.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/testing/errors.hpp"

#include "reference_prior.hpp"

namespace {

using namespace hd::prior;
using hd::testing::expect_one_line_error;

struct ReadPrior {
  hd::config::Document doc;
  Prior prior;
  explicit ReadPrior(const std::string& text)
      : doc(hd::config::Document::parse(text, "prior.toml")), prior(read_prior(doc.root().table("params"))) {}
};

std::vector<std::string> names(const Prior& prior) {
  std::vector<std::string> out;
  for (const Parameter& p : prior.parameters) out.push_back(p.name);
  return out;
}

TEST(Prior, ReadsEveryParameterOfTheReferencePriorInNameOrder) {
  ReadPrior r(hd::testing::kReferencePrior);
  EXPECT_NO_THROW(r.doc.root().finish());
  const std::vector<std::string> got = names(r.prior);
  ASSERT_EQ(got.size(), 15u);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(describe(r.prior.parameters[*r.prior.index_of("anom_minimum")].distribution),
            "truncated_log_normal(0.01, 10; 0, 1)");
  EXPECT_FALSE(r.prior.index_of("no_such_parameter"));
}

TEST(Prior, OrderDoesNotDependOnTheFileOrder) {
  const char* zb =
      "[params.z]\ndistribution = \"fixed\"\nvalue = 1\n[params.b]\ndistribution = \"fixed\"\nvalue = 2\n";
  const char* bz =
      "[params.b]\ndistribution = \"fixed\"\nvalue = 2\n[params.z]\ndistribution = \"fixed\"\nvalue = 1\n";
  EXPECT_EQ(names(ReadPrior(zb).prior), (std::vector<std::string>{"b", "z"}));
  EXPECT_EQ(names(ReadPrior(bz).prior), (std::vector<std::string>{"b", "z"}));
}

// Simulation k's values are a function of (seed, k) alone: visiting indices forwards,
// backwards or twice (threads, shards, restarts) gives the same values.
TEST(Prior, SimulationValuesDoNotDependOnTheOrderIndicesAreVisited) {
  const Prior prior = ReadPrior(hd::testing::kReferencePrior).prior;
  std::vector<std::vector<double>> forwards, backwards(100);
  for (std::uint64_t k = 0; k < 100; ++k) forwards.push_back(draw_parameters(prior, 7, k));
  for (std::uint64_t k = 100; k-- > 0;) backwards[k] = draw_parameters(prior, 7, k);
  EXPECT_EQ(forwards, backwards);
  EXPECT_EQ(draw_parameters(prior, 7, 42), forwards[42]);
}

// Every drawn parameter (all are continuous) differs between neighbouring indices and seeds.
TEST(Prior, DifferentIndicesAndSeedsGiveDifferentValues) {
  const Prior prior = ReadPrior(hd::testing::kReferencePrior).prior;
  const std::vector<double> base = draw_parameters(prior, 7, 0);
  for (const std::vector<double>& other : {draw_parameters(prior, 7, 1), draw_parameters(prior, 8, 0)}) {
    for (std::size_t i = 0; i < base.size(); ++i) EXPECT_NE(base[i], other[i]) << prior.parameters[i].name;
  }
}

// Each parameter has its own stream, so adding one (here sorted first, shifting every column)
// leaves the values of the others unchanged.
TEST(Prior, AddingAParameterLeavesTheOthersValuesUnchanged) {
  const Prior prior = ReadPrior(hd::testing::kReferencePrior).prior;
  const Prior extended = ReadPrior(std::string(hd::testing::kReferencePrior) +
                                   "[params.aaa_extra]\ndistribution = \"normal\"\nmean = 0\nstd = 1\n")
                             .prior;
  ASSERT_EQ(extended.parameters.size(), prior.parameters.size() + 1);
  ASSERT_EQ(extended.parameters.front().name, "aaa_extra");
  for (std::uint64_t k : {0ull, 1ull, 1000ull}) {
    const std::vector<double> a = draw_parameters(prior, 3, k);
    const std::vector<double> b = draw_parameters(extended, 3, k);
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin() + 1)) << "simulation " << k;
  }
}

TEST(Prior, DrawsLieInsideEachParametersSupport) {
  const Prior prior = ReadPrior(hd::testing::kReferencePrior).prior;
  for (std::uint64_t k = 0; k < 1000; ++k) {
    const std::vector<double> v = draw_parameters(prior, 1, k);
    for (std::size_t i = 0; i < v.size(); ++i) {
      const Interval s = support(prior.parameters[i].distribution);
      ASSERT_TRUE(s.lower <= v[i] && v[i] <= s.upper) << prior.parameters[i].name << " = " << v[i];
    }
  }
}

TEST(Prior, AParameterThatIsNotATableIsAnErrorNamingIt) {
  expect_one_line_error([] { ReadPrior("[params]\nvoltage = 300\n"); },
                        "prior.toml:2: params.voltage must be a table");
}

}  // namespace
