// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/version.hpp"

namespace hd {

const char* version() {
  return HD_VERSION_STRING;
}

}  // namespace hd
