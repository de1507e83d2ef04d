// SPDX-License-Identifier: GPL-3.0-or-later
// `sample` without --model: the shipped SPT-100 prior answers the example LIF observation
// (configs/observations/spt100_lif.toml) with profiles that are finite, inside the ranges a
// Hall thruster's plasma can take, and pass near the measured ion velocities.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hd/common/interpolate.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace {

namespace fs = std::filesystem;

// Bounds no profile of an SPT-100-class thruster between 200 and 600 V leaves, in the
// output's units: wide, so that they test the units and the decoding, not the model's skill.
struct Range {
  const char* channel;
  double lo, hi;
};
constexpr Range kRanges[] = {
    {"B", 1e-4, 0.1},         // T; the scaled SPT-100 radial field peaks near 25 mT
    {"nu_e", 1e3, 1e12},      // 1/s
    {"nu_an", 1e2, 1e12},     // 1/s
    {"nn", 1e14, 1e22},       // m^-3
    {"ne", 1e13, 1e21},       // m^-3
    {"ni_1", 1e13, 1e21},     // m^-3
    {"ni_2", 1e6, 1e21},      // m^-3
    {"ni_3", 1e3, 1e21},      // m^-3
    {"ui_1", -1e4, 4e4},      // m/s; 600 V accelerates Xe+ to 30 km/s
    {"ui_2", -1e4, 6e4},      // m/s
    {"ui_3", -1e4, 7e4},      // m/s
    {"ue", -1e8, 1e8},        // m/s
    {"phi", -200.0, 800.0},   // V
    {"E", -5e5, 2e6},         // V/m
    {"Tev", -10.0, 200.0},    // eV; a linear channel: at the domain's ends a sample can dip a few eV below 0
    {"pe", 1e12, 1e24},       // eV m^-3 (ne Te)
    {"grad_pe", -1e27, 1e27}, // eV m^-4
};

class ShippedModel : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = fs::temp_directory_path() / ("hd_shipped_model_" + std::to_string(::getpid()) + ".h5");
    // Tests run in the source root.
    const std::string command = std::string(HD_SAMPLE_APP) +
                                " --observation configs/observations/spt100_lif.toml --num-samples 8 --steps 16 --threads 2 --seed 0 --quiet --out " +
                                out_.string() + " > " + out_.string() + ".log 2>&1";
    status_ = std::system(command.c_str());
  }
  static void TearDownTestSuite() {
    fs::remove(out_);
    fs::remove(out_.string() + ".log");
  }
  static fs::path out_;
  static int status_;
};
fs::path ShippedModel::out_;
int ShippedModel::status_ = -1;

TEST_F(ShippedModel, SampleWithoutModelUsesItAndGivesFinitePhysicalProfiles) {
  ASSERT_EQ(status_, 0) << "sample failed; see " << out_.string() << ".log";
  H5::H5File file(out_.string(), H5F_ACC_RDONLY);
  const auto z = hd::hdf5::read_vector(out_, file.openGroup("/"), "z");
  ASSERT_EQ(z.size(), 128u);
  for (const Range& r : kRanges) {
    const H5::DataSet set = file.openDataSet(std::string("samples/") + r.channel);
    ASSERT_EQ(hd::hdf5::shape(set), (std::vector<hsize_t>{8, 128})) << r.channel;
    std::vector<double> values(8 * 128);
    set.read(values.data(), H5::PredType::NATIVE_DOUBLE);
    for (const double v : values) {
      ASSERT_TRUE(std::isfinite(v)) << r.channel;
      ASSERT_GE(v, r.lo) << r.channel;
      ASSERT_LE(v, r.hi) << r.channel;
    }
  }
}

// 15 measurements with 500 m/s noise: the posterior median passes within a few noise
// widths of each (the prior's spread there is several km/s).
TEST_F(ShippedModel, ThePosteriorFollowsTheMeasuredIonVelocity) {
  ASSERT_EQ(status_, 0) << "sample failed; see " << out_.string() << ".log";
  H5::H5File file(out_.string(), H5F_ACC_RDONLY);
  const auto z = hd::hdf5::read_vector(out_, file.openGroup("/"), "z");
  const H5::Group measured = file.openGroup("/observations/fields/ui_1");
  const auto x = hd::hdf5::read_vector(out_, measured, "x");
  const auto y = hd::hdf5::read_vector(out_, measured, "y");
  const H5::DataSet set = file.openDataSet("quantiles/ui_1");
  std::vector<double> bands(5 * z.size());
  set.read(bands.data(), H5::PredType::NATIVE_DOUBLE);
  const double* median = bands.data() + 2 * z.size();
  ASSERT_EQ(x.size(), 15u);
  for (std::size_t i = 0; i < x.size(); ++i) {
    ASSERT_TRUE(x[i] > z.front() && x[i] < z.back()) << x[i];
    EXPECT_NEAR(hd::interpolate_clamped(z, {median, z.size()}, x[i]), y[i], 2500.0)
        << "ui_1 at x = " << x[i] << " m";
  }
}

}  // namespace
