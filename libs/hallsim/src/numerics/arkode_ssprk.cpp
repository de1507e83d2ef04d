// SPDX-License-Identifier: GPL-3.0-or-later
#include "numerics/arkode_ssprk.hpp"

#include "hd/hallsim/numerics/ssprk.hpp"

namespace hd::hallsim {

ARKodeButcherTable make_ssprk_table(int stages) {
  ButcherTableau t = ssprk_tableau(stages);
  // Second order, no embedding.
  return ARKodeButcherTable_Create(stages, 2, 0, t.c.data(), t.a.data(), t.b.data(), nullptr);
}

}  // namespace hd::hallsim
