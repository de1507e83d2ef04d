// SPDX-License-Identifier: GPL-3.0-or-later
// The step loop allocates nothing: this executable counts every operator new, and the
// count must not move between two progress callbacks (2048 steps apart, frames included).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <vector>

#include "hd/hallsim/simulation/simulation.hpp"

#include "test_support.hpp"

namespace {
std::atomic<long long> allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace hd::hallsim {
namespace {

// Allocation counts between consecutive progress callbacks, which come every 2048 steps and
// once more after the loop (the averages are assembled then, which allocates).
void expect_no_allocation_in_the_step_loop(const Config& config) {
  Simulation simulation(config);
  std::vector<long long> counts;
  counts.reserve(64);
  const Result r = simulation.run([&](double) { counts.push_back(allocations.load()); });
  ASSERT_EQ(r.status, Status::ok) << r.reason;
  ASSERT_GE(counts.size(), 3u) << r.steps << " steps";
  for (std::size_t k = 1; k + 1 < counts.size(); ++k) {
    EXPECT_EQ(counts[k], counts[k - 1]) << "allocations between progress callbacks " << k - 1 << " and " << k;
  }
}

TEST(HallsimAllocation, StepLoopAllocatesNothing) {
  expect_no_allocation_in_the_step_loop(test::shipped_config(
      "landmark_case1.toml",
      {"domain.num_cells=100", "simulation.duration_s=5e-4", "simulation.average_start_time_s=1e-4"}));
}

// The general path: three charge states, lookup rates, plume, ingestion, pressure shift,
// the linearized wall loss and the energy step limit.
TEST(HallsimAllocation, SptBaselineStepLoopAllocatesNothing) {
  expect_no_allocation_in_the_step_loop(test::shipped_config(
      "spt100.toml", {"simulation.duration_s=4e-4", "simulation.average_start_time_s=1e-4"}));
}

}  // namespace
}  // namespace hd::hallsim
