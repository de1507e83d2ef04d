// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/app/torch_runtime.hpp"

#include <torch/torch.h>

#include "hd/app/platform.hpp"

namespace hd::app {

void prepare_torch_process(int argc, char** argv) {
  tune_blas_for_cpu(argc, argv);
  keep_freed_memory_for_reuse();
}

void set_torch_threads(int threads) {
  torch::set_num_threads(threads);
}

}  // namespace hd::app
