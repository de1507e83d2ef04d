// SPDX-License-Identifier: GPL-3.0-or-later
// The optimal second-order strong-stability-preserving Runge-Kutta methods SSPRK(s,2)
// (Ketcheson, SIAM J. Sci. Comput. 30, 2008): s forward-Euler stages of dt/(s-1) averaged
// with the initial state,
//   y_1 = y_n,  y_{i+1} = y_i + dt/(s-1) f(y_i),  y_{n+1} = y_n/s + (s-1)/s y_{s+1}.
// Their SSP coefficient is s-1: a step may be s-1 times the forward-Euler stability limit
// (CFL, positivity) while each stage stays within it. s = 2 is Heun's SSPRK22.
#pragma once
#include <vector>

namespace hd::hallsim {

// Butcher coefficients of an explicit Runge-Kutta method with `stages` stages:
// a (stages x stages, row-major, zero on and above the diagonal), b and c.
struct ButcherTableau {
  int stages = 0;
  std::vector<double> a, b, c;
};

// SSPRK(s,2): a_ij = 1/(s-1) for j < i, b_j = 1/s, c_i = (i-1)/(s-1). The time integrator
// builds its ARKODE table from these numbers.
ButcherTableau ssprk_tableau(int stages);

constexpr double ssp_coefficient(int stages) {
  return stages - 1;
}

}  // namespace hd::hallsim
