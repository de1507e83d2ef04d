// SPDX-License-Identifier: GPL-3.0-or-later
// Private: vector variants of libm functions for loops over the nodes.
//
// glibc's libmvec holds variants of log that take 2, 4 or 8 doubles per call, and <cmath>
// declares them only under -ffast-math, whose other licences hallsim does not take. This
// declaration lets the compiler vectorize a node loop that takes a logarithm (the Coulomb
// logarithm, the wall sheath potential) instead of leaving the whole loop scalar around one
// libm call per node. libmvec's log is within 4 ulp (glibc manual): round-off for these uses.
#pragma once
#include <cmath>

#if defined(HD_HAVE_LIBMVEC)
extern "C" __attribute__((simd("notinbranch"))) double log(double) noexcept;
#endif
