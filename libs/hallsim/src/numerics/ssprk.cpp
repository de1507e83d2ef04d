// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/numerics/ssprk.hpp"

#include <vector>

namespace hd::hallsim {

ARKodeButcherTable make_ssprk_table(int stages) {
  const auto s = static_cast<std::size_t>(stages);
  const double h = 1.0 / ssp_coefficient(stages);
  std::vector<double> a(s * s, 0.0), b(s, 1.0 / static_cast<double>(stages)), c(s, 0.0);
  for (std::size_t i = 0; i < s; ++i) {
    c[i] = static_cast<double>(i) * h;
    for (std::size_t j = 0; j < i; ++j) a[i * s + j] = h;
  }
  return ARKodeButcherTable_Create(stages, 2, 0, c.data(), a.data(), b.data(), nullptr);
}

}  // namespace hd::hallsim
