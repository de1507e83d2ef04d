// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "hd/common/platform.hpp"

int main(int argc, char** argv) {
  hd::tune_blas_for_cpu(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
