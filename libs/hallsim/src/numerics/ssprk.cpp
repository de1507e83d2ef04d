// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/numerics/ssprk.hpp"

namespace hd::hallsim {

ButcherTableau ssprk_tableau(int stages) {
  const auto s = static_cast<std::size_t>(stages);
  const double h = 1.0 / ssp_coefficient(stages);
  ButcherTableau t{stages, std::vector<double>(s * s, 0.0), std::vector<double>(s, 1.0 / stages),
                   std::vector<double>(s, 0.0)};
  for (std::size_t i = 0; i < s; ++i) {
    t.c[i] = static_cast<double>(i) * h;
    for (std::size_t j = 0; j < i; ++j) t.a[i * s + j] = h;
  }
  return t;
}

}  // namespace hd::hallsim
