// SPDX-License-Identifier: GPL-3.0-or-later
// The reference prior (docs/prior.md) as a `[params]` TOML table, for the tests.
#pragma once

namespace hd::testing {

inline constexpr const char* kReferencePrior = R"(
[params.discharge_voltage_v]
distribution = "uniform"
min = 200.0
max = 600.0
[params.anode_mass_flow_rate_kg_s]
distribution = "uniform"
min = 3e-6
max = 7e-6
[params.magnetic_field_scale]
distribution = "uniform"
min = 0.5
max = 1.5
[params.cathode_coupling_voltage_v]
distribution = "uniform"
min = 0.0
max = 50.0
[params.neutral_velocity_m_s]
distribution = "truncated_normal"
mean = 300.0
std = 50.0
lower = 0.0
[params.wall_loss_scale]
distribution = "truncated_normal"
mean = 1.0
std = 0.5
lower = 0.0
upper = 2.0
[params.background_pressure_torr]
distribution = "log_normal"
median = 1e-5
factor = 10.0
[params.neutral_ingestion_scale]
distribution = "truncated_normal"
mean = 4.0
std = 2.0
lower = 1.0
upper = 6.0
[params.anom_shift_scale]
distribution = "truncated_normal"
mean = 0.25
std = 0.1
lower = 0.0
[params.anom_minimum]
distribution = "truncated_log_normal"
median = 0.01
factor = 10.0
lower = 0.0
upper = 1.0
[params.anom_width]
distribution = "truncated_normal"
mean = 0.5
std = 0.5
lower = 0.0
[params.anom_slope]
distribution = "uniform"
min = 0.0
max = 1.0
[params.anom_step]
distribution = "uniform"
min = 0.0
max = 1.0
[params.anom_scale]
distribution = "log_normal"
median = 0.0625
factor = 10.0
[params.anom_center]
distribution = "truncated_normal"
mean = 1.0
std = 0.3333333333333333
lower = 0.0
upper = 2.0
)";

}  // namespace hd::testing
