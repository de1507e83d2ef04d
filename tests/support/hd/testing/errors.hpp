// SPDX-License-Identifier: GPL-3.0-or-later
// The suite's error convention as test assertions: bad input raises an hd::Error whose
// message is one line naming the file and the problem.
#pragma once
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "hd/common/error.hpp"

namespace hd::testing {

// The message of the hd::Error that `action` throws; records a failure when it throws none.
template <class Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const hd::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an hd::Error";
  return {};
}

// `action` must throw an hd::Error whose message is one line containing `needle`.
template <class Action>
void expect_one_line_error(Action&& action, std::string_view needle) {
  const std::string message = error_message(action);
  EXPECT_NE(message.find(needle), std::string::npos) << "'" << needle << "' in: " << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
}

}  // namespace hd::testing
