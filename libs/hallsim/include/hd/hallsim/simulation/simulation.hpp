// SPDX-License-Identifier: GPL-3.0-or-later
// One time-dependent simulation from a Config: heavy species advanced explicitly by ARKODE
// (ERKStep, SSPRK(s,2), fixed step chosen from the CFL/ionization/field limits) with Ohm's
// law solved at every stage, then one implicit energy step and the collision frequencies
// (docs/numerics.md). The plasma oscillates, so profiles are time-averaged over
// [average_start_time_s, duration_s].
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hd/hallsim/config.hpp"

namespace hd::hallsim {

enum class Status { ok, nonfinite, step_size_collapse, step_limit, wall_time_limit, solver_error };
const char* to_string(Status status);

struct Profile {
  std::string units;
  std::vector<double> values;  // one per cell
};

struct Result {
  Status status = Status::ok;
  std::string reason;  // empty when ok; otherwise what failed, where and when
  double end_time_s = 0.0;
  long long steps = 0;
  double wall_time_s = 0.0;
  std::vector<double> z_m;                                    // cell centres
  std::map<std::string, Profile> average;                     // time-averaged profiles
  std::map<std::string, double> scalars;                      // discharge_current_A, thrust_N, ...
  std::vector<double> time_s, discharge_current_a, thrust_n;  // saved frames
};

// Limits a stable step must respect at the current state (s); the step taken is
// min(all) clamped to [min_dt, max_dt]. HeavySpecies reports the forward-Euler limits
// below; a step of SSPRK(s,2) may be s-1 times longer.
struct StabilityLimits {
  double cfl_s = 0.0;         // CFL * min dz / (|u| + a)
  double ionization_s = 0.0;  // CFL * min rho / rho_dot_iz
  double field_s = 0.0;       // sqrt(CFL) sqrt(min dz m / (Z e |E|))
};

class Simulation {
 public:
  explicit Simulation(Config config);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Runs to config.duration_s, once (a second call is an hd::Error). `on_progress(t_s)` is
  // called now and then.
  Result run(const std::function<void(double)>& on_progress = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hd::hallsim
