// SPDX-License-Identifier: GPL-3.0-or-later
// The kinds of config file hd_config validates: one per reader a library registered
// (hd_register_config_kind in its CMakeLists.txt).
#pragma once
#include <string>
#include <vector>

#include "hd/common/config.hpp"

struct ConfigKind {
  std::string name;         // configs/<name>/ holds files of this kind
  std::string description;  // for --help and error messages
  void (*check)(const hd::config::Document& document);
};

const std::vector<ConfigKind>& config_kinds();
