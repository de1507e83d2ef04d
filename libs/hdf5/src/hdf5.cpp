// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hdf5/hdf5.hpp"

#include <cmath>
#include <mutex>

namespace hd::hdf5 {

void silence_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5::Exception::dontPrint(); });
}

void require_hdf5_file(const std::filesystem::path& file, std::string_view what) {
  silence_errors();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw Error(file.string() + ": no such " + std::string(what));
  bool hdf5 = false;
  try {
    hdf5 = H5::H5File::isHdf5(file.string());
  } catch (const H5::Exception&) {
  }
  if (!hdf5) throw Error(file.string() + ": not an HDF5 file (expected a " + std::string(what) + ")");
}

template <>
const H5::PredType& native_type<double>() {
  return H5::PredType::NATIVE_DOUBLE;
}
template <>
const H5::PredType& native_type<float>() {
  return H5::PredType::NATIVE_FLOAT;
}
template <>
const H5::PredType& native_type<std::int8_t>() {
  return H5::PredType::NATIVE_INT8;
}
template <>
const H5::PredType& native_type<std::int32_t>() {
  return H5::PredType::NATIVE_INT32;
}
template <>
const H5::PredType& native_type<std::int64_t>() {
  return H5::PredType::NATIVE_INT64;
}
template <>
const H5::PredType& native_type<std::uint64_t>() {
  return H5::PredType::NATIVE_UINT64;
}

namespace {
const H5::StrType& string_type() {
  static const H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  return type;
}
}  // namespace

void write_string(H5::H5Object& object, const std::string& name, const std::string& value) {
  silence_errors();
  object.createAttribute(name, string_type(), H5::DataSpace(H5S_SCALAR)).write(string_type(), value);
}

std::string read_string(const H5::H5Object& object, const std::string& name) {
  silence_errors();
  const H5::Attribute attribute = object.openAttribute(name);
  // Fixed-length strings (written by other tools) read through their own type.
  const H5::StrType type = attribute.getStrType();
  std::string value;
  attribute.read(type.isVariableStr() ? string_type() : type, value);
  return value;
}

void write_strings(H5::H5Object& object, const std::string& name, const std::vector<std::string>& values) {
  silence_errors();
  hsize_t n = values.size();
  auto attribute = object.createAttribute(name, string_type(), H5::DataSpace(1, &n));
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  if (n > 0) attribute.write(string_type(), pointers.data());
}

std::vector<std::string> read_strings(const H5::H5Object& object, const std::string& name) {
  silence_errors();
  const H5::Attribute attribute = object.openAttribute(name);
  const auto n = static_cast<std::size_t>(attribute.getSpace().getSimpleExtentNpoints());
  std::vector<char*> pointers(n, nullptr);
  if (n > 0) attribute.read(string_type(), pointers.data());
  std::vector<std::string> values;
  for (char* p : pointers) {
    values.emplace_back(p != nullptr ? p : "");
    H5free_memory(p);
  }
  return values;
}

template <class T>
void write_numbers(H5::H5Object& object, const std::string& name, std::span<const T> values) {
  silence_errors();
  hsize_t n = values.size();
  auto attribute = object.createAttribute(name, native_type<T>(), H5::DataSpace(1, &n));
  if (n > 0) attribute.write(native_type<T>(), values.data());
}

template <class T>
std::vector<T> read_numbers(const H5::H5Object& object, const std::string& name) {
  silence_errors();
  const H5::Attribute attribute = object.openAttribute(name);
  std::vector<T> values(static_cast<std::size_t>(attribute.getSpace().getSimpleExtentNpoints()));
  if (!values.empty()) attribute.read(native_type<T>(), values.data());
  return values;
}

template <class T>
void write_number(H5::H5Object& object, const std::string& name, T value) {
  silence_errors();
  object.createAttribute(name, native_type<T>(), H5::DataSpace(H5S_SCALAR)).write(native_type<T>(), &value);
}

template <class T>
T read_number(const H5::H5Object& object, const std::string& name) {
  silence_errors();
  const H5::Attribute attribute = object.openAttribute(name);
  if (attribute.getSpace().getSimpleExtentNpoints() != 1)
    throw H5::AttributeIException("read_number", "attribute `" + name + "` is not a single number");
  T value{};
  attribute.read(native_type<T>(), &value);
  return value;
}

std::vector<hsize_t> shape(const H5::DataSet& set) {
  const H5::DataSpace space = set.getSpace();
  std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
  if (!dims.empty()) space.getSimpleExtentDims(dims.data());
  return dims;
}

void write_vector(H5::Group& group, const std::string& name, std::span<const double> values,
                  const std::string& units) {
  silence_errors();
  const hsize_t dims[1] = {values.size()};
  H5::DataSet set = group.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(1, dims));
  if (!values.empty()) set.write(values.data(), H5::PredType::NATIVE_DOUBLE);
  write_string(set, "units", units);
}

