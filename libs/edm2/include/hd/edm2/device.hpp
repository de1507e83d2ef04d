// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <torch/torch.h>

#include <string>

namespace hd::edm2 {

// "auto" (CUDA when this LibTorch build sees a GPU, else the CPU), "cpu" or "cuda"; asking
// for CUDA without one is an hd::Error.
torch::Device resolve_device(const std::string& device);

}  // namespace hd::edm2
