// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/rng.hpp"

#include <cmath>

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
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

// (v1, v2) uniform in the unit disc, s = v1^2 + v2^2, then v1 sqrt(-2 ln s / s) ~ N(0, 1).
// The pair's second normal is dropped so that a draw depends on nothing but the stream (no
// cached state to save on resume).
double RngStream::normal() {
  while (true) {
    const double v1 = 2.0 * uniform() - 1.0;
    const double v2 = 2.0 * uniform() - 1.0;
    const double s = v1 * v1 + v2 * v2;
    if (s > 0.0 && s < 1.0) return v1 * std::sqrt(-2.0 * std::log(s) / s);
  }
}

}  // namespace hd
