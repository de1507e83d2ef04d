// SPDX-License-Identifier: GPL-3.0-or-later
// The time loop (docs/physics.md section 0): per step
//   1. one explicit SSPRK(s,2) step of all heavy species (ARKODE ERKStep, fixed step from
//      the stability limits); at every stage the algebraic electron fields (quasineutral
//      ne, ji; Id, E, phi, ue from Ohm's law) follow the ions, with the collision
//      frequencies and Te frozen for the step;
//   2. in ARKODE's post-step callback: the fields of the new state, one implicit energy
//      step, then Te, pe, grad pe and the Te-dependent collision frequencies and rates.
// ERKStep evaluates f at the end of each step after that callback and reuses it as the
// next step's first stage, so that stage sees the updated electrons too. That evaluation
// takes the state the callback has just completed: only the ghost cells and the fields that
// the energy step and the collisions change are redone there.
#include "hd/hallsim/simulation/simulation.hpp"

#include <arkode/arkode_erkstep.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <sstream>
#include <type_traits>

#include "hd/common/error.hpp"
#include "hd/hallsim/collisions/reactions.hpp"
#include "hd/hallsim/constants.hpp"
#include "hd/hallsim/numerics/electron_energy.hpp"
#include "hd/hallsim/numerics/finite_volume.hpp"
#include "hd/hallsim/numerics/ssprk.hpp"
#include "hd/hallsim/simulation/electron_fields.hpp"
#include "hd/hallsim/simulation/heavy_species.hpp"
#include "hd/hallsim/simulation/performance.hpp"

#include "numerics/arkode_ssprk.hpp"
#include "numerics/serial_vector.hpp"

namespace hd::hallsim {

const char* to_string(Status status) {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::nonfinite:
      return "nonfinite";
    case Status::step_size_collapse:
      return "step_size_collapse";
    case Status::step_limit:
      return "step_limit";
    case Status::wall_time_limit:
      return "wall_time_limit";
    case Status::solver_error:
      return "solver_error";
  }
  return "unknown";
}

namespace {

// A quantity taken at every saved frame; its mean, standard deviation (and peak-to-peak)
// over the averaging window become scalars `<name>[_std|_p2p]<suffix>`.
struct FrameQuantity {
  const char* name;
  const char* suffix;  // lowercase unit suffix, "" when dimensionless
  const char* units;   // units attribute
  bool peak_to_peak;
  bool series;  // also stored as /series/<name><suffix>
  double (*value)(const PerformanceFrame&);
};

template <double PerformanceFrame::*member>
double frame_member(const PerformanceFrame& f) {
  return f.*member;
}

constexpr FrameQuantity frame_quantities[] = {
    {"discharge_current", "_a", "A", true, true, frame_member<&PerformanceFrame::discharge_current_a>},
    {"thrust", "_n", "N", true, true, frame_member<&PerformanceFrame::thrust_n>},
    {"ion_current", "_a", "A", false, false, frame_member<&PerformanceFrame::ion_current_a>},
    {"anode_sheath_potential", "_v", "V", false, false,
     frame_member<&PerformanceFrame::anode_sheath_potential_v>},
    {"anode_efficiency", "", "1", false, false, anode_efficiency},
    {"mass_efficiency", "", "1", false, false, mass_efficiency},
    {"current_efficiency", "", "1", false, false, current_efficiency},
    {"voltage_efficiency", "", "1", false, false, voltage_efficiency},
    {"divergence_efficiency", "", "1", false, false, divergence_efficiency},
};
constexpr std::size_t num_frame_quantities = std::size(frame_quantities);

// Running sums of the profiles over the frames in the averaging window, and every frame's
// quantities (plain members, reserved once: the step loop must not allocate).
struct Averages {
  std::vector<std::pair<std::string, std::string>> names_units;
  std::vector<std::vector<double>> sums;
  long long frames = 0;
  std::vector<double> time_s;
  std::array<std::vector<double>, num_frame_quantities> values;
};

}  // namespace

struct Simulation::Impl {
  Config config;
  Grid grid;
  Chemistry chemistry;
  FlowArea area;
  double anode_mass_flow_kg_s = 0.0;
  HeavySpecies heavy;
  ElectronFields electrons;
  std::size_t n = 0;

