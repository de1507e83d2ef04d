// SPDX-License-Identifier: GPL-3.0-or-later
// Robustness over the prior (docs/validation.md): seeded draws of the reference prior, run at
// a test size (64 cells, 0.2 ms). A run may fail, but only as a result: finite outputs with
// status ok, or a status other than ok with its reason; never an exception, a crash or
// non-finite numbers reported as success.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <string>

#include "hd/hallsim/config.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

#include "reference_prior_draws.hpp"
#include "test_support.hpp"

namespace hd::hallsim {
namespace {

constexpr std::uint64_t seed = 20261201;
constexpr int draws = 50;

bool outputs_finite(const Result& r) {
  for (const auto& [name, profile] : r.average) {
    for (const double v : profile.values) {
      if (!std::isfinite(v)) return false;
    }
  }
  for (const auto& [name, scalar] : r.scalars) {
    if (!std::isfinite(scalar.value)) return false;
  }
  return !r.average.empty() && !r.scalars.empty();
}

TEST(HallsimPriorSweep, EveryDrawEndsFiniteOrWithAStatusAndReason) {
  const test::ReferencePriorDraws prior;
  std::map<std::string, int> failures;
  for (int k = 0; k < draws; ++k) {
    auto doc = test::data_setup_config(test::source_dir(),
                                       {"domain.num_cells=64", "simulation.duration_s=2e-4",
                                        "simulation.average_start_time_s=1e-4", "simulation.num_save=200"});
    prior.apply(doc, seed, static_cast<std::uint64_t>(k));
    const Config config = read_config(doc.root());
    Result r;
    ASSERT_NO_THROW({
      Simulation simulation(config);
      r = simulation.run();
    }) << "draw "
       << k;
    if (r.status == Status::ok) {
      EXPECT_TRUE(outputs_finite(r)) << "draw " << k << " reports success with non-finite outputs";
      EXPECT_TRUE(r.reason.empty()) << "draw " << k;
      continue;
    }
    EXPECT_FALSE(r.reason.empty()) << "draw " << k << " failed (" << to_string(r.status)
                                   << ") without a reason";
    std::printf("draw %d: %s: %s\n", k, to_string(r.status), r.reason.c_str());
    ++failures[to_string(r.status)];
  }
  int failed = 0;
  for (const auto& [status, count] : failures) failed += count;
  std::printf("%d of %d draws failed\n", failed, draws);
}

}  // namespace
}  // namespace hd::hallsim
