// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <sstream>
#include <string>

namespace hd::prior::detail {

// A number in messages: 10 significant digits, "inf" for infinity (as config errors write them).
inline std::string format_number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

}  // namespace hd::prior::detail
