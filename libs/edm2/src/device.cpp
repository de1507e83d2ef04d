// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/device.hpp"

#include "hd/common/error.hpp"

namespace hd::edm2 {

torch::Device resolve_device(const std::string& device) {
  if (device == "cpu") return torch::kCPU;
  if (device == "cuda" && !torch::cuda::is_available())
    throw Error("device = \"cuda\" but this LibTorch build sees no CUDA device (use \"auto\" or \"cpu\")");
  if (device == "cuda" || (device == "auto" && torch::cuda::is_available())) return torch::kCUDA;
  if (device != "auto") throw Error("unknown device \"" + device + "\" (auto, cpu or cuda)");
  return torch::kCPU;
}

}  // namespace hd::edm2
