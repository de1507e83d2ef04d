// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/app/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace hd::app {

void init_logging(Verbosity verbosity) {
  // stderr, so that an app's stdout stays clean for results (e.g. `hd_config check`).
  static const auto logger = [] {
    auto l = spdlog::stderr_color_mt("hd");
    l->set_pattern("[%H:%M:%S] %^%l%$ %v");
    spdlog::set_default_logger(l);
    return l;
  }();
  switch (verbosity) {
    case Verbosity::quiet:
      logger->set_level(spdlog::level::warn);
      break;
    case Verbosity::normal:
      logger->set_level(spdlog::level::info);
      break;
    case Verbosity::verbose:
      logger->set_level(spdlog::level::debug);
      break;
  }
}

}  // namespace hd::app
