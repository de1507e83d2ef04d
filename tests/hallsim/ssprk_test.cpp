// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/numerics/ssprk.hpp"

#include <arkode/arkode_erkstep.h>
#include <gtest/gtest.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>

#include <cmath>

namespace hd::hallsim {
namespace {

// y' = -y + cos t from y(0) = 1 to t = 1 with fixed steps; returns |y - exact|.
double integration_error(int stages, int steps) {
  SUNContext context = nullptr;
  EXPECT_EQ(SUNContext_Create(nullptr, &context), 0);
  N_Vector y = N_VNew_Serial(1, context);
  NV_Ith_S(y, 0) = 1.0;
  const auto rhs = [](double t, N_Vector u, N_Vector du, void*) {
    NV_Ith_S(du, 0) = -NV_Ith_S(u, 0) + std::cos(t);
    return 0;
  };
  void* arkode = ERKStepCreate(rhs, 0.0, y, context);
  ARKodeButcherTable table = make_ssprk_table(stages);
  EXPECT_EQ(ERKStepSetTable(arkode, table), ARK_SUCCESS);
  EXPECT_EQ(ERKStepSetFixedStep(arkode, 1.0 / steps), ARK_SUCCESS);
  double t = 0.0;
  EXPECT_EQ(ERKStepEvolve(arkode, 1.0, y, &t, ARK_NORMAL), ARK_SUCCESS);
  // y = (cos t + sin t)/2 + exp(-t)/2
  const double exact = 0.5 * (std::cos(1.0) + std::sin(1.0)) + 0.5 * std::exp(-1.0);
  const double error = std::abs(NV_Ith_S(y, 0) - exact);
  ARKodeButcherTable_Free(table);
  ERKStepFree(&arkode);
  N_VDestroy(y);
  SUNContext_Free(&context);
  return error;
}

TEST(HallsimSsprk, TableIsConsistentAndTakesEqualForwardEulerStages) {
  for (int s = 2; s <= 16; ++s) {
    ARKodeButcherTable table = make_ssprk_table(s);
    ASSERT_NE(table, nullptr);
    EXPECT_EQ(table->stages, s);
    double b_sum = 0.0;
    for (int i = 0; i < s; ++i) {
      b_sum += table->b[i];
      double row = 0.0;
      for (int j = 0; j < s; ++j) row += table->A[i][j];
      EXPECT_NEAR(row, table->c[i], 1e-15) << "s = " << s << ", stage " << i;
      EXPECT_NEAR(row, i / ssp_coefficient(s), 1e-15);
    }
    EXPECT_NEAR(b_sum, 1.0, 1e-15);
    ARKodeButcherTable_Free(table);
  }
}

// Second order in time for every stage count: halving the step quarters the error.
TEST(HallsimSsprk, ConvergesAtSecondOrder) {
  for (const int s : {2, 3, 8, 16}) {
    const double coarse = integration_error(s, 20), fine = integration_error(s, 40);
    const double order = std::log2(coarse / fine);
    EXPECT_NEAR(order, 2.0, 0.1) << "s = " << s << ": errors " << coarse << ", " << fine;
  }
}

}  // namespace
}  // namespace hd::hallsim
