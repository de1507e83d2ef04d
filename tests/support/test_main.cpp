// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include "hd/common/platform.hpp"

int main(int argc, char** argv) {
  hd::tune_blas_for_cpu(argc, argv);
  hd::keep_freed_memory_for_reuse();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
