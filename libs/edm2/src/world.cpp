// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/world.hpp"

#include <charconv>
#include <cstdlib>

#include "hd/common/error.hpp"

namespace hd::edm2 {

namespace {

struct Variables {
  const char* rank;
  const char* size;
  const char* local_rank;
  const char* local_size;
  const char* launcher;
};

// Precedence: explicit RANK/WORLD_SIZE (torchrun sets them, and a user may override an
// MPI launcher's), then Open MPI, then PMI.
constexpr Variables kLaunchers[] = {
    {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "RANK and WORLD_SIZE"},
    {"OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK",
     "OMPI_COMM_WORLD_LOCAL_SIZE", "Open MPI (OMPI_COMM_WORLD_RANK and _SIZE)"},
    {"PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS", "PMI (PMI_RANK and PMI_SIZE)"},
};

int integer(const Environment& environment, const char* name, int min, int max) {
  const auto text = environment(name).value_or("");
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max)
    throw Error("environment variable " + std::string(name) + " = \"" + text +
                "\": expected an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return value;
}

}  // namespace

World world_from_environment(const Environment& environment) {
  World world;
  for (const auto& v : kLaunchers) {
    const bool has_rank = environment(v.rank).has_value(), has_size = environment(v.size).has_value();
    if (!has_rank && !has_size) continue;
    if (has_rank != has_size)
      throw Error(std::string("environment variable ") + (has_rank ? v.rank : v.size) + " is set but " +
                  (has_rank ? v.size : v.rank) + " is not: set both (or neither, for one process)");
    world.size = integer(environment, v.size, 1, 1 << 20);
    world.rank = integer(environment, v.rank, 0, world.size - 1);
    world.local_rank =
        environment(v.local_rank) ? integer(environment, v.local_rank, 0, 1 << 20) : world.rank;
    world.launcher = v.launcher;
    if (environment(v.local_size)) world.local_size = integer(environment, v.local_size, 1, world.size);
    if (world.local_size > 0 && world.local_size < world.size && !environment("MASTER_ADDR"))
      throw Error(std::string("the ") + std::to_string(world.size) + " ranks of " + v.launcher +
                  " span several nodes: set MASTER_ADDR (and MASTER_PORT) to rank 0's host for the "
                  "rendezvous");
    break;
  }
  if (auto addr = environment("MASTER_ADDR")) {
    if (addr->empty()) throw Error("environment variable MASTER_ADDR is empty: set it to rank 0's host");
    world.master_addr = *addr;
  }
  if (environment("MASTER_PORT")) world.master_port = integer(environment, "MASTER_PORT", 1, 65535);
  return world;
}

World world_from_environment() {
  return world_from_environment([](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  });
}

}  // namespace hd::edm2
