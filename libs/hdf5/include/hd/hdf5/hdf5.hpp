// SPDX-License-Identifier: GPL-3.0-or-later
// HDF5 as the suite writes and reads it: every failure is one hd::Error naming the file
// (HDF5's own error-stack printing is switched off), strings and numeric arrays are named
// attributes, every dataset carries a `units` attribute, and row-appendable datasets are
// chunked and compressed so that files grow as work finishes.
#pragma once
#include <H5Cpp.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hd/common/error.hpp"

namespace hd::hdf5 {

// HDF5 prints its error stack to stderr by default; the suite reports one line instead.
// Idempotent; called by guarded() and by every helper below.
void silence_errors();

// Runs f(); an H5::Exception becomes "FILE: cannot ACTION (HDF5's message)".
template <class F>
auto guarded(const std::filesystem::path& file, std::string_view action, F&& f) -> decltype(f()) {
  silence_errors();
  try {
    return f();
  } catch (const H5::Exception& e) {
    throw Error(file.string() + ": cannot " + std::string(action) + " (" + e.getDetailMsg() + ")");
  }
}

// True when `file` exists and has the HDF5 signature; a missing or foreign file is an
// hd::Error naming it and saying which (`what` names the kind of file expected).
void require_hdf5_file(const std::filesystem::path& file, std::string_view what);

// The in-memory HDF5 type of T (double, float, std::int8_t, std::int32_t, std::int64_t,
// std::uint64_t).
template <class T>
const H5::PredType& native_type();

// ---- attributes
void write_string(H5::H5Object& object, const std::string& name, const std::string& value);
std::string read_string(const H5::H5Object& object, const std::string& name);
void write_strings(H5::H5Object& object, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_strings(const H5::H5Object& object, const std::string& name);

template <class T>
void write_numbers(H5::H5Object& object, const std::string& name, std::span<const T> values);
template <class T>
std::vector<T> read_numbers(const H5::H5Object& object, const std::string& name);
template <class T>
void write_number(H5::H5Object& object, const std::string& name, T value);
template <class T>
T read_number(const H5::H5Object& object, const std::string& name);

// ---- datasets
// The extent of every dimension.
std::vector<hsize_t> shape(const H5::DataSet& set);

// A 1-D float64 dataset with its `units` attribute.
void write_vector(H5::Group& group, const std::string& name, std::span<const double> values,
                  const std::string& units);
// A float64 scalar dataset with its `units` attribute.
void write_scalar(H5::Group& group, const std::string& name, double value, const std::string& units);

// A dataset read as float64 that must be 1-D (or scalar when `rank` is 0) and finite;
// anything else (missing, other rank, NaN) is an hd::Error naming the file and the dataset.
std::vector<double> read_vector(const std::filesystem::path& file, const H5::Group& group,
                                const std::string& name);
double read_scalar(const std::filesystem::path& file, const H5::Group& group, const std::string& name);

// A dataset [0, row_shape...] that grows along its first dimension, chunked by
// `chunk_rows` rows and deflate-compressed (level 4; 0 = uncompressed). With `checksum`
// every chunk carries a Fletcher-32 checksum, so a damaged chunk is a read error rather
// than silently wrong values.
H5::DataSet create_rows(H5::Group& group, const std::string& name, const H5::PredType& file_type,
                        std::span<const hsize_t> row_shape, hsize_t chunk_rows, int deflate_level = 4,
                        bool checksum = false);
// Appends `count` rows (count * row size values of T, row-major) at the end.
template <class T>
void append_rows(H5::DataSet& set, std::span<const T> values, hsize_t count);
// Rows [first, first + count) into `out` (count * row size values).
template <class T>
void read_rows(const H5::DataSet& set, hsize_t first, hsize_t count, T* out);

}  // namespace hd::hdf5