void write_scalar(H5::Group& group, const std::string& name, double value, const std::string& units) {
  silence_errors();
  H5::DataSet set = group.createDataSet(name, H5::PredType::IEEE_F64LE, H5::DataSpace(H5S_SCALAR));
  set.write(&value, H5::PredType::NATIVE_DOUBLE);
  write_string(set, "units", units);
}

namespace {

std::vector<double> read_finite(const std::filesystem::path& file, const H5::Group& group,
                                const std::string& name, int rank) {
  return guarded(file, "read dataset " + name, [&] {
    if (!group.nameExists(name)) throw Error(file.string() + ": missing dataset " + name);
    const H5::DataSet set = group.openDataSet(name);
    if (set.getTypeClass() != H5T_FLOAT && set.getTypeClass() != H5T_INTEGER)
      throw Error(file.string() + ": dataset " + name + " is not numeric");
    const auto dims = shape(set);
    if (static_cast<int>(dims.size()) != rank)
      throw Error(file.string() + ": dataset " + name + " has " + std::to_string(dims.size()) +
                  " dimensions, expected " + std::to_string(rank));
    std::vector<double> values(static_cast<std::size_t>(set.getSpace().getSimpleExtentNpoints()));
    if (!values.empty()) set.read(values.data(), H5::PredType::NATIVE_DOUBLE);
    for (double v : values) {
      if (!std::isfinite(v)) throw Error(file.string() + ": dataset " + name + " holds a non-finite value");
    }
    return values;
  });
}

}  // namespace

std::vector<double> read_vector(const std::filesystem::path& file, const H5::Group& group,
                                const std::string& name) {
  return read_finite(file, group, name, 1);
}

double read_scalar(const std::filesystem::path& file, const H5::Group& group, const std::string& name) {
  return read_finite(file, group, name, 0).at(0);
}

H5::DataSet create_rows(H5::Group& group, const std::string& name, const H5::PredType& file_type,
                        std::span<const hsize_t> row_shape, hsize_t chunk_rows, int deflate_level,
                        bool checksum) {
  silence_errors();
  std::vector<hsize_t> dims{0}, max{H5S_UNLIMITED}, chunk{std::max<hsize_t>(chunk_rows, 1)};
  for (hsize_t d : row_shape) {
    dims.push_back(d);
    // A chunk may not exceed a fixed extent, so an empty dimension is unlimited.
    max.push_back(d > 0 ? d : H5S_UNLIMITED);
    chunk.push_back(std::max<hsize_t>(d, 1));
  }
  H5::DSetCreatPropList props;
  props.setChunk(static_cast<int>(chunk.size()), chunk.data());
  if (checksum) props.setFletcher32();
  if (deflate_level > 0) {
    props.setShuffle();
    props.setDeflate(deflate_level);
  }
  return group.createDataSet(name, file_type,
                             H5::DataSpace(static_cast<int>(dims.size()), dims.data(), max.data()), props);
}

template <class T>
void append_rows(H5::DataSet& set, std::span<const T> values, hsize_t count) {
  silence_errors();
  auto extent = shape(set);
  const hsize_t first = extent[0];
  extent[0] = first + count;
  set.extend(extent.data());
  if (count == 0 || values.empty()) return;
  H5::DataSpace file_space = set.getSpace();
  std::vector<hsize_t> start(extent.size(), 0), block = extent;
  start[0] = first;
  block[0] = count;
  file_space.selectHyperslab(H5S_SELECT_SET, block.data(), start.data());
  H5::DataSpace memory(static_cast<int>(block.size()), block.data());
  set.write(values.data(), native_type<T>(), memory, file_space);
}

template <class T>
void read_rows(const H5::DataSet& set, hsize_t first, hsize_t count, T* out) {
  silence_errors();
  const auto dims = shape(set);
  H5::DataSpace file_space = set.getSpace();
  std::vector<hsize_t> start(dims.size(), 0), extent = dims;
  start[0] = first;
  extent[0] = count;
  file_space.selectHyperslab(H5S_SELECT_SET, extent.data(), start.data());
  H5::DataSpace memory(static_cast<int>(extent.size()), extent.data());
  set.read(out, native_type<T>(), memory, file_space);
}

#define HD_HDF5_INSTANTIATE(T)                                                           \
  template void write_numbers<T>(H5::H5Object&, const std::string&, std::span<const T>); \
  template std::vector<T> read_numbers<T>(const H5::H5Object&, const std::string&);      \
  template void write_number<T>(H5::H5Object&, const std::string&, T);                   \
  template T read_number<T>(const H5::H5Object&, const std::string&);                    \
  template void append_rows<T>(H5::DataSet&, std::span<const T>, hsize_t);               \
  template void read_rows<T>(const H5::DataSet&, hsize_t, hsize_t, T*);
HD_HDF5_INSTANTIATE(double)
HD_HDF5_INSTANTIATE(float)
HD_HDF5_INSTANTIATE(std::int8_t)
HD_HDF5_INSTANTIATE(std::int32_t)
HD_HDF5_INSTANTIATE(std::int64_t)
HD_HDF5_INSTANTIATE(std::uint64_t)
#undef HD_HDF5_INSTANTIATE

}  // namespace hd::hdf5
