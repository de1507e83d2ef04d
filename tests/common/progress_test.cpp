// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace {

using ::testing::HasSubstr;

TEST(Progress, StatusShowsCountPercentAndUnit) {
  hd::Progress p("train", 200, "steps");
  p.update(50);
  const std::string s = p.status();
  EXPECT_THAT(s, HasSubstr("train 50/200 steps (25.0%)"));
  EXPECT_THAT(s, HasSubstr("steps/s"));
  p.finish();
}

TEST(Progress, FormatsDurationsForPeople) {
  EXPECT_EQ(hd::format_duration(6.24), "6.2s");
  EXPECT_EQ(hd::format_duration(245), "4m05s");
  EXPECT_EQ(hd::format_duration(3723), "1h02m03s");
  EXPECT_EQ(hd::format_duration(-1), "?");
}

}  // namespace
