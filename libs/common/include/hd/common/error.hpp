// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <stdexcept>
#include <string>

namespace hd {

// The one error type of the suite. Its message is what the user reads: what went wrong,
// where (file, key, line), and what to do. Libraries throw it and never print or exit;
// each app catches it once in main, prints it as one line and exits 1.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace hd
