// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/distributed.hpp"

#include <c10/core/impl/DeviceGuardImplInterface.h>
#include <torch/version.h>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "hd/common/error.hpp"

#include "archive.hpp"

namespace hd::edm2 {

namespace {

// The class Gloo and NCCL derive from: LibTorch 2 splits the process group (a front end)
// from its backends, and the backends carry the collectives.
#if TORCH_VERSION_MAJOR >= 2
using C10dBackend = c10d::Backend;
#else
using C10dBackend = c10d::ProcessGroup;
#endif

// LibTorch's errors carry a C++ backtrace after their message.
std::string cause(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e))
    return archive::first_line(c10_error->what_without_backtrace());
  return archive::first_line(e.what());
}

std::string seconds_text(double seconds) {
  std::ostringstream out;
  out << seconds;
  return out.str();
}

std::chrono::milliseconds milliseconds(double seconds) {
  return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0));
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

torch::Device rank_device(torch::Device device, const World& world) {
  if (!device.is_cuda()) return device;
  const auto count = static_cast<int>(torch::cuda::device_count());
  const torch::Device chosen(torch::kCUDA, static_cast<c10::DeviceIndex>(world.local_rank % count));
  // NCCL and the CUDA caching allocator work on the current device.
  c10::impl::getDeviceGuardImpl(c10::DeviceType::CUDA)->setDevice(chosen);
  return chosen;
}

struct ProcessGroup::Impl {
  int rank = 0, size = 1;
  double timeout_s = 0.0;
  std::string backend_name;
  torch::Device device = torch::kCPU;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<C10dBackend> backend;

  std::string who() const {
    return "rank " + std::to_string(rank) + " of " + std::to_string(size) + " (" + backend_name + ")";
  }

  [[noreturn]] void fail(const std::string& what, const std::exception& e) const {
    throw Error(who() + ": " + what + " failed (" + cause(e) +
                "): another rank died, failed (its own message says why) or hung for more than "
                "distributed.timeout_s = " +
                seconds_text(timeout_s) + " s; the same command resumes from the last checkpoint");
  }

  void all_reduce(torch::Tensor& tensor, c10d::ReduceOp op, const std::string& what) {
    try {
      std::vector<at::Tensor> tensors{tensor};
      c10d::AllreduceOptions options;
      options.reduceOp = op;
      backend->allreduce(tensors, options)->wait();
    } catch (const std::exception& e) {
      fail(what, e);
    }
  }

  // Every rank connected to the store (rank 0 serves it); the backend then builds its own
  // connections through it.
  void rendezvous(const World& world, double timeout_s) {
    const std::string where = world.master_addr + ":" + std::to_string(world.master_port);
    try {
      c10d::TCPStoreOptions options;
      options.port = static_cast<std::uint16_t>(world.master_port);
      options.isServer = world.rank == 0;
      options.numWorkers = static_cast<std::size_t>(world.size);
      options.waitWorkers = true;
      options.timeout = milliseconds(timeout_s);
      store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
      // The server waits for every client, a client only for the server: this makes every
      // rank wait until all are there, so the backend's shorter timeout never sees a late one.
      if (store->add("hd/joined", 1) == world.size) store->set("hd/all_joined", std::vector<std::uint8_t>{1});
      store->wait({"hd/all_joined"}, milliseconds(timeout_s));
    } catch (const std::exception& e) {
      throw Error(
          who() + ": no rendezvous of the " + std::to_string(world.size) + " ranks at " + where + " (" +
          cause(e) + ") within distributed.rendezvous_timeout_s = " + seconds_text(timeout_s) +
          " s: start every rank, with MASTER_ADDR and MASTER_PORT naming rank 0's host and a free port");
    }
  }

  void create_gloo() {
    auto options = c10d::ProcessGroupGloo::Options::create(milliseconds(timeout_s));
    // As in PyTorch: GLOO_SOCKET_IFNAME picks the network interfaces, else the address
    // this host's name resolves to (or the loopback device).
    if (const char* names = std::getenv("GLOO_SOCKET_IFNAME")) {
      for (const auto& name : split_commas(names))
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(name));
    }
    if (options->devices.empty()) options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    backend = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, size, options);
  }

  void create_nccl() {
#ifdef USE_C10D_NCCL
    // Blocking waits make every collective honour the timeout and throw (instead of
    // NCCL's watchdog killing the process); a user's own setting wins.
    setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
    setenv("NCCL_BLOCKING_WAIT", "1", 0);
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = milliseconds(timeout_s);
    backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, size, options);
