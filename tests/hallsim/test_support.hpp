// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/hallsim/config.hpp"

namespace hd::hallsim::test {

// The source tree (ctest sets HD_SOURCE_DIR; a manual run from the root works too).
inline std::filesystem::path source_dir() {
  const char* dir = std::getenv("HD_SOURCE_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::current_path();
}

// configs/hallsim/<name> with `--set`-style overrides, read and checked as the app does.
inline Config shipped_config(const std::string& name, const std::vector<std::string>& overrides = {}) {
  const auto doc = hd::config::Document::load(source_dir() / "configs" / "hallsim" / name, overrides);
  return read_config(doc.root());
}

}  // namespace hd::hallsim::test
