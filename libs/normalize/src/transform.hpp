// SPDX-License-Identifier: GPL-3.0-or-later
// T(v): the natural log for log quantities, the identity otherwise, shared by the transform
// and the statistics so both reject the same values with the same message.
#pragma once
#include <cmath>
#include <string>
#include <string_view>

#include "hd/common/error.hpp"

#include "number_text.hpp"

namespace hd::normalize {

inline double log_or_identity(bool log, double v, std::string_view name) {
  if (!log) return v;
  // !(v > 0) also catches NaN, whose log would silently poison every statistic.
  if (!(v > 0.0)) {
    throw Error("normalization: " + std::string(name) + " is a log quantity and needs positive values, got " +
                number_text(v) + "; filter the simulation out or set it linear");
  }
  return std::log(v);
}

}  // namespace hd::normalize