  // SUNDIALS handles, released in reverse order even when the constructor throws.
  struct ContextDeleter {
    void operator()(SUNContext c) const { SUNContext_Free(&c); }
  };
  struct VectorDeleter {
    void operator()(N_Vector v) const { N_VDestroy(v); }
  };
  struct IntegratorDeleter {
    void operator()(void* m) const { ERKStepFree(&m); }
  };
  std::unique_ptr<std::remove_pointer_t<SUNContext>, ContextDeleter> sundials;
  std::unique_ptr<std::remove_pointer_t<N_Vector>, VectorDeleter> y;
  std::unique_ptr<void, IntegratorDeleter> arkode;
  bool has_run = false;

  Averages averages;
  Result result;
  double dt = 0.0;                                                  // size of the step in progress (s)
  double energy_limit_s = std::numeric_limits<double>::infinity();  // from the last energy step
  bool state_finite = true;                                         // set by the post-step callback
  bool electrons_finite = true;
  // The state complete_step() has just completed, until the next rhs() call, which ERKStep
  // makes on that state, unchanged (its end-of-step evaluation); null otherwise.
  const double* completed_state = nullptr;

  explicit Impl(Config c);

  static int rhs(double t, N_Vector y, N_Vector ydot, void* self);
  static int complete_step(double t, N_Vector y, void* self);
  static int zero_error_weights(N_Vector y, N_Vector weights, void* self);
  void expand_plume();
  StabilityLimits step_limits() const;
  double choose_dt(int& small_steps) const;
  void save_frame(double t);
  void finish_averages();
  void check_outputs_finite(double t);
};

Simulation::Impl::Impl(Config c)
    : config(std::move(c)),
      grid(make_grid(config.grid, config.num_cells, 0.0, config.domain_length_m,
                     config.geometry.channel_length_m)),
      chemistry(build_chemistry(config)),
      area(channel_flow_area(grid, config.geometry)),
      heavy(config, grid, chemistry, area),
      electrons(config, grid, chemistry, area),
      n(config.num_cells) {
  SUNContext context = nullptr;
  if (SUNContext_Create(nullptr, &context) != 0) throw Error("hallsim: cannot create the SUNDIALS context");
  sundials.reset(context);
  y.reset(make_serial_vector(static_cast<sunindextype>(heavy.state_size()), context));
  if (!y) throw Error("hallsim: cannot allocate the heavy-species state");
  double* state = N_VGetArrayPointer(y.get());
  heavy.initial_state(state);
  heavy.fill_padded(state, electrons);
  electrons.initialize(heavy);
  if (config.solve_plume) expand_plume();
  arkode.reset(ERKStepCreate(&Impl::rhs, 0.0, y.get(), context));
  if (!arkode) throw Error("hallsim: cannot create the ARKODE ERKStep integrator");
  std::unique_ptr<ARKodeButcherTableMem, decltype(&ARKodeButcherTable_Free)> table(
      make_ssprk_table(config.ssp_stages), &ARKodeButcherTable_Free);
  if (!table || ERKStepSetTable(arkode.get(), table.get()) != ARK_SUCCESS ||
      ERKStepSetUserData(arkode.get(), this) != ARK_SUCCESS ||
      ERKStepSetPostprocessStepFn(arkode.get(), &Impl::complete_step) != ARK_SUCCESS ||
      ERKStepWFtolerances(arkode.get(), &Impl::zero_error_weights) != ARK_SUCCESS ||
      ERKStepSetFixedStep(arkode.get(), config.min_dt_s) != ARK_SUCCESS) {
    throw Error("hallsim: cannot configure the ARKODE ERKStep integrator");
  }
  heavy.profile_names(averages.names_units);
  electrons.profile_names(averages.names_units);
  averages.sums.assign(averages.names_units.size(), std::vector<double>(n, 0.0));
  // Frames land on the first step past each save time: at most num_save + 1 of them.
  averages.time_s.reserve(config.num_save + 2);
  for (auto& v : averages.values) v.reserve(config.num_save + 2);
  for (const Propellant& p : config.propellants) anode_mass_flow_kg_s += p.anode_mass_flow_rate_kg_s;
}

int Simulation::Impl::rhs(double, N_Vector y, N_Vector ydot, void* self) {
  auto& s = *static_cast<Impl*>(self);
  const double* state = N_VGetArrayPointer(y);
  if (state == s.completed_state) {
    s.heavy.refresh_boundaries(s.electrons);
    s.electrons.refresh_fields(s.heavy);
  } else {
    s.heavy.fill_padded(state, s.electrons);
    s.electrons.update_fields(s.heavy);
  }
  s.completed_state = nullptr;
  s.heavy.rhs(s.electrons, N_VGetArrayPointer(ydot));
  return 0;
}

