// SPDX-License-Identifier: GPL-3.0-or-later
// Robustness over the reference prior at full size (docs/validation.md): seeded draws set on
// the data-generation setup (tests/hallsim/reference_prior_draws.hpp), each run to the end,
// then the failure rate and every failure's status and reason, the parameters of the failed
// draws, and the wall time per run.
//   hallsim_prior_sweep [DRAWS [FIRST [CELLS [DURATION_S [KEY=VALUE | retry:KEY=VALUE ...]]]]]
// from the source root; default 200 0 128 1e-3; KEY=VALUE are `--set` overrides for studies,
// retry:KEY=VALUE the numerics of one more attempt after a numerical failure, as a data
// config's simulation.retry_overrides (through the same datagen::simulate).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "hd/datagen/factory.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

#include "hallsim/reference_prior_draws.hpp"

namespace {

constexpr std::uint64_t seed = 20261201;

std::filesystem::path source_dir() {
  const char* dir = std::getenv("HD_SOURCE_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::current_path();
}

}  // namespace

int main(int argc, char** argv) {
  const int draws = argc > 1 ? std::atoi(argv[1]) : 200;
  const int first = argc > 2 ? std::atoi(argv[2]) : 0;
  const std::string cells = argc > 3 ? argv[3] : "128";
  const std::string duration = argc > 4 ? argv[4] : "1e-3";
  const double duration_s = std::stod(duration);
  std::vector<std::string> settings;
  // Only the retry numerics of a data config matter to datagen::simulate.
  hd::datagen::DataConfig retry;
  for (int i = 5; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.starts_with("retry:"))
      retry.retry_overrides.push_back({a.substr(6), "the command line"});
    else
      settings.push_back(a);
  }
  const hd::hallsim::test::ReferencePriorDraws prior;
  std::map<std::string, int> failures;
  int retried = 0;
  std::vector<double> wall;
  std::printf("draws %d..%d, %s cells, %s s, seed %llu\n", first, first + draws - 1, cells.c_str(),
              duration.c_str(), static_cast<unsigned long long>(seed));
  for (int k = first; k < first + draws; ++k) {
    std::vector<std::string> overrides{"domain.num_cells=" + cells, "simulation.duration_s=" + duration,
                                       "simulation.average_start_time_s=" + std::to_string(0.5 * duration_s)};
    overrides.insert(overrides.end(), settings.begin(), settings.end());
    std::vector<std::pair<std::string, double>> drawn;
    const auto start = std::chrono::steady_clock::now();
    const hd::hallsim::Result r = hd::datagen::simulate(retry, [&](hd::datagen::Attempt attempt) {
      auto doc = hd::hallsim::test::data_setup_config(source_dir(), overrides);
      drawn = prior.apply(doc, seed, static_cast<std::uint64_t>(k));
      hd::datagen::apply_attempt(retry, attempt, doc);
      return hd::hallsim::read_config(doc.root());
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    wall.push_back(seconds);
    if (r.status == hd::hallsim::Status::ok) {
      std::printf("draw %3d: ok in %.2f s, %lld steps, Id %.3g A, thrust %.3g mN\n", k, seconds, r.steps,
                  r.scalars.at("discharge_current_a").value, 1e3 * r.scalars.at("thrust_n").value);
      if (!r.reason.empty()) {
        ++retried;
        std::printf("   %s\n", r.reason.c_str());
      }
    } else {
      ++failures[hd::hallsim::to_string(r.status)];
      std::printf("draw %3d: FAILED %s: %s\n   ", k, hd::hallsim::to_string(r.status), r.reason.c_str());
      for (const auto& [name, value] : drawn) {
        if (name.rfind("anom_", 0) != 0 || name == "anom_shift_scale")
          std::printf(" %s=%.4g", name.c_str(), value);
      }
      std::printf("\n");
    }
    std::fflush(stdout);
  }
  int failed = 0;
  for (const auto& [status, count] : failures) failed += count;
  std::sort(wall.begin(), wall.end());
  double total = 0.0;
  for (const double w : wall) total += w;
  std::printf("\n%d of %d draws failed (%.1f %%)", failed, draws, 100.0 * failed / draws);
  if (!retry.retry_overrides.empty()) std::printf(", %d ok on a retry", retried);
  std::printf("\n");
  for (const auto& [status, count] : failures) std::printf("  %s: %d\n", status.c_str(), count);
  std::printf("wall time per run: median %.2f s, max %.2f s, total %.0f s\n", wall[wall.size() / 2],
              wall.back(), total);
  return 0;
}
