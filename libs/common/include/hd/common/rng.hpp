// SPDX-License-Identifier: GPL-3.0-or-later
// Reproducible random streams. One master seed gives any number of statistically
// independent streams, addressed by (purpose, index): simulation 17 of a dataset draws the
// same parameters whether it runs first, last, on rank 3 or after a resume.
#pragma once
#include <cstdint>
#include <random>
#include <span>
#include <utility>

namespace hd {

// SplitMix64 finaliser: a bijective 64-bit mixer (Steele, Lea & Flood 2014).
std::uint64_t mix64(std::uint64_t x);

// Seed of stream `index` for `purpose` under `master_seed`. Different purposes (e.g.
// "params", "noise") give unrelated streams for the same index.
std::uint64_t stream_seed(std::uint64_t master_seed, std::uint64_t index, std::uint64_t purpose = 0);

// 64-bit generator seeded from a stream seed through std::seed_seq, so neighbouring
// indices do not produce correlated Mersenne Twister states.
class RngStream {
 public:
  using result_type = std::mt19937_64::result_type;
  RngStream(std::uint64_t master_seed, std::uint64_t index, std::uint64_t purpose = 0);
  static constexpr result_type min() { return std::mt19937_64::min(); }
  static constexpr result_type max() { return std::mt19937_64::max(); }
  result_type operator()() { return engine_(); }
  // Variates built from the engine's bits with IEEE arithmetic and std::log only, so that a
  // stream gives the same numbers on every platform (std::uniform_real_distribution and
  // std::normal_distribution are implementation-defined).
  double uniform();  // [0, 1): the top 53 bits times 2^-53
  double normal();   // N(0, 1), Marsaglia's polar method
  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::mt19937_64 engine_;
};

// Fisher-Yates shuffle driven by an RngStream, so the order is the same on every platform
// (std::shuffle's use of the generator is implementation-defined). The modulo bias is
// below size / 2^64.
template <class T>
void shuffle(std::span<T> values, RngStream& rng) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng() % i);
    std::swap(values[i - 1], values[j]);
  }
}

// A stable 64-bit tag for a purpose name (FNV-1a), e.g. purpose_tag("params").
constexpr std::uint64_t purpose_tag(const char* name) {
  std::uint64_t h = 14695981039346656037ull;
  for (; *name != '\0'; ++name) h = (h ^ static_cast<unsigned char>(*name)) * 1099511628211ull;
  return h;
}

}  // namespace hd
