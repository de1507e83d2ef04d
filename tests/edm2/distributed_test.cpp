// SPDX-License-Identifier: GPL-3.0-or-later
// The c10d pieces of data-parallel training (hd/edm2/distributed.hpp) with two ranks in
// one process: a thread each, each with its own Gloo process group over a TCPStore on
// localhost. Threads suffice here because nothing draws from LibTorch's global generator;
// whole training runs use separate processes (data_parallel_test.cpp).
#include "hd/edm2/distributed.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <functional>
#include <thread>

#include "hd/common/error.hpp"
#include "hd/testing/errors.hpp"

namespace hd::edm2 {
namespace {

// A port the kernel just handed out, free unless another process takes it meanwhile.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

World rank_of_two(int rank, int port) {
  World world;
  world.rank = rank;
  world.size = 2;
  world.master_port = port;
  return world;
}

// Runs body(group) as rank 0 and rank 1 at once; returns each rank's error ("" if none).
std::vector<std::string> on_two_ranks(const std::function<void(ProcessGroup&)>& body,
                                      DistributedOptions options = {}) {
  const int port = free_port();
  std::vector<std::string> errors(2);
  auto rank = [&](int r) {
    try {
      ProcessGroup group(rank_of_two(r, port), options, torch::kCPU);
      body(group);
    } catch (const std::exception& e) {
      errors[static_cast<std::size_t>(r)] = e.what();
    }
  };
  std::thread other(rank, 1);
  rank(0);
  other.join();
  return errors;
}

const std::vector<std::string> kNoErrors{"", ""};

TEST(ProcessGroup, CollectivesSumAndCompareOverTheRanks) {
  EXPECT_EQ(on_two_ranks([](ProcessGroup& g) {
              EXPECT_EQ(g.backend(), "gloo");
              EXPECT_EQ(g.sum({g.rank() + 1.0, 0.25}, "test sum"), (std::vector<double>{3.0, 0.5}));
              EXPECT_TRUE(g.all(true, "test all"));
              EXPECT_FALSE(g.all(g.rank() == 0, "test all"));
              EXPECT_TRUE(g.same(1234567890123, "test same"));
              EXPECT_FALSE(g.same(g.rank(), "test same"));
              g.barrier("test barrier");
            }),
            kNoErrors);
}

// Parameters a [3, 4], b [5] and c [2]; c takes no part in the loss. Rank r's loss is
// sum((a x_r)^2) + (r + 1) sum(b^3), with its own inputs x_r.
struct Replica {
  std::vector<torch::Tensor> params;
  Replica() {
    params.push_back(torch::arange(12, torch::kFloat32).reshape({3, 4}).mul(0.1).requires_grad_());
    params.push_back(torch::linspace(-1, 1, 5).requires_grad_());
    params.push_back(torch::ones({2}).requires_grad_());
  }
  torch::Tensor loss(int rank, int step) const {
    const auto x = torch::linspace(-0.3 * (rank + 1), 0.7 + step, 4);
    return params[0].matmul(x).square().sum() + (rank + 1.0) * params[1].pow(3).sum();
  }
};

std::vector<torch::Tensor> local_gradients(int rank, int step) {
  Replica replica;
  auto loss = replica.loss(rank, step);
  return torch::autograd::grad({loss}, {replica.params[0], replica.params[1]});
}

// Whatever the bucket size (one bucket per parameter, or all in one), each rank ends up
// with share_0 g_0 + share_1 g_1: exactly, since two float products add the same way in
// either order. The unused parameter keeps no gradient; a second pass starts afresh.
TEST(GradientBuckets, GiveEveryRankTheShareWeightedSumOfTheRanksGradients) {
  for (const double bucket_mb : {1e-6, 25.0}) {
    EXPECT_EQ(on_two_ranks([&](ProcessGroup& g) {
                Replica replica;
                GradientBuckets buckets(g, replica.params, bucket_mb);
                EXPECT_EQ(buckets.bucket_count(), bucket_mb < 1.0 ? 3u : 1u);
                for (int step = 0; step < 2; ++step) {
                  const std::vector<double> shares{step == 0 ? 0.25 : 0.5, step == 0 ? 0.75 : 0.5};
                  for (auto& p : replica.params) p.mutable_grad() = torch::Tensor();
                  buckets.begin(shares[static_cast<std::size_t>(g.rank())], "the test pass");
                  replica.loss(g.rank(), step).backward();
                  buckets.finish();
                  const auto g0 = local_gradients(0, step), g1 = local_gradients(1, step);
                  for (std::size_t i = 0; i < 2; ++i) {
                    const auto expected = g0[i] * shares[0] + g1[i] * shares[1];
                    EXPECT_TRUE(torch::equal(replica.params[i].grad(), expected))
                        << "rank " << g.rank() << ", parameter " << i << ", bucket_mb " << bucket_mb;
                  }
                  EXPECT_FALSE(replica.params[2].grad().defined());
                }
              }),
              kNoErrors);
  }
}

// A rank that leaves (its process group closes, as when its process dies) makes the
// others' next collective fail with one line naming the rank, the operation and the
// timeout; a rank alone finds no rendezvous within its timeout.
TEST(ProcessGroup, ALostRankOrAMissingOneIsAOneLineError) {
  const auto errors = on_two_ranks([](ProcessGroup& g) {
    if (g.rank() == 1) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    g.sum({1.0}, "the test sum");
  });
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(errors[0].find('\n'), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("rank 0 of 2 (gloo): the test sum failed ("), std::string::npos) << errors[0];
  EXPECT_NE(errors[0].find("distributed.timeout_s = 120 s"), std::string::npos) << errors[0];

  DistributedOptions quick;
  quick.rendezvous_timeout_s = 1.0;
  hd::testing::expect_one_line_error(
      [&] { ProcessGroup alone(rank_of_two(0, free_port()), quick, torch::kCPU); },
      "rank 0 of 2 (gloo): no rendezvous of the 2 ranks at 127.0.0.1:");
}

TEST(Fingerprint, TellsTensorsApartBitForBit) {
  const auto a = torch::linspace(-1, 1, 6).reshape({2, 3});
  EXPECT_EQ(fingerprint({a}), fingerprint({a.clone()}));
  EXPECT_EQ(fingerprint({a, a}), fingerprint({a.clone(), a.clone()}));
  auto ulp = a.clone();
  ulp[1][2] = std::nextafter(ulp[1][2].item<float>(), 2.0f);
  EXPECT_NE(fingerprint({a}), fingerprint({ulp}));
  EXPECT_NE(fingerprint({a}), fingerprint({a.reshape({3, 2})}));
  EXPECT_NE(fingerprint({torch::zeros({1})}), fingerprint({-torch::zeros({1})}));
  EXPECT_GE(fingerprint({a}), 0);
}

}  // namespace
}  // namespace hd::edm2
