// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/app/stop.hpp"

#include <csignal>

namespace hd::app {
namespace {

std::atomic<bool> stop_requested{false};

void request_stop(int signal) {
  stop_requested.store(true);
  std::signal(signal, SIG_DFL);
}

}  // namespace

const std::atomic<bool>& stop_on_signals() {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  return stop_requested;
}

}  // namespace hd::app
