// SPDX-License-Identifier: GPL-3.0-or-later
// Wall seconds per simulated millisecond (counter s_per_ms), on one core, from the initial
// state: LANDMARK case 1 (configs/hallsim/landmark_case1.toml) for 0.5 ms at 100 and 200
// cells, and the SPT-100 baseline (configs/hallsim/spt100.toml: 128 cells, Xe up to 3+,
// plume, ingestion) for 1 ms as shipped.
//   bench_hallsim --benchmark_counters_tabular=true      (from the source root)
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "hd/common/config.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

namespace {

std::filesystem::path shipped(const std::string& name) {
  const char* dir = std::getenv("HD_SOURCE_DIR");
  const std::filesystem::path root = dir != nullptr ? dir : std::filesystem::current_path();
  return root / "configs" / "hallsim" / name;
}

void run(benchmark::State& state, const hd::hallsim::Config& config) {
  const double simulated_s = config.duration_s;
  double wall_s = 0.0;
  long long steps = 0;
  for (auto _ : state) {
    hd::hallsim::Simulation simulation(config);
    const hd::hallsim::Result result = simulation.run();
    if (result.status != hd::hallsim::Status::ok) state.SkipWithError(result.reason.c_str());
    wall_s += result.wall_time_s;
    steps += result.steps;
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["s_per_ms"] = wall_s / runs / (simulated_s * 1e3);
  state.counters["us_per_step"] = 1e6 * wall_s / static_cast<double>(steps);
  state.counters["steps_per_ms"] = static_cast<double>(steps) / runs / (simulated_s * 1e3);
}

void landmark_case1(benchmark::State& state) {
  const auto doc =
      hd::config::Document::load(shipped("landmark_case1.toml"),
                                 {"domain.num_cells=" + std::to_string(state.range(0)),
                                  "simulation.duration_s=0.5e-3", "simulation.average_start_time_s=0.0"});
  run(state, hd::hallsim::read_config(doc.root()));
}

void spt100_baseline(benchmark::State& state) {
  const auto doc = hd::config::Document::load(shipped("spt100.toml"));
  run(state, hd::hallsim::read_config(doc.root()));
}

BENCHMARK(landmark_case1)->Arg(100)->Arg(200)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();
BENCHMARK(spt100_baseline)->Iterations(1)->Unit(benchmark::kSecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
