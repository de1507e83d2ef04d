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

// One output dataset: values with their units.
struct Dataset {
  std::string units;
  std::vector<double> values;
};

struct Scalar {
  std::string units;
  double value = 0.0;
};

// Names follow docs/hallsim.md: profiles keep the reference code's short symbols (ne, ni_1,
// Tev, ...), scalars and series are snake_case with a lowercase unit suffix
// (discharge_current_a, thrust_std_n, anode_efficiency).
struct Result {
  Status status = Status::ok;
  std::string reason;  // empty when ok; otherwise what failed, where and when
  double end_time_s = 0.0;
  long long steps = 0;
  double wall_time_s = 0.0;
  std::vector<double> z_m;                 // cell centres
  std::map<std::string, Dataset> average;  // time-averaged profiles, one value per cell
  std::map<std::string, Scalar> scalars;   // statistics over the averaging window
  std::map<std::string, Dataset> series;   // one value per saved frame: time_s, discharge_current_a, thrust_n
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
