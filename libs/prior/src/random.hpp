// SPDX-License-Identifier: GPL-3.0-or-later
// Platform-independent variates from hd::RngStream's 64-bit output. std::uniform_real_distribution
// and std::normal_distribution are implementation-defined (libstdc++ and libc++ give different
// numbers for the same engine), so the prior builds its own here, from the engine's bits, IEEE
// arithmetic and std::log only.
#pragma once
#include <cmath>

#include "hd/common/rng.hpp"

namespace hd::prior::detail {

// u = (top 53 bits) * 2^-53, uniform on [0, 1) with every double of the form k 2^-53.
inline double standard_uniform(RngStream& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

// Marsaglia's polar method: (v1, v2) uniform in the unit disc, s = v1^2 + v2^2, then
// v1 sqrt(-2 ln s / s) ~ N(0, 1). The second normal of the pair is dropped so that a draw
// depends on nothing but the stream (no cached state).
inline double standard_normal(RngStream& rng) {
  while (true) {
    const double v1 = 2.0 * standard_uniform(rng) - 1.0;
    const double v2 = 2.0 * standard_uniform(rng) - 1.0;
    const double s = v1 * v1 + v2 * v2;
    if (s > 0.0 && s < 1.0) return v1 * std::sqrt(-2.0 * std::log(s) / s);
  }
}

}  // namespace hd::prior::detail
