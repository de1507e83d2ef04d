// SPDX-License-Identifier: GPL-3.0-or-later
// HDF5 output of one simulation: /z, /average/<field>, /scalars/<name>, /series/<name>, a
// `units` attribute on every dataset, and file attributes config (resolved TOML), version
// and status. Written atomically.
#pragma once
#include <filesystem>
#include <string>

#include "hd/hallsim/simulation/simulation.hpp"

namespace hd::hallsim {

void write_result(const std::filesystem::path& file, const Result& result, const std::string& config_toml,
                  const std::string& version);

// Reads back a 1-D dataset (/z, /average/<field>, /series/<name>) or a scalar
// (/scalars/<name>), for plots and tests. A missing dataset, another rank or a non-finite
// value is an hd::Error naming the file and the dataset.
std::vector<double> read_dataset(const std::filesystem::path& file, const std::string& name);
double read_scalar(const std::filesystem::path& file, const std::string& name);

}  // namespace hd::hallsim
