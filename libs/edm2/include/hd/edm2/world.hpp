// SPDX-License-Identifier: GPL-3.0-or-later
// Which process of a data-parallel training run this is (docs/training.md), read from
// the environment that launchers set, in this order of precedence:
//   RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE    torchrun, or set by hand (e.g.
//                                       from Slurm's SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID)
//   OMPI_COMM_WORLD_RANK, _SIZE, _LOCAL_RANK, _LOCAL_SIZE    Open MPI's mpirun
//   PMI_RANK, PMI_SIZE, MPI_LOCALRANKID, MPI_LOCALNRANKS     MPICH and Intel MPI
// with MASTER_ADDR and MASTER_PORT (default 127.0.0.1:29500, torchrun's port) for the
// rendezvous. Without any of them the process is a world of one. Torch-free.
#pragma once
#include <functional>
#include <optional>
#include <string>

namespace hd::edm2 {

struct World {
  int rank = 0;
  int size = 1;
  int local_rank = 0;  // the rank among the processes of its node (LOCAL_RANK, else rank)
  int local_size = 0;  // the processes on this node; 0 when the launcher does not say
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string launcher = "a single process";  // where rank and size came from, for messages
  bool distributed() const { return size > 1; }
};

// The value of an environment variable, or nothing when it is unset.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// Reads the world from `environment`. A rank variable without its size (or the reverse),
// a value that is not an integer in range, or several nodes (a local size below the world
// size) without MASTER_ADDR is a one-line hd::Error naming the variable.
World world_from_environment(const Environment& environment);
// The same, from this process's environment.
World world_from_environment();

}  // namespace hd::edm2
