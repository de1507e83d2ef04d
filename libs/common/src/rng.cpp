// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/rng.hpp"

namespace hd {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::uint64_t stream_seed(std::uint64_t master_seed, std::uint64_t index, std::uint64_t purpose) {
  // Chained mixing rather than xor of the inputs: (seed, index) and (index, seed) differ.
  return mix64(mix64(mix64(master_seed) ^ purpose) ^ index);
}

namespace {
std::mt19937_64 seeded_engine(std::uint64_t seed) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
  return std::mt19937_64(seq);
}
}  // namespace

RngStream::RngStream(std::uint64_t master_seed, std::uint64_t index, std::uint64_t purpose)
    : seed_(stream_seed(master_seed, index, purpose)), engine_(seeded_engine(seed_)) {}

double RngStream::uniform() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

double RngStream::normal() {
  return normal_(engine_);
}

}  // namespace hd
