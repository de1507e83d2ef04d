// SPDX-License-Identifier: GPL-3.0-or-later
// Failure is a result: a simulation that cannot continue returns a status and a reason.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "hd/hallsim/simulation/simulation.hpp"

#include "test_support.hpp"

namespace hd::hallsim {
namespace {

Result run_case1(std::vector<std::string> overrides) {
  overrides.push_back("domain.num_cells=40");
  Simulation simulation(test::shipped_config("landmark_case1.toml", overrides));
  return simulation.run();
}

TEST(HallsimStatus, StepLimitIsReportedWithItsReason) {
  const Result r = run_case1({"simulation.max_steps=25"});
  EXPECT_EQ(r.status, Status::step_limit);
  EXPECT_EQ(r.steps, 25);
  EXPECT_NE(r.reason.find("step limit"), std::string::npos) << r.reason;
}

// The wall clock is checked every 2048 steps, so a tiny limit ends the run there.
TEST(HallsimStatus, WallTimeLimitIsReportedWithItsReason) {
  const Result r = run_case1({"simulation.max_wall_time_s=1e-9"});
  EXPECT_EQ(r.status, Status::wall_time_limit);
  EXPECT_EQ(r.steps, 2048);
  EXPECT_NE(r.reason.find("wall time"), std::string::npos) << r.reason;
}

// A minimum step equal to the largest: every step is "too small", so the run stops.
TEST(HallsimStatus, StepSizeCollapseIsReported) {
  const Result r = run_case1({"numerics.min_dt_s=1e-7", "numerics.max_small_steps=3"});
  EXPECT_EQ(r.status, Status::step_size_collapse);
  EXPECT_NE(r.reason.find("min_dt_s"), std::string::npos) << r.reason;
}

// Forcing steps 100x above the CFL limit makes the explicit scheme blow up; the run ends
// with a status instead of a crash or an exception.
TEST(HallsimStatus, BlowUpEndsAsNonfiniteNotAsACrash) {
  const Result r = run_case1({"numerics.min_dt_s=1e-6", "numerics.max_small_steps=1000000"});
  EXPECT_EQ(r.status, Status::nonfinite);
  EXPECT_NE(r.reason.find("non-finite"), std::string::npos) << r.reason;
  EXPECT_LT(r.steps, 1000000);
}

TEST(HallsimStatus, ShortRunIsOkAndFillsEveryOutput) {
  const Result r = run_case1({"simulation.duration_s=2e-5", "simulation.average_start_time_s=1e-5"});
  ASSERT_EQ(r.status, Status::ok) << r.reason;
  EXPECT_EQ(r.z_m.size(), 40u);
  for (const char* field : {"nn", "ne", "ni_1", "ui_1", "ue", "Tev", "phi", "E", "nu_an", "nu_e", "B", "pe",
                            "grad_pe", "ionization_rate"}) {
    ASSERT_TRUE(r.average.count(field)) << field;
    EXPECT_EQ(r.average.at(field).values.size(), 40u) << field;
  }
  for (const char* scalar :
       {"discharge_current_a", "discharge_current_std_a", "discharge_current_p2p_a", "thrust_n",
        "thrust_std_n", "thrust_p2p_n", "ion_current_a", "ion_current_std_a", "anode_sheath_potential_v",
        "anode_efficiency", "anode_efficiency_std", "mass_efficiency", "current_efficiency",
        "voltage_efficiency", "divergence_efficiency"}) {
    EXPECT_TRUE(r.scalars.count(scalar)) << scalar;
  }
  EXPECT_EQ(r.scalars.at("discharge_current_a").units, "A");
  EXPECT_EQ(r.scalars.at("thrust_std_n").units, "N");
  EXPECT_EQ(r.scalars.at("anode_efficiency").units, "1");
  const auto& time = r.series.at("time_s").values;
  EXPECT_GT(time.size(), 100u);
  EXPECT_EQ(time.size(), r.series.at("discharge_current_a").values.size());
  EXPECT_EQ(time.size(), r.series.at("thrust_n").values.size());
}

// The general (non-LANDMARK) path of the SPT-100 baseline: tabulated rates for every
// Xe^{r+} -> Xe^{p+} reaction, excitation, elastic and Coulomb collisions, Mitchner
// conductivity, the pressure-shifted GaussianBohm, a field from CSV, the anode sheath, ingestion
// and plume expansion. A short run must stay finite and populate all three charge states, with
// the multiply charged ions rarer (their production needs higher thresholds).
TEST(HallsimGeneralModel, SptBaselineRunsAndFillsEveryChargeStateAndOutput) {
  Simulation simulation(test::shipped_config(
      "spt100.toml",
      {"domain.num_cells=48", "simulation.duration_s=1e-4", "simulation.average_start_time_s=5e-5"}));
  const Result r = simulation.run();
  ASSERT_EQ(r.status, Status::ok) << r.reason;
  const auto peak = [&](const char* f) {
    const auto& v = r.average.at(f).values;
    return *std::max_element(v.begin(), v.end());
  };
  EXPECT_GT(peak("ni_3"), 0.0);
  EXPECT_GT(peak("ni_1"), peak("ni_2"));
  EXPECT_GT(peak("ni_2"), peak("ni_3"));
  EXPECT_GT(r.scalars.at("discharge_current_a").value, 0.0);
  // The anode sheath repels electrons: a positive potential of a few Te, far below Vd.
  EXPECT_GT(r.scalars.at("anode_sheath_potential_v").value, 0.0);
  EXPECT_LT(r.scalars.at("anode_sheath_potential_v").value, 50.0);
  // The plume widens downstream of the exit: A grows, and the divergence costs efficiency.
  const auto& area = r.average.at("A").values;
  EXPECT_GT(area.back(), 1.5 * area.front());
  EXPECT_EQ(area.front(), area[5]);
  const double eta_div = r.scalars.at("divergence_efficiency").value;
  EXPECT_GT(eta_div, 0.5);
  EXPECT_LT(eta_div, 1.0);
  for (const char* efficiency :
       {"anode_efficiency", "mass_efficiency", "current_efficiency", "voltage_efficiency"}) {
    EXPECT_GT(r.scalars.at(efficiency).value, 0.0) << efficiency;
    EXPECT_LT(r.scalars.at(efficiency).value, 1.5) << efficiency;
  }
}

}  // namespace
}  // namespace hd::hallsim
