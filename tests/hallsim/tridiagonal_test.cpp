// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "hd/hallsim/numerics/electron_energy.hpp"

namespace hd::hallsim {
namespace {

// The twisted elimination meets in the middle row; odd and even sizes take different
// paths there, so every size from the smallest up is checked against the residual.
TEST(HallsimTridiagonal, SolvesDiagonallyDominantSystemsOfEverySize) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> off(-1.0, 1.0);
  for (std::size_t n = 3; n <= 41; ++n) {
    TridiagonalWorkspace ws(n);
    std::vector<double> x(n);
    for (std::size_t i = 0; i < n; ++i) {
      ws.lower[i] = i > 0 ? off(rng) : 0.0;
      ws.upper[i] = i + 1 < n ? off(rng) : 0.0;
      ws.diag[i] = 2.5 + off(rng);
      x[i] = off(rng);
    }
    for (std::size_t i = 0; i < n; ++i) {
      ws.rhs[i] = ws.diag[i] * x[i] + (i > 0 ? ws.lower[i] * x[i - 1] : 0.0) +
                  (i + 1 < n ? ws.upper[i] * x[i + 1] : 0.0);
    }
    solve_tridiagonal(ws);
    for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(ws.rhs[i], x[i], 1e-13) << "n = " << n << ", row " << i;
  }
}

}  // namespace
}  // namespace hd::hallsim
