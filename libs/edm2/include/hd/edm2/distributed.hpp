// SPDX-License-Identifier: GPL-3.0-or-later
// Data-parallel training on PyTorch's c10d (docs/training.md): a process group (Gloo on
// the CPU, NCCL on CUDA) with the run's timeouts, the few collectives the trainer needs,
// and the gradient all-reduce in buckets that gradient hooks launch while the backward
// pass goes on. A collective that fails (a rank died, hung past the timeout, or refused
// the run) is a one-line hd::Error naming this rank and the operation.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hd/edm2/training_config.hpp"
#include "hd/edm2/world.hpp"

namespace hd::edm2 {

// The device a rank trains on: for CUDA, GPU local_rank (modulo the GPUs visible), made
// the current device; anything else unchanged.
torch::Device rank_device(torch::Device device, const World& world);

class ProcessGroup {
 public:
  // Meets the other ranks at world.master_addr:master_port (a c10d TCPStore that rank 0
  // serves; waits up to rendezvous_timeout_s for all of them) and builds the backend:
  // options.backend, where "auto" is NCCL for a CUDA device and Gloo otherwise. NCCL
  // needs a LibTorch built with it (a CUDA one).
  ProcessGroup(const World& world, const DistributedOptions& options, torch::Device device);
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;
  const std::string& backend() const;  // "gloo" or "nccl"
  // Where the tensors of collectives live: the CPU for Gloo, the rank's GPU for NCCL.
  torch::Device device() const;

  // Sums `tensor` (on device()) over the ranks, in place. `what` names the operation in
  // errors.
  void sum(torch::Tensor& tensor, const std::string& what);
  // Each value summed over the ranks (in float64).
  std::vector<double> sum(const std::vector<double>& values, const std::string& what);
  // Whether every rank passed true.
  bool all(bool value, const std::string& what);
  // Whether every rank passed the same value (any but INT64_MIN).
  bool same(std::int64_t value, const std::string& what);
  void barrier(const std::string& what);

 private:
  friend class GradientBuckets;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The data-parallel gradient: sum over ranks r of share_r * grad_r, where share_r is rank
// r's part of the global batch (its local mean loss then counts as in the global mean).
// Parameters are grouped into buckets of about bucket_mb in reverse registration order
// (the order in which the backward pass produces their gradients); a hook on each
// parameter copies its gradient into its bucket, and a full bucket is all-reduced at once
// (asynchronously, in bucket order on every rank) while the backward pass goes on.
class GradientBuckets {
 public:
  GradientBuckets(ProcessGroup& group, const std::vector<torch::Tensor>& parameters, double bucket_mb);
  ~GradientBuckets();
  GradientBuckets(const GradientBuckets&) = delete;
  GradientBuckets& operator=(const GradientBuckets&) = delete;

  // Before each backward pass; `what` names the step in errors.
  void begin(double share, const std::string& what);
  // After it: all-reduces what the hooks have not launched (a parameter without a gradient
  // counts as zero and keeps no gradient), waits for every bucket and writes the sums into
  // the parameters' gradients. Returns the seconds spent waiting (communication not hidden
  // behind the backward pass).
  double finish();
  std::size_t bucket_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A 62-bit hash of the tensors' values, bit for bit (and of their shapes): equal on two
// ranks exactly when they hold the same numbers.
std::int64_t fingerprint(const std::vector<torch::Tensor>& tensors);

}  // namespace hd::edm2
