// SPDX-License-Identifier: GPL-3.0-or-later
// Time-step study for docs/numerics.md: LANDMARK case 1 at several CFL numbers, SSPRK
// stage counts and both energy theta-schemes, each compared with a small-step reference run
// (CFL 0.1, SSPRK22, backward Euler). Prints steps, wall time and the relative L2
// differences of the time-averaged ne, Te and E profiles and of the mean discharge current.
//   hallsim_timestep_study [CONFIG]        (from the source root)
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

namespace {

double relative_l2(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0.0, n = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    d += (a[i] - b[i]) * (a[i] - b[i]);
    n += b[i] * b[i];
  }
  return std::sqrt(d / n);
}

struct Case {
  double cfl;
  int stages;
  double theta;
};

hd::hallsim::Result run(const std::string& config, const Case& c) {
  const auto doc = hd::config::Document::load(
      config, {"numerics.cfl=" + std::to_string(c.cfl), "numerics.ssp_stages=" + std::to_string(c.stages),
               "numerics.implicit_energy_theta=" + std::to_string(c.theta)});
  hd::hallsim::Simulation simulation(hd::hallsim::read_config(doc.root()));
  return simulation.run();
}

}  // namespace

int main(int argc, char** argv) {
  const std::string config = argc > 1 ? argv[1] : "configs/hallsim/landmark_case1.toml";
  const hd::hallsim::Result reference = run(config, {0.1, 2, 1.0});
  std::printf("reference: CFL 0.1, SSPRK22, theta 1: %lld steps, %.1f s, Id %.4f A\n", reference.steps,
              reference.wall_time_s, reference.scalars.at("discharge_current_a").value);
  std::printf(
      "| CFL | stages | theta | steps | wall (s) | Id (A) | dId | ne L2 | Te L2 | E L2 "
      "|\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const Case& c : std::vector<Case>{{0.25, 2, 1.0},
                                         {0.5, 2, 1.0},
                                         {0.5, 2, 0.5},
                                         {0.799, 2, 1.0},
                                         {0.5, 3, 1.0},
                                         {0.5, 4, 1.0},
                                         {0.5, 6, 1.0},
                                         {0.5, 8, 1.0},
                                         {0.5, 10, 1.0},
                                         {0.5, 12, 1.0},
                                         {0.6, 5, 1.0},
                                         {0.7, 5, 1.0},
                                         {0.799, 4, 1.0},
                                         {0.799, 8, 1.0}}) {
    const hd::hallsim::Result r = run(config, c);
    if (r.status != hd::hallsim::Status::ok) {
      std::printf("| %.3g | %d | %.1f | failed: %s |\n", c.cfl, c.stages, c.theta, r.reason.c_str());
      continue;
    }
    const double id = r.scalars.at("discharge_current_a").value,
                 id_ref = reference.scalars.at("discharge_current_a").value;
    std::printf("| %.3g | %d | %.1f | %lld | %.1f | %.4f | %+.2e | %.2e | %.2e | %.2e |\n", c.cfl, c.stages,
                c.theta, r.steps, r.wall_time_s, id, (id - id_ref) / id_ref,
                relative_l2(r.average.at("ne").values, reference.average.at("ne").values),
                relative_l2(r.average.at("Tev").values, reference.average.at("Tev").values),
                relative_l2(r.average.at("E").values, reference.average.at("E").values));
    std::fflush(stdout);
  }
  return 0;
}
