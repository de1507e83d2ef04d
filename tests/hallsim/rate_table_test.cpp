// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/collisions/rate_table.hpp"

#include <gtest/gtest.h>

#include "hd/common/error.hpp"
#include "hd/testing/errors.hpp"

#include "test_support.hpp"

namespace hd::hallsim {
namespace {

const auto data_dir = [] { return test::source_dir() / "data" / "hallthruster"; };

// The LANDMARK table is given at integer energies, so the 1 eV resampling reproduces its
// rows exactly (relative 1e-12) and interpolates linearly between them.
TEST(HallsimRateTable, LandmarkTableReproducesFileRowsAndInterpolatesLinearly) {
  const LandmarkRates rates = read_landmark_rates(data_dir() / "landmark" / "landmark_rates.csv");
  EXPECT_NEAR(rates.ionization(4.0), 5.98e-16, 1e-12 * 5.98e-16);
  EXPECT_NEAR(rates.energy_loss(4.0), 2.52e-14, 1e-12 * 2.52e-14);
  EXPECT_NEAR(rates.ionization(3.5), 0.5 * (1.08e-16 + 5.98e-16), 1e-12 * 5.98e-16);
}

TEST(HallsimRateTable, LookupIsClampedOutsideTheTable) {
  const LandmarkRates rates = read_landmark_rates(data_dir() / "landmark" / "landmark_rates.csv");
  EXPECT_EQ(rates.ionization(-3.0), rates.ionization(0.0));
  EXPECT_EQ(rates.ionization(1e4), rates.ionization(255.0));
}

// docs/physics.md section 2 quotes k(Xe -> Xe+) = 1.8e-14 m^3/s at 10 eV; 3 % allows for the
// table's 10.09 eV node and linear interpolation.
TEST(HallsimRateTable, XenonIonizationMatchesTheQuotedRate) {
  const ReactionFile xe = read_reaction_file(data_dir() / "reactions" / "ionization_Xe_Xe+.dat");
  EXPECT_NEAR(xe.energy_ev, 12.13, 0.01);
  EXPECT_NEAR(xe.rate(10.0), 1.8e-14, 0.03 * 1.8e-14);
}

TEST(HallsimRateTable, MissingFileIsAnErrorNamingIt) {
  hd::testing::expect_one_line_error([] { read_reaction_file("no/such/ionization_Xe_Xe9+.dat"); },
                                     "ionization_Xe_Xe9+.dat");
}

}  // namespace
}  // namespace hd::hallsim