#else
    throw Error(who() +
                ": this LibTorch has no NCCL (Debian's is CPU-only): build against a CUDA LibTorch "
                "(docs/building.md) or set distributed.backend = \"gloo\"");
#endif
  }
};

ProcessGroup::ProcessGroup(const World& world, const DistributedOptions& options, torch::Device device)
    : impl_(std::make_unique<Impl>()) {
  auto& s = *impl_;
  s.rank = world.rank;
  s.size = world.size;
  s.timeout_s = options.timeout_s;
  s.backend_name = options.backend == "auto" ? (device.is_cuda() ? "nccl" : "gloo") : options.backend;
  if (s.backend_name == "nccl" && !device.is_cuda())
    throw Error(s.who() +
                ": NCCL reduces CUDA tensors only, but this run is on the CPU: set distributed.backend = "
                "\"gloo\" or \"auto\"");
  s.device = s.backend_name == "nccl" ? device : torch::Device(torch::kCPU);
  s.rendezvous(world, options.rendezvous_timeout_s);
  try {
    if (s.backend_name == "nccl") {
      s.create_nccl();
    } else {
      s.create_gloo();
    }
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(s.who() + ": cannot connect the ranks (" + cause(e) +
                "); on several nodes, GLOO_SOCKET_IFNAME may need to name the network interface");
  }
}

ProcessGroup::~ProcessGroup() = default;
int ProcessGroup::rank() const {
  return impl_->rank;
}
int ProcessGroup::size() const {
  return impl_->size;
}
const std::string& ProcessGroup::backend() const {
  return impl_->backend_name;
}
torch::Device ProcessGroup::device() const {
  return impl_->device;
}

void ProcessGroup::sum(torch::Tensor& tensor, const std::string& what) {
  impl_->all_reduce(tensor, c10d::ReduceOp::SUM, what);
}

