// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/numerics/ssprk.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace hd::hallsim {
namespace {

// y' = -y + cos t from y(0) = 1 to t = 1 with `steps` fixed steps of the explicit
// Runge-Kutta method `t`; returns |y - exact|.
double integration_error(const ButcherTableau& t, int steps) {
  const auto s = static_cast<std::size_t>(t.stages);
  const auto f = [](double time, double y) { return -y + std::cos(time); };
  const double h = 1.0 / steps;
  double y = 1.0, time = 0.0;
  std::vector<double> k(s);
  for (int n = 0; n < steps; ++n) {
    double y_next = y;
    for (std::size_t i = 0; i < s; ++i) {
      double stage = y;
      for (std::size_t j = 0; j < i; ++j) stage += h * t.a[i * s + j] * k[j];
      k[i] = f(time + t.c[i] * h, stage);
      y_next += h * t.b[i] * k[i];
    }
    y = y_next;
    time += h;
  }
  // y = (cos t + sin t)/2 + exp(-t)/2
  const double exact = 0.5 * (std::cos(1.0) + std::sin(1.0)) + 0.5 * std::exp(-1.0);
  return std::abs(y - exact);
}

TEST(HallsimSsprk, TableIsConsistentAndTakesEqualForwardEulerStages) {
  for (int s = 2; s <= 16; ++s) {
    const ButcherTableau t = ssprk_tableau(s);
    const auto n = static_cast<std::size_t>(s);
    ASSERT_EQ(t.stages, s);
    ASSERT_EQ(t.a.size(), n * n);
    double b_sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      b_sum += t.b[i];
      double row = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        row += t.a[i * n + j];
        if (j >= i) {
          EXPECT_EQ(t.a[i * n + j], 0.0) << "explicit: s = " << s << ", a[" << i << "][" << j << "]";
        }
      }
      EXPECT_NEAR(row, t.c[i], 1e-15) << "s = " << s << ", stage " << i;
      EXPECT_NEAR(row, static_cast<double>(i) / ssp_coefficient(s), 1e-15);
    }
    EXPECT_NEAR(b_sum, 1.0, 1e-15);
  }
}

// Second order in time for every stage count: halving the step quarters the error.
TEST(HallsimSsprk, ConvergesAtSecondOrder) {
  for (const int s : {2, 3, 8, 16}) {
    const ButcherTableau t = ssprk_tableau(s);
    const double coarse = integration_error(t, 20), fine = integration_error(t, 40);
    const double order = std::log2(coarse / fine);
    EXPECT_NEAR(order, 2.0, 0.1) << "s = " << s << ": errors " << coarse << ", " << fine;
  }
}

}  // namespace
}  // namespace hd::hallsim
