// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/app/platform.hpp"

#include <malloc.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace hd::app {

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

bool cpu_has_avx512f() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) == 0) return line.find(" avx512f") != std::string::npos;
  }
  return false;
}

void tune_blas_for_cpu(int /*argc*/, char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr || !cpu_has_avx512f()) return;
  ::setenv("OPENBLAS_CORETYPE", "SkylakeX", 1);
  // The variable is now set, so the re-executed program returns here at once. If exec
  // fails we simply run on with the slower kernels.
  ::execv("/proc/self/exe", argv);
}

void keep_freed_memory_for_reuse() {
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's largest allowed threshold on 64-bit
  ::mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

}  // namespace hd::app
