// SPDX-License-Identifier: GPL-3.0-or-later
// The performance outputs of docs/physics.md section 8 on a hand-built heavy-species state:
// what the exit delivers (thrust, ion current, ion mass flow, ion energy) and every
// efficiency computed from it.
#include "hd/hallsim/simulation/performance.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "hd/hallsim/collisions/reactions.hpp"
#include "hd/hallsim/constants.hpp"
#include "hd/hallsim/simulation/electron_fields.hpp"
#include "hd/hallsim/simulation/heavy_species.hpp"

namespace hd::hallsim {
namespace {

// Xe+ (1e17 m^-3) and Xe2+ (2e16 m^-3) on 8 cells of the SPT-100 channel (A = 4.1147e-3 m^2):
// both flow back into the anode at 3 km/s in the first cell (faster than their Bohm speed,
// so the anode ghost copies that cell and the anode face carries it), and leave at 20 and
// 28 km/s through the last cell. Hand values (m = 131.293 u):
//   T   = A m [1e17 (2e4)^2 + 2e16 (2.8e4)^2 - 1.2e17 (3e3)^2] = 0.0489803 N
//   Ii  = e A [1e17 2e4 + 2 * 2e16 2.8e4]                    = 2.056853 A
//   mdot_i = A m [1e17 2e4 + 2e16 2.8e4]                     = 2.296513e-6 kg/s
//   E_1 = m (2e4)^2 / (2e)                                   = 272.1512 eV (Xe+ only)
class HandBuiltExit : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.propellants[0].max_charge = 2;
    config_.ionization = config_.excitation = config_.electron_neutral = RateModel::none;
    chemistry_ = build_chemistry(config_);
    area_ = channel_flow_area(grid_, config_.geometry);
    heavy_ = std::make_unique<HeavySpecies>(config_, grid_, chemistry_, area_);
    electrons_ = std::make_unique<ElectronFields>(config_, grid_, chemistry_, area_);
    const std::size_t n = grid_.num_cells();
    const double m = gas_mass_kg("Xe");
    // Layout: rho of the neutrals, then rho and rho u of each ion fluid.
    std::vector<double> y(heavy_->state_size(), 0.0);
    for (std::size_t i = 0; i < n; ++i) y[i] = m * 1e18;
    const auto ion = [&](std::size_t offset, double density, double exit_velocity) {
      for (std::size_t i = 0; i < n; ++i) {
        y[offset + i] = m * density;
        const double u = i == 0 ? -3000.0 : i + 1 == n ? exit_velocity : 10000.0;
        y[offset + n + i] = m * density * u;
      }
    };
    ion(n, 1e17, 2e4);
    ion(3 * n, 2e16, 2.8e4);
    heavy_->fill_padded(y.data(), *electrons_);
  }

  Config config_;
  Grid grid_ = make_even_grid(8, 0.0, 0.05);
  Chemistry chemistry_;
  FlowArea area_;
  std::unique_ptr<HeavySpecies> heavy_;
  std::unique_ptr<ElectronFields> electrons_;
};

TEST_F(HandBuiltExit, ThrustCurrentMassFlowAndEnergyMatchHandValues) {
  EXPECT_NEAR(heavy_->thrust_n(), 0.0489803170, 1e-9);
  EXPECT_NEAR(heavy_->ion_current_a(), 2.056853062, 1e-8);
  EXPECT_NEAR(heavy_->ion_mass_flow_kg_s(), 2.296513033e-6, 1e-14);
  EXPECT_NEAR(heavy_->singly_charged_energy_ev(), 272.1512111, 1e-6);
}

// At Id = 5 A, Vd = 300 V, mdot_a = 5 mg/s and tan(delta) = 0.3:
//   eta_a = T^2 / (2 mdot Id Vd) = 0.159938,  eta_m = 0.459303,  eta_c = 0.411371,
//   eta_v = 272.151 / 300 = 0.907171,  eta_div = 1 / 1.09 = 0.917431, T cos(delta) = 0.0469146 N.
TEST_F(HandBuiltExit, EveryEfficiencyMatchesItsHandValue) {
  const PerformanceFrame f{5.0,
                           300.0,
                           5e-6,
                           heavy_->thrust_n(),
                           heavy_->ion_current_a(),
                           heavy_->ion_mass_flow_kg_s(),
                           heavy_->singly_charged_energy_ev(),
                           0.3};
  EXPECT_NEAR(anode_efficiency(f), 0.1599380972, 1e-9);
  EXPECT_NEAR(mass_efficiency(f), 0.4593026067, 1e-9);
  EXPECT_NEAR(current_efficiency(f), 0.4113706124, 1e-9);
  EXPECT_NEAR(voltage_efficiency(f), 0.9071707037, 1e-9);
  EXPECT_NEAR(divergence_efficiency(f), 0.9174311927, 1e-10);
  EXPECT_NEAR(divergence_corrected_thrust_n(f.thrust_n, 0.3), 0.0469146351, 1e-9);
  // No discharge: no efficiency instead of a division by zero.
  PerformanceFrame off = f;
  off.discharge_current_a = 0.0;
  EXPECT_EQ(anode_efficiency(off), 0.0);
  EXPECT_EQ(current_efficiency(off), 0.0);
}

// Ingestion enters with the anode flow: mdot_a + f_n m n_B c_B / 4 A (docs/physics.md 5.3).
TEST(HallsimIngestion, AnodeInflowAddsTheIngestedBackgroundFlow) {
  Config c;
  c.ionization = c.excitation = c.electron_neutral = RateModel::none;
  c.background_gas = {1e-5 * constants::pascal_per_torr, 100.0, 2.0};
  const Grid grid = make_even_grid(8, 0.0, 0.05);
  const Chemistry chemistry = build_chemistry(c);
  const FlowArea area = channel_flow_area(grid, c.geometry);
  const HeavySpecies heavy(c, grid, chemistry, area);
  EXPECT_NEAR(heavy.anode_inflow_kg_s(0), 5e-6 + 2.0 * 2.7501e-8, 1e-4 * 2.7501e-8);
}

}  // namespace
}  // namespace hd::hallsim
