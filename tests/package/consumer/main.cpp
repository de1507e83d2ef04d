// SPDX-License-Identifier: GPL-3.0-or-later
// A program outside the project that uses the installed hall_diffusion::common.
#include <iostream>

#include <hd/common/config.hpp>
#include <hd/common/error.hpp>

int main() {
  try {
    auto doc = hd::config::Document::parse("[run]\nthreads = 4\n", "consumer", {"run.threads=8"});
    const long long threads = doc.root().table("run").get_int("threads", {1, 64});
    doc.root().finish();
    std::cout << "threads = " << threads << "\n";
    return 0;
  } catch (const hd::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}
