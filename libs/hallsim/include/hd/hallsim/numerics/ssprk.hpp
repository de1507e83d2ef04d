// SPDX-License-Identifier: GPL-3.0-or-later
// The optimal second-order strong-stability-preserving Runge-Kutta methods SSPRK(s,2)
// (Ketcheson, SIAM J. Sci. Comput. 30, 2008) as ARKODE Butcher tables: s forward-Euler
// stages of dt/(s-1) averaged with the initial state,
//   y_1 = y_n,  y_{i+1} = y_i + dt/(s-1) f(y_i),  y_{n+1} = y_n/s + (s-1)/s y_{s+1}.
// Their SSP coefficient is s-1: a step may be s-1 times the forward-Euler stability limit
// (CFL, positivity) while each stage stays within it. s = 2 is Heun's SSPRK22.
#pragma once
// clang-format off
#include <cstdio>  // first: arkode_butcher.h uses FILE without including <cstdio>
#include <arkode/arkode_butcher.h>
// clang-format on

namespace hd::hallsim {

// a_ij = 1/(s-1) for j < i, b_j = 1/s, c_i = (i-1)/(s-1); no embedding. nullptr when
// ARKODE cannot allocate it; free with ARKodeButcherTable_Free.
ARKodeButcherTable make_ssprk_table(int stages);

constexpr double ssp_coefficient(int stages) {
  return stages - 1;
}

}  // namespace hd::hallsim
