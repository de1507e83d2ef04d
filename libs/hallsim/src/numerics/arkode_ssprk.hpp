// SPDX-License-Identifier: GPL-3.0-or-later
// Private: the SSPRK(s,2) tableau of hd/hallsim/numerics/ssprk.hpp as an ARKODE Butcher
// table (SUNDIALS stays out of the installed headers).
#pragma once
// clang-format off
#include <cstdio>  // first: arkode_butcher.h uses FILE without including <cstdio>
#include <arkode/arkode_butcher.h>
// clang-format on

namespace hd::hallsim {

// nullptr when ARKODE cannot allocate it; free with ARKodeButcherTable_Free.
ARKodeButcherTable make_ssprk_table(int stages);

}  // namespace hd::hallsim
