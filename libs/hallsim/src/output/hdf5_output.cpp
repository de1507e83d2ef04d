// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/hallsim/output.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace hd::hallsim {

void write_result(const std::filesystem::path& file, const Result& result, const std::string& config_toml,
                  const std::string& version) {
  write_file_atomically(file, [&](const std::filesystem::path& tmp) {
    hdf5::guarded(file, "write HDF5 output", [&] {
      H5::H5File h5(tmp.string(), H5F_ACC_TRUNC);
      H5::Group root = h5.openGroup("/");
      hdf5::write_vector(root, "z", result.z_m, "m");
      H5::Group average = h5.createGroup("/average");
      for (const auto& [name, profile] : result.average)
        hdf5::write_vector(average, name, profile.values, profile.units);
      H5::Group scalars = h5.createGroup("/scalars");
      for (const auto& [name, scalar] : result.scalars)
        hdf5::write_scalar(scalars, name, scalar.value, scalar.units);
      H5::Group series = h5.createGroup("/series");
      for (const auto& [name, values] : result.series)
        hdf5::write_vector(series, name, values.values, values.units);
      hdf5::write_string(root, "config", config_toml);
      hdf5::write_string(root, "version", version);
      hdf5::write_string(root, "status", to_string(result.status));
      hdf5::write_string(root, "status_reason", result.reason);
    });
  });
}

std::vector<double> read_dataset(const std::filesystem::path& file, const std::string& name) {
  hdf5::require_hdf5_file(file, "hallsim output file");
  return hdf5::guarded(file, "read dataset " + name, [&] {
    const H5::H5File h5(file.string(), H5F_ACC_RDONLY);
    return hdf5::read_vector(file, h5.openGroup("/"), name);
  });
}

double read_scalar(const std::filesystem::path& file, const std::string& name) {
  hdf5::require_hdf5_file(file, "hallsim output file");
  return hdf5::guarded(file, "read dataset " + name, [&] {
    const H5::H5File h5(file.string(), H5F_ACC_RDONLY);
    return hdf5::read_scalar(file, h5.openGroup("/"), name);
  });
}

}  // namespace hd::hallsim
