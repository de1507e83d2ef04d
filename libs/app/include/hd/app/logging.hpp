// SPDX-License-Identifier: GPL-3.0-or-later
// Logging for apps: one spdlog logger on stderr. Libraries do not log (they return values
// and throw hd::Error); apps log what they do.
#pragma once
#include <spdlog/spdlog.h>

namespace hd::app {

enum class Verbosity { quiet, normal, verbose };

// Sets the default logger's level: quiet = warnings and errors, normal = info,
// verbose = debug. Idempotent.
void init_logging(Verbosity verbosity);

}  // namespace hd::app