// Steps are fixed, so there is no error test to weigh. Zero weights spare ARKODE the
// per-step pass that rebuilds them from tolerances, and keep its "too much accuracy
// requested" check (uround times the weighted norm of y) from reporting a blow-up before
// the non-finite test does.
int Simulation::Impl::zero_error_weights(N_Vector, N_Vector weights, void*) {
  N_VConst(0.0, weights);
  return 0;
}

// Floors on the new heavy state, then the electrons' fields, energy and collisions (step 2).
int Simulation::Impl::complete_step(double, N_Vector y, void* self) {
  auto& s = *static_cast<Impl*>(self);
  double* state = N_VGetArrayPointer(y);
  s.state_finite = s.heavy.apply_floors(state);
  if (!s.state_finite) return 0;
  s.heavy.fill_padded(state, s.electrons);
  s.electrons.update_fields(s.heavy);
  const double change = s.electrons.energy_step(s.heavy, s.dt);
  // dt_next <= dt r_max / r (a NaN change sets no limit: the finiteness check ends the run)
  s.energy_limit_s = s.config.max_energy_change > 0.0 && change > 0.0
                         ? s.dt * s.config.max_energy_change / change
                         : std::numeric_limits<double>::infinity();
  s.electrons.update_collisions();
  if (s.config.solve_plume) s.expand_plume();
  s.electrons_finite = std::isfinite(s.electrons.discharge_current_a) && std::isfinite(s.electrons.te_ev[1]);
  s.completed_state = state;
  return 0;
}

StabilityLimits Simulation::Impl::step_limits() const {
  // Every stage of SSPRK(s,2) is a forward-Euler step of dt/(s-1), so each forward-Euler
  // limit allows an s-1 times longer step.
  StabilityLimits lim = heavy.stability_limits(config.cfl, electrons);
  const double c = ssp_coefficient(config.ssp_stages);
  for (double* limit : {&lim.cfl_s, &lim.ionization_s, &lim.field_s}) *limit *= c;
  return lim;
}

double Simulation::Impl::choose_dt(int& small_steps) const {
  const StabilityLimits lim = step_limits();
  double dt = std::min({lim.cfl_s, lim.ionization_s, lim.field_s, energy_limit_s, config.max_dt_s});
  if (dt <= config.min_dt_s) {
    ++small_steps;
    dt = config.min_dt_s;
  } else {
    small_steps = 0;
  }
  return dt;
}

// The plume follows the ions once per step (docs/physics.md section 0, step 3).
void Simulation::Impl::expand_plume() {
  const std::size_t exit = exit_node(grid, config.geometry.channel_length_m);
  hallsim::expand_plume(grid, config.geometry,
                        {electrons.te_ev[exit], electrons.ion_mass_kg[exit], electrons.ion_velocity_m_s},
                        area);
}

void Simulation::Impl::save_frame(double t) {
  auto& av = averages;
  const double tan_exit = area.exit_tan_divergence;
  const double thrust = heavy.thrust_n();
  const PerformanceFrame frame{
      electrons.discharge_current_a,
      config.discharge_voltage_v,
      anode_mass_flow_kg_s,
      config.thrust_divergence_correction ? divergence_corrected_thrust_n(thrust, tan_exit) : thrust,
      heavy.ion_current_a(),
      heavy.ion_mass_flow_kg_s(),
      heavy.singly_charged_energy_ev(),
      tan_exit,
      electrons.anode_sheath_potential_v};
  av.time_s.push_back(t);
  for (std::size_t q = 0; q < num_frame_quantities; ++q)
    av.values[q].push_back(frame_quantities[q].value(frame));
  if (t + 1e-15 < config.average_start_time_s) return;
  std::size_t k = heavy.accumulate_profiles(av.sums, 0);
  electrons.accumulate_profiles(av.sums, k);
  ++av.frames;
}

