// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace hd {

// The suite's version string, "0.1.0" (plus the git revision when built from a checkout),
// recorded in every file the suite writes.
const char* version();

}  // namespace hd
