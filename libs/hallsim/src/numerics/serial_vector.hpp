// SPDX-License-Identifier: GPL-3.0-or-later
// Private: a SUNDIALS serial N_Vector whose kernels are compiled with this project's optimization.
// Debian's SUNDIALS 6.4.1 ships its vector kernels unoptimized (-O0 loops that spill every
// iteration to the stack): ARKODE's own vector work then cost ~14 us per ERK step at 600
// unknowns, more than the physics. SUNDIALS lets a program supply its own vector
// operations; these are the same operations, same semantics.
#pragma once
#include <sundials/sundials_nvector.h>

namespace hd::hallsim {

// N_VNew_Serial(length) with optimized operations (clones inherit them).
N_Vector make_serial_vector(sunindextype length, SUNContext context);

}  // namespace hd::hallsim
