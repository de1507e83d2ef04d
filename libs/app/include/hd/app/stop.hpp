// SPDX-License-Identifier: GPL-3.0-or-later
// Long runs (train, gen_data) stop cleanly on the first SIGINT or SIGTERM: the signal only
// raises a flag that the run polls between units of work (a training step, a
// simulation), so it can commit what is done and exit; a second signal kills the process
// as usual.
#pragma once
#include <atomic>

namespace hd::app {

// Installs the handlers (idempotent) and returns the flag they raise.
const std::atomic<bool>& stop_on_signals();

// The exit status of a run stopped by a signal (128 + SIGINT, as shells report it).
inline constexpr int kStoppedExitCode = 130;

}  // namespace hd::app
