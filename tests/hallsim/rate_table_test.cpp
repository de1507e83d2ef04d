// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/collisions/rate_table.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "hd/common/error.hpp"
#include "hd/hallsim/collisions/reactions.hpp"
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

// The node loop's form, one locate() for many tables, gives what a lookup of each energy
// gives, clamping and NaN included.
TEST(HallsimRateTable, LocatedLookupsEqualSingleLookups) {
  const LandmarkRates rates = read_landmark_rates(data_dir() / "landmark" / "landmark_rates.csv");
  const std::vector<double> energy{-3.0, 0.0, 0.25, 3.5, 17.9, 254.5, 255.0, 1e4, std::nan("")};
  TablePositions at(energy.size());
  at.locate(energy);
  for (const RateTable* table : {&rates.ionization, &rates.energy_loss}) {
    std::vector<double> k(energy.size(), -1.0);
    lookup_rates(*table, at, k);
    for (std::size_t i = 0; i < energy.size(); ++i)
      EXPECT_DOUBLE_EQ(k[i], (*table)(energy[i])) << "eps " << energy[i];
  }
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

// Up to Xe3+ with lookup rates: the neutral first, then the ions, and every single-reactant
// ionization A^{r+} -> A^{p+} with r < p <= 3 (six reactions), thresholds from the files.
TEST(HallsimChemistry, TriplyChargedXenonHasEveryIonizationPath) {
  Config c;
  c.propellants[0].max_charge = 3;
  c.rates_directory = data_dir() / "reactions";
  const Chemistry chem = build_chemistry(c);
  ASSERT_EQ(chem.fluids.size(), 4u);
  EXPECT_EQ(chem.fluids[0].name, "Xe");
  EXPECT_EQ(chem.fluids[1].name, "Xe+");
  EXPECT_EQ(chem.fluids[3].name, "Xe3+");
  EXPECT_EQ(chem.fluids[3].charge, 3);
  ASSERT_EQ(chem.ionization.size(), 6u);
  EXPECT_EQ(chem.ionization[0].reactant, 0);
  EXPECT_EQ(chem.ionization[0].product, 1);
  EXPECT_NEAR(chem.ionization[0].energy_ev, 12.13, 0.01);
  EXPECT_EQ(chem.excitation.size(), 1u);
  EXPECT_EQ(chem.elastic.size(), 1u);
}

}  // namespace
}  // namespace hd::hallsim