std::vector<double> ProcessGroup::sum(const std::vector<double>& values, const std::string& what) {
  auto t = torch::tensor(values, torch::kFloat64).to(impl_->device);
  sum(t, what);
  t = t.cpu();
  return {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
}

bool ProcessGroup::all(bool value, const std::string& what) {
  return sum({value ? 0.0 : 1.0}, what)[0] == 0.0;
}

bool ProcessGroup::same(std::int64_t value, const std::string& what) {
  // max(v) and max(-v) = -min(v) in one reduction.
  auto t = torch::tensor({value, -value}, torch::kInt64).to(impl_->device);
  impl_->all_reduce(t, c10d::ReduceOp::MAX, what);
  t = t.cpu();
  return t[0].item<std::int64_t>() == -t[1].item<std::int64_t>();
}

void ProcessGroup::barrier(const std::string& what) {
  // An all-reduce rather than the backends' barriers: NCCL's guesses a device per rank.
  auto t = torch::zeros({1}, torch::TensorOptions().device(impl_->device));
  impl_->all_reduce(t, c10d::ReduceOp::SUM, what);
}

// ---------------------------------------------------------------------------------------
struct GradientBuckets::Impl {
  explicit Impl(ProcessGroup::Impl& g) : group(g) {}
  ProcessGroup::Impl& group;
  struct Bucket {
    torch::Tensor flat;  // the gradients of its members, back to back, on the group's device
    std::vector<std::size_t> members;
    std::size_t pending = 0;  // members whose gradient has not arrived in this pass
    c10::intrusive_ptr<c10d::Work> work;
  };
  std::vector<torch::Tensor> params;
  std::vector<std::size_t> bucket_of;
  std::vector<std::int64_t> offset_of;
  std::vector<Bucket> buckets;
  std::vector<unsigned> hooks;
  std::vector<bool> seen;
  std::size_t next = 0;  // the first bucket not launched yet
  double share = 1.0;
  std::string what;
  std::exception_ptr error;  // the first failure of this pass

  torch::Tensor slice(std::size_t i) {
    return buckets[bucket_of[i]].flat.narrow(0, offset_of[i], params[i].numel());
  }

  // Buckets go out in order, so that the ranks' all-reduces pair up even where the
  // gradients of two buckets arrive in a different order.
  void launch_ready() {
    while (next < buckets.size() && buckets[next].pending == 0) {
      auto& b = buckets[next++];
      std::vector<at::Tensor> tensors{b.flat};
      b.work = group.backend->allreduce(tensors);
    }
  }

  // Runs on the autograd thread when parameter i's gradient of this pass is complete.
  void arrived(std::size_t i, const torch::Tensor& grad) {
    if (error) return;
    try {
      torch::NoGradGuard no_grad;
      auto s = slice(i);
      s.copy_(grad.reshape({-1}));
      s.mul_(share);
      seen[i] = true;
      if (--buckets[bucket_of[i]].pending == 0) launch_ready();
    } catch (...) {
      error = std::current_exception();
    }
  }
};

GradientBuckets::GradientBuckets(ProcessGroup& group, const std::vector<torch::Tensor>& parameters,
                                 double bucket_mb)
    : impl_(std::make_unique<Impl>(*group.impl_)) {
  auto& s = *impl_;
  s.params = parameters;
  const auto n = s.params.size();
  s.bucket_of.resize(n);
  s.offset_of.resize(n);
  s.seen.assign(n, false);
  const auto cap = static_cast<std::int64_t>(bucket_mb * 1024.0 * 1024.0);
  std::vector<std::int64_t> sizes;
  for (std::size_t k = n; k-- > 0;) {
    const auto& p = s.params[k];
    const auto bytes = p.numel() * static_cast<std::int64_t>(p.element_size());
    if (s.buckets.empty() || sizes.back() + bytes > cap ||
        s.params[s.buckets.back().members.front()].scalar_type() != p.scalar_type()) {
      s.buckets.emplace_back();
      sizes.push_back(0);
    }
    s.bucket_of[k] = s.buckets.size() - 1;
    s.offset_of[k] = sizes.back() / p.element_size();
    s.buckets.back().members.push_back(k);
    sizes.back() += bytes;
  }
  for (std::size_t b = 0; b < s.buckets.size(); ++b) {
    const auto& first = s.params[s.buckets[b].members.front()];
    s.buckets[b].flat =
        torch::zeros({sizes[b] / static_cast<std::int64_t>(first.element_size())},
                     torch::TensorOptions().dtype(first.scalar_type()).device(group.device()));
  }
  auto* impl = impl_.get();
  for (std::size_t i = 0; i < n; ++i)
    s.hooks.push_back(s.params[i].register_hook([impl, i](torch::Tensor grad) { impl->arrived(i, grad); }));
}

GradientBuckets::~GradientBuckets() {
  auto& s = *impl_;
  for (std::size_t i = 0; i < s.params.size(); ++i) s.params[i].remove_hook(s.hooks[i]);
}

std::size_t GradientBuckets::bucket_count() const {
  return impl_->buckets.size();
}

void GradientBuckets::begin(double share, const std::string& what) {
  auto& s = *impl_;
  s.share = share;
  s.what = what;
  s.next = 0;
  s.error = nullptr;
  s.seen.assign(s.params.size(), false);
  for (auto& b : s.buckets) b.pending = b.members.size();
}

double GradientBuckets::finish() {
  auto& s = *impl_;
  const auto start = std::chrono::steady_clock::now();
  torch::NoGradGuard no_grad;
  for (auto& b : s.buckets) {
    if (b.pending == 0) continue;
    for (auto i : b.members)
      if (!s.seen[i]) s.slice(i).zero_();
    b.pending = 0;
  }
  try {
    if (!s.error) s.launch_ready();
  } catch (...) {
    s.error = std::current_exception();
  }
  for (auto& b : s.buckets) {
    if (!b.work) continue;
    try {
      b.work->wait();
    } catch (...) {
      if (!s.error) s.error = std::current_exception();
    }
    b.work.reset();
  }
  if (s.error) {
    try {
      std::rethrow_exception(s.error);
    } catch (const std::exception& e) {
      s.group.fail(s.what, e);
    }
  }
  for (std::size_t i = 0; i < s.params.size(); ++i)
    if (s.seen[i]) s.params[i].mutable_grad().copy_(s.slice(i).view_as(s.params[i]));
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::int64_t fingerprint(const std::vector<torch::Tensor>& tensors) {
  // FNV-style mixing, a 64-bit word at a time.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](std::uint64_t word) {
    h ^= word;
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  };
  for (const auto& tensor : tensors) {
    const auto t = tensor.detach().to(torch::kCPU).contiguous();
    mix(static_cast<std::uint64_t>(t.dim()));
    for (auto d : t.sizes()) mix(static_cast<std::uint64_t>(d));
    const auto* bytes = static_cast<const unsigned char*>(t.data_ptr());
    const auto n = t.numel() * static_cast<std::int64_t>(t.element_size());
    std::int64_t k = 0;
    for (; k + 8 <= n; k += 8) {
      std::uint64_t word;
      std::memcpy(&word, bytes + k, 8);
      mix(word);
    }
    std::uint64_t tail = 0;
    std::memcpy(&tail, bytes + k, static_cast<std::size_t>(n - k));
    mix(tail);
  }
  return static_cast<std::int64_t>(h >> 2);
}

}  // namespace hd::edm2
