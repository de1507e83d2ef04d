// SPDX-License-Identifier: GPL-3.0-or-later
#include <H5Cpp.h>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/hallsim/output.hpp"

namespace hd::hallsim {
namespace {

void write_string_attribute(H5::H5Object& object, const std::string& name, const std::string& value) {
  const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, value);
}

void write_vector(H5::Group& group, const std::string& name, const std::vector<double>& values,
                  const std::string& units) {
  const hsize_t dims[1] = {values.size()};
  H5::DataSet set = group.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, dims));
  if (!values.empty()) set.write(values.data(), H5::PredType::NATIVE_DOUBLE);
  write_string_attribute(set, "units", units);
}

void write_scalar(H5::Group& group, const std::string& name, double value, const std::string& units) {
  H5::DataSet set = group.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
  set.write(&value, H5::PredType::NATIVE_DOUBLE);
  write_string_attribute(set, "units", units);
}

// Units from the scalar's name suffix (_A, _N) so that the names stay the single source.
std::string scalar_units(const std::string& name) {
  if (name.ends_with("_A")) return "A";
  if (name.ends_with("_N")) return "N";
  if (name.ends_with("_V")) return "V";
  return "1";
}

}  // namespace

void write_result(const std::filesystem::path& file, const Result& result, const std::string& config_toml,
                  const std::string& version) {
  write_file_atomically(file, [&](const std::filesystem::path& tmp) {
    try {
      H5::Exception::dontPrint();
      H5::H5File h5(tmp.string(), H5F_ACC_TRUNC);
      H5::Group root = h5.openGroup("/");
      write_vector(root, "z", result.z_m, "m");
      H5::Group average = h5.createGroup("/average");
      for (const auto& [name, profile] : result.average)
        write_vector(average, name, profile.values, profile.units);
      H5::Group scalars = h5.createGroup("/scalars");
      for (const auto& [name, value] : result.scalars) write_scalar(scalars, name, value, scalar_units(name));
      H5::Group series = h5.createGroup("/series");
      write_vector(series, "time_s", result.time_s, "s");
      write_vector(series, "discharge_current_A", result.discharge_current_a, "A");
      write_vector(series, "thrust_N", result.thrust_n, "N");
      write_string_attribute(root, "config", config_toml);
      write_string_attribute(root, "version", version);
      write_string_attribute(root, "status", to_string(result.status));
      write_string_attribute(root, "status_reason", result.reason);
    } catch (const H5::Exception& e) {
      throw Error(file.string() + ": cannot write HDF5 output: " + e.getDetailMsg());
    }
  });
}

std::vector<double> read_dataset(const std::filesystem::path& file, const std::string& name) {
  try {
    H5::Exception::dontPrint();
    H5::H5File h5(file.string(), H5F_ACC_RDONLY);
    H5::DataSet set = h5.openDataSet(name);
    const H5::DataSpace space = set.getSpace();
    std::vector<double> values(static_cast<std::size_t>(space.getSimpleExtentNpoints()));
    set.read(values.data(), H5::PredType::NATIVE_DOUBLE);
    return values;
  } catch (const H5::Exception&) {
    throw Error(file.string() + ": cannot read dataset " + name);
  }
}

}  // namespace hd::hallsim