void Simulation::Impl::finish_averages() {
  auto& av = averages;
  const double frames = static_cast<double>(std::max<long long>(av.frames, 1));
  for (std::size_t k = 0; k < av.names_units.size(); ++k) {
    Dataset p{av.names_units[k].second, std::move(av.sums[k])};
    for (double& v : p.values) v /= frames;
    result.average.emplace(av.names_units[k].first, std::move(p));
  }
  result.series.emplace("time_s", Dataset{"s", av.time_s});
  // Statistics over the frames inside the averaging window.
  for (std::size_t q = 0; q < num_frame_quantities; ++q) {
    const FrameQuantity& quantity = frame_quantities[q];
    const std::vector<double>& values = av.values[q];
    double sum = 0.0, sum2 = 0.0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
    long long count = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (av.time_s[i] + 1e-15 < config.average_start_time_s) continue;
      sum += values[i];
      sum2 += values[i] * values[i];
      lo = std::min(lo, values[i]);
      hi = std::max(hi, values[i]);
      ++count;
    }
    const double c = static_cast<double>(std::max<long long>(count, 1));
    const double mean = sum / c;
    const std::string name = quantity.name;
    result.scalars.emplace(name + quantity.suffix, Scalar{quantity.units, mean});
    result.scalars.emplace(name + "_std" + quantity.suffix,
                           Scalar{quantity.units, std::sqrt(std::max(0.0, sum2 / c - mean * mean))});
    if (quantity.peak_to_peak) {
      result.scalars.emplace(name + "_p2p" + quantity.suffix,
                             Scalar{quantity.units, count > 0 ? hi - lo : 0.0});
    }
    if (quantity.series) result.series.emplace(name + quantity.suffix, Dataset{quantity.units, values});
  }
}

// A run is never a success with non-finite outputs: a NaN that reached an average (e.g.
// through a velocity of a floored, empty cell) becomes the failure it is.
void Simulation::Impl::check_outputs_finite(double t) {
  std::string what;
  for (const auto& [name, profile] : result.average) {
    for (const double v : profile.values) {
      if (!std::isfinite(v)) what = "/average/" + name;
    }
  }
  for (const auto& [name, scalar] : result.scalars) {
    if (!std::isfinite(scalar.value)) what = "/scalars/" + name;
  }
  if (what.empty()) return;
  result.status = Status::nonfinite;
  std::ostringstream msg;
  msg << "non-finite output " << what << " at the end of the run (t = " << t << " s)";
  result.reason = msg.str();
}

Simulation::Simulation(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Simulation::~Simulation() = default;

Result Simulation::run(const std::function<void(double)>& on_progress) {
  auto& s = *impl_;
  if (s.has_run) throw Error("hallsim: a Simulation runs once; build a new one for another run");
  s.has_run = true;
  const Config& cfg = s.config;
  Result& r = s.result;
  r.z_m.assign(s.grid.z_node_m.begin() + 1, s.grid.z_node_m.end() - 1);
  const auto start = std::chrono::steady_clock::now();
  const double save_interval = cfg.duration_s / static_cast<double>(cfg.num_save);
  double t = 0.0, next_save = 0.0;
  int small_steps = 0;
  const auto fail = [&](Status status, const std::string& why) {
    r.status = status;
    std::ostringstream msg;
    msg << why << " at t = " << t << " s after " << r.steps << " steps";
    r.reason = msg.str();
  };
  while (t < cfg.duration_s * (1.0 - 1e-12)) {
    if (t >= next_save - 1e-15) {
      s.save_frame(t);
      next_save += save_interval;
    }
    const double dt = std::min(s.choose_dt(small_steps), cfg.duration_s - t);
    if (small_steps > cfg.max_small_steps) {
      fail(Status::step_size_collapse,
           "time step stuck at min_dt_s for " + std::to_string(small_steps) + " steps");
      break;
    }
    s.dt = dt;
    ERKStepSetFixedStep(s.arkode.get(), dt);
    double t_reached = t;
    const int flag = ERKStepEvolve(s.arkode.get(), t + dt, s.y.get(), &t_reached, ARK_ONE_STEP);
    if (flag < 0) {
      fail(Status::solver_error, std::string("ARKODE ERKStep failed with flag ") + std::to_string(flag));
      break;
    }
    t = t_reached;
    ++r.steps;
    if (!s.state_finite) {
      fail(Status::nonfinite, "non-finite heavy-species state");
      break;
    }
    if (!s.electrons_finite) {
      fail(Status::nonfinite, "non-finite electron state");
      break;
    }
    if (r.steps % 2048 == 0) {
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (wall > cfg.max_wall_time_s) {
        fail(Status::wall_time_limit,
             "wall time limit of " + std::to_string(cfg.max_wall_time_s) + " s reached");
        break;
      }
      if (on_progress) on_progress(t);
    }
    if (r.steps >= cfg.max_steps) {
      fail(Status::step_limit, "step limit of " + std::to_string(cfg.max_steps) + " reached");
      break;
    }
  }
  if (r.status == Status::ok) s.save_frame(t);
  s.finish_averages();
  if (r.status == Status::ok) s.check_outputs_finite(t);
  r.end_time_s = t;
  r.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (on_progress) on_progress(t);
  return std::move(r);
}

}  // namespace hd::hallsim
