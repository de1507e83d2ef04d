// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "hd/app/torch_runtime.hpp"

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
