// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <cstdlib>
#include <filesystem>

namespace hd::hallsim::test {

// The source tree (ctest sets HD_SOURCE_DIR; a manual run from the root works too).
inline std::filesystem::path source_dir() {
  const char* dir = std::getenv("HD_SOURCE_DIR");
  return dir != nullptr ? std::filesystem::path(dir) : std::filesystem::current_path();
}

}  // namespace hd::hallsim::test
