// SPDX-License-Identifier: GPL-3.0-or-later
// Numbers in error messages: short (%g-like) and readable for any magnitude.
#pragma once
#include <sstream>
#include <string>

namespace hd::normalize {

inline std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace hd::normalize
