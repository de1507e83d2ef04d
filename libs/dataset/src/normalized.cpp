// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/dataset/normalized.hpp"

#include <H5Cpp.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"

namespace hd::dataset {

namespace {

constexpr const char* kFormat = "hall_diffusion.normalized/1";

// HDF5's own error stack printing is noise for the user: every failure becomes one
// hd::Error naming the file instead.
struct QuietHdf5 {
  QuietHdf5() { H5::Exception::dontPrint(); }
};
const QuietHdf5 quiet_hdf5;

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw Error(path.string() + ": " + problem);
}

template <class F>
auto guarded(const std::filesystem::path& path, const char* action, F&& f) {
  try {
    return f();
  } catch (const H5::Exception& e) {
    fail(path, std::string("cannot ") + action + " (" + e.getDetailMsg() + ")");
  }
}

void write_strings(H5::H5Object& object, const char* name, const std::vector<std::string>& values) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  hsize_t n = values.size();
  H5::DataSpace space(1, &n);
  auto attribute = object.createAttribute(name, type, space);
  std::vector<const char*> pointers;
  for (const auto& v : values) pointers.push_back(v.c_str());
  if (n > 0) attribute.write(type, pointers.data());
}

std::vector<std::string> read_strings(const H5::H5Object& object, const char* name) {
  auto attribute = object.openAttribute(name);
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  const auto n = static_cast<std::size_t>(attribute.getSpace().getSimpleExtentNpoints());
  std::vector<char*> pointers(n, nullptr);
  if (n > 0) attribute.read(type, pointers.data());
  std::vector<std::string> values;
  for (char* p : pointers) {
    values.emplace_back(p != nullptr ? p : "");
    H5free_memory(p);
  }
  return values;
}

template <class T>
void write_array(H5::H5Object& object, const char* name, const std::vector<T>& values,
                 const H5::PredType& type) {
  hsize_t n = values.size();
  auto attribute = object.createAttribute(name, type, H5::DataSpace(1, &n));
  if (n > 0) attribute.write(type, values.data());
}

template <class T>
std::vector<T> read_array(const H5::H5Object& object, const char* name, const H5::PredType& type) {
  auto attribute = object.openAttribute(name);
  std::vector<T> values(static_cast<std::size_t>(attribute.getSpace().getSimpleExtentNpoints()));
  if (!values.empty()) attribute.read(type, values.data());
  return values;
}

void write_normalization(H5::DataSet& set, const char* names_key, const Normalization& n) {
  write_strings(set, names_key, n.names);
  write_array(set, "mean", n.mean, H5::PredType::NATIVE_DOUBLE);
  write_array(set, "std", n.std, H5::PredType::NATIVE_DOUBLE);
  std::vector<std::int8_t> log(n.log.begin(), n.log.end());
  write_array(set, "log", log, H5::PredType::NATIVE_INT8);
}

Normalization read_normalization(const std::filesystem::path& path, const H5::DataSet& set,
                                 const char* set_name, const char* names_key) {
  Normalization n;
  n.names = read_strings(set, names_key);
  n.mean = read_array<double>(set, "mean", H5::PredType::NATIVE_DOUBLE);
  n.std = read_array<double>(set, "std", H5::PredType::NATIVE_DOUBLE);
  auto log = read_array<std::int8_t>(set, "log", H5::PredType::NATIVE_INT8);
  n.log.assign(log.begin(), log.end());
  if (n.mean.size() != n.names.size() || n.std.size() != n.names.size() || n.log.size() != n.names.size())
    fail(path, std::string("attributes of `") + set_name + "` (mean, std, log) do not match its " +
                   std::to_string(n.names.size()) + " names");
  return n;
}

void check_normalization(const Normalization& n, std::size_t expected, const char* what) {
  if (n.names.size() != expected || n.mean.size() != expected || n.std.size() != expected ||
      n.log.size() != expected)
    throw Error(std::string("dataset metadata: ") + what + " needs " + std::to_string(expected) +
                " names, means, stds and log flags");
}

std::vector<hsize_t> dims_of(const H5::DataSet& set) {
  auto space = set.getSpace();
  std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
  space.getSimpleExtentDims(dims.data());
  return dims;
}

// Reads rows [first, first + count) of a [N, ...] dataset into `out`.
void read_rows(const H5::DataSet& set, hsize_t first, hsize_t count, hsize_t row_size, float* out) {
  auto dims = dims_of(set);
  auto file_space = set.getSpace();
  std::vector<hsize_t> start(dims.size(), 0), extent = dims;
  start[0] = first;
  extent[0] = count;
  file_space.selectHyperslab(H5S_SELECT_SET, extent.data(), start.data());
  hsize_t n = count * row_size;
  H5::DataSpace memory(1, &n);
  set.read(out, H5::PredType::NATIVE_FLOAT, memory, file_space);
}

// Fisher-Yates with the suite's RNG streams, so the order is identical on every platform.
void shuffle(std::vector<std::int64_t>& values, RngStream& rng) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(rng() % i);
    std::swap(values[i - 1], values[j]);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
struct Writer::Impl {
  std::filesystem::path path;
  H5::H5File file;
  H5::DataSet fields, params;
  std::int64_t channels, length, num_params, rows = 0;
  bool open = true;
};

Writer::Writer(const std::filesystem::path& path, const Metadata& m, std::int64_t chunk_rows) {
  check_normalization(m.fields, m.fields.names.size(), "fields");
  check_normalization(m.params, m.params.names.size(), "params");
  if (m.channels() == 0 || m.length() == 0)
    throw Error(path.string() + ": a dataset needs channels and a grid");
  impl_ = guarded(path, "create the dataset", [&] {
    auto impl = std::make_unique<Impl>(Impl{
        path, H5::H5File(path.string(), H5F_ACC_TRUNC), {}, {}, m.channels(), m.length(), m.num_params()});
    const auto c = static_cast<hsize_t>(m.channels()), l = static_cast<hsize_t>(m.length());
    const auto p = static_cast<hsize_t>(m.num_params()), rows = static_cast<hsize_t>(chunk_rows);
    {
      hsize_t dims[3] = {0, c, l}, max[3] = {H5S_UNLIMITED, c, l}, chunk[3] = {rows, c, l};
      H5::DSetCreatPropList props;
      props.setChunk(3, chunk);
      impl->fields =
          impl->file.createDataSet("fields", H5::PredType::IEEE_F32LE, H5::DataSpace(3, dims, max), props);
    }
    {
      // A chunk may not exceed a fixed extent, so zero scalars get an unlimited width.
      hsize_t dims[2] = {0, p}, max[2] = {H5S_UNLIMITED, p > 0 ? p : H5S_UNLIMITED},
              chunk[2] = {rows, std::max<hsize_t>(p, 1)};
      H5::DSetCreatPropList props;
      props.setChunk(2, chunk);
      impl->params =
          impl->file.createDataSet("params", H5::PredType::IEEE_F32LE, H5::DataSpace(2, dims, max), props);
    }
    hsize_t nz = l;
    auto z = impl->file.createDataSet("z", H5::PredType::IEEE_F64LE, H5::DataSpace(1, &nz));
    z.write(m.z_m.data(), H5::PredType::NATIVE_DOUBLE);
    write_strings(z, "units", {"m"});
    write_normalization(impl->fields, "channels", m.fields);
    write_strings(impl->fields, "units", {"normalized: (T(v) - mean) / std, T = ln where log"});
    write_strings(impl->params, "units", {"normalized: (T(v) - mean) / std, T = ln where log"});
    write_normalization(impl->params, "names", m.params);
    H5::DataSpace scalar(H5S_SCALAR);
    impl->file.createAttribute("target_std", H5::PredType::NATIVE_DOUBLE, scalar)
        .write(H5::PredType::NATIVE_DOUBLE, &m.target_std);
    H5::StrType format_type(H5::PredType::C_S1, std::strlen(kFormat));
    impl->file.createAttribute("format", format_type, scalar).write(format_type, kFormat);
    return impl;
  });
}

Writer::~Writer() {
  if (impl_ && impl_->open) impl_->file.close();
}

std::int64_t Writer::rows() const {
  return impl_->rows;
}

void Writer::append(std::span<const float> fields, std::span<const float> params) {
  auto& w = *impl_;
  const auto row = static_cast<std::size_t>(w.channels * w.length);
  const auto n = fields.size() / row;
  if (fields.size() != n * row || params.size() != n * static_cast<std::size_t>(w.num_params))
    throw Error(w.path.string() + ": append needs whole rows of fields [n, " + std::to_string(w.channels) +
                ", " + std::to_string(w.length) + "] and params [n, " + std::to_string(w.num_params) + "]");
  if (n == 0) return;
  guarded(w.path, "append rows", [&] {
    const auto first = static_cast<hsize_t>(w.rows), count = static_cast<hsize_t>(n);
    auto write = [&](H5::DataSet& set, const float* data, std::vector<hsize_t> extent) {
      extent[0] = first + count;
      set.extend(extent.data());
      auto file_space = set.getSpace();
      std::vector<hsize_t> start(extent.size(), 0), block = extent;
      start[0] = first;
      block[0] = count;
      file_space.selectHyperslab(H5S_SELECT_SET, block.data(), start.data());
      H5::DataSpace memory(static_cast<int>(block.size()), block.data());
      set.write(data, H5::PredType::NATIVE_FLOAT, memory, file_space);
    };
    write(w.fields, fields.data(), {0, static_cast<hsize_t>(w.channels), static_cast<hsize_t>(w.length)});
    if (w.num_params > 0)
      write(w.params, params.data(), {0, static_cast<hsize_t>(w.num_params)});
    else {
      hsize_t extent[2] = {first + count, 0};
      w.params.extend(extent);
    }
    return 0;
  });
  w.rows += static_cast<std::int64_t>(n);
}

void Writer::close() {
  if (!impl_->open) return;
  guarded(impl_->path, "close the dataset", [&] {
    impl_->file.close();
    return 0;
  });
  impl_->open = false;
}

// ---------------------------------------------------------------------------------------
struct Reader::Impl {
  std::filesystem::path path;
  H5::H5File file;
  H5::DataSet fields, params;
  Metadata metadata;
  std::int64_t rows = 0;
};

Reader::Reader(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) fail(path, "no such dataset file");
  impl_ = guarded(path, "read the normalized dataset", [&] {
    if (!H5::H5File::isHdf5(path.string())) fail(path, "not an HDF5 file");
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->file.openFile(path.string(), H5F_ACC_RDONLY);
    for (const char* name : {"fields", "params", "z"})
      if (!impl->file.nameExists(name)) fail(path, std::string("missing dataset `") + name + "`");
    impl->fields = impl->file.openDataSet("fields");
    impl->params = impl->file.openDataSet("params");
    auto z = impl->file.openDataSet("z");
    const auto fd = dims_of(impl->fields), pd = dims_of(impl->params), zd = dims_of(z);
    if (fd.size() != 3 || pd.size() != 2 || zd.size() != 1)
      fail(path, "expected fields [N, C, L], params [N, P] and z [L]");
    if (pd[0] != fd[0] || zd[0] != fd[2]) fail(path, "fields, params and z disagree on N or L");
    auto& m = impl->metadata;
    m.z_m.resize(zd[0]);
    z.read(m.z_m.data(), H5::PredType::NATIVE_DOUBLE);
    m.fields = read_normalization(path, impl->fields, "fields", "channels");
    m.params = read_normalization(path, impl->params, "params", "names");
    if (m.fields.names.size() != fd[1] || m.params.names.size() != pd[1])
      fail(path, "channel or parameter names do not match the array shapes");
    impl->file.openAttribute("target_std").read(H5::PredType::NATIVE_DOUBLE, &m.target_std);
    impl->rows = static_cast<std::int64_t>(fd[0]);
    return impl;
  });
}

Reader::~Reader() = default;
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
const Metadata& Reader::metadata() const {
  return impl_->metadata;
}
std::int64_t Reader::rows() const {
  return impl_->rows;
}
const std::filesystem::path& Reader::path() const {
  return impl_->path;
}

Batch Reader::read(std::span<const std::int64_t> indices) const {
  const auto& m = impl_->metadata;
  const auto field_row = static_cast<std::size_t>(m.channels() * m.length());
  const auto param_row = static_cast<std::size_t>(m.num_params());
  Batch batch;
  batch.size = static_cast<std::int64_t>(indices.size());
  batch.indices.assign(indices.begin(), indices.end());
  batch.fields.resize(indices.size() * field_row);
  batch.params.resize(indices.size() * param_row);
  for (auto index : indices)
    if (index < 0 || index >= impl_->rows)
      fail(impl_->path, "row " + std::to_string(index) + " is out of range (the dataset has " +
                            std::to_string(impl_->rows) + " rows); is the split for another dataset?");
  guarded(impl_->path, "read rows", [&] {
    for (std::size_t i = 0; i < indices.size();) {
      std::size_t run = 1;
      while (i + run < indices.size() && indices[i + run] == indices[i] + static_cast<std::int64_t>(run))
        ++run;
      const auto first = static_cast<hsize_t>(indices[i]);
      read_rows(impl_->fields, first, run, field_row, batch.fields.data() + i * field_row);
      if (param_row > 0) read_rows(impl_->params, first, run, param_row, batch.params.data() + i * param_row);
      i += run;
    }
    return 0;
  });
  return batch;
}

// ---------------------------------------------------------------------------------------
void write_split(const std::filesystem::path& path, std::span<const std::int64_t> indices,
                 const std::string& dataset_name) {
  guarded(path, "write the split", [&] {
    H5::H5File file(path.string(), H5F_ACC_TRUNC);
    hsize_t n = indices.size();
    auto set = file.createDataSet("indices", H5::PredType::STD_I64LE, H5::DataSpace(1, &n));
    if (n > 0) set.write(indices.data(), H5::PredType::NATIVE_INT64);
    write_strings(set, "dataset", {dataset_name});
    return 0;
  });
}

std::vector<std::int64_t> read_split(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) fail(path, "no such split file");
  return guarded(path, "read the split", [&] {
    if (!H5::H5File::isHdf5(path.string())) fail(path, "not an HDF5 file");
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    if (!file.nameExists("indices")) fail(path, "missing dataset `indices`");
    auto set = file.openDataSet("indices");
    std::vector<std::int64_t> indices(static_cast<std::size_t>(set.getSpace().getSimpleExtentNpoints()));
    if (!indices.empty()) set.read(indices.data(), H5::PredType::NATIVE_INT64);
    return indices;
  });
}

// ---------------------------------------------------------------------------------------
struct StreamingReader::Impl {
  Impl(Reader r, std::vector<std::int64_t> s, const StreamOptions& o)
      : reader(std::move(r)), split(std::move(s)), options(o) {}
  Reader reader;
  std::vector<std::int64_t> split;  // sorted rows of the split
  StreamOptions options;
  std::int64_t position = 0;
  // The window currently in memory.
  std::int64_t epoch = -1, window = -1;
  std::vector<std::int64_t> window_starts;  // epoch offsets where each window begins
  std::vector<std::int64_t> chunk_order;    // this epoch's chunk permutation
  std::vector<std::int64_t> row_order;      // the window's rows in delivery order
  Batch rows;                               // the window's data, in row_order

  std::int64_t num_chunks() const {
    return (static_cast<std::int64_t>(split.size()) + options.chunk_rows - 1) / options.chunk_rows;
  }
  std::int64_t chunk_size(std::int64_t chunk) const {
    return std::min<std::int64_t>(options.chunk_rows,
                                  static_cast<std::int64_t>(split.size()) - chunk * options.chunk_rows);
  }

  void plan_epoch(std::int64_t e) {
    if (e == epoch) return;
    epoch = e;
    chunk_order.resize(static_cast<std::size_t>(num_chunks()));
    std::iota(chunk_order.begin(), chunk_order.end(), 0);
    RngStream rng(options.seed, static_cast<std::uint64_t>(e), purpose_tag("dataset.chunks"));
    shuffle(chunk_order, rng);
    window_starts.assign(1, 0);
    for (std::size_t c = 0; c < chunk_order.size(); c += static_cast<std::size_t>(options.window_chunks)) {
      std::int64_t size = 0;
      for (std::size_t k = c; k < std::min(chunk_order.size(), c + options.window_chunks); ++k)
        size += chunk_size(chunk_order[k]);
      window_starts.push_back(window_starts.back() + size);
    }
    window = -1;
  }

  void load_window(std::int64_t w) {
    if (w == window) return;
    window = w;
    row_order.clear();
    const auto first = static_cast<std::size_t>(w * options.window_chunks);
    const auto last = std::min(chunk_order.size(), first + static_cast<std::size_t>(options.window_chunks));
    std::vector<std::int64_t> chunks(chunk_order.begin() + static_cast<std::ptrdiff_t>(first),
                                     chunk_order.begin() + static_cast<std::ptrdiff_t>(last));
    // Reading chunks in file order keeps the reads sequential; the shuffle below decides
    // the delivery order.
    std::sort(chunks.begin(), chunks.end());
    for (auto c : chunks) {
      auto begin = split.begin() + c * options.chunk_rows;
      row_order.insert(row_order.end(), begin, begin + chunk_size(c));
    }
    RngStream rng(options.seed, static_cast<std::uint64_t>(epoch * (num_chunks() + 1) + w),
                  purpose_tag("dataset.window"));
    std::vector<std::int64_t> order(row_order.size());
    std::iota(order.begin(), order.end(), 0);
    shuffle(order, rng);
    auto data = reader.read(row_order);
    const auto field_row = data.fields.size() / row_order.size();
    const auto param_row = data.params.size() / row_order.size();
    rows.size = data.size;
    rows.fields.resize(data.fields.size());
    rows.params.resize(data.params.size());
    rows.indices.resize(row_order.size());
    for (std::size_t r = 0; r < order.size(); ++r) {
      const auto src = static_cast<std::size_t>(order[r]);
      std::copy_n(data.fields.begin() + src * field_row, field_row, rows.fields.begin() + r * field_row);
      std::copy_n(data.params.begin() + src * param_row, param_row, rows.params.begin() + r * param_row);
      rows.indices[r] = row_order[src];
    }
  }
};

StreamingReader::StreamingReader(const std::filesystem::path& path, std::vector<std::int64_t> split,
                                 const StreamOptions& options)
    : impl_(std::make_unique<Impl>(Reader(path), std::move(split), options)) {
  auto& s = impl_->split;
  if (s.empty()) {
    s.resize(static_cast<std::size_t>(impl_->reader.rows()));
    std::iota(s.begin(), s.end(), 0);
  }
  std::sort(s.begin(), s.end());
  if (s.empty()) fail(path, "the dataset (or its split) has no rows to train on");
  if (s.front() < 0 || s.back() >= impl_->reader.rows())
    fail(path, "split index " + std::to_string(s.front() < 0 ? s.front() : s.back()) +
                   " is out of range (the dataset has " + std::to_string(impl_->reader.rows()) + " rows)");
  if (options.batch_size < 1 || options.chunk_rows < 1 || options.window_chunks < 1)
    throw Error("streaming reader: batch_size, chunk_rows and window_chunks must be positive");
}

StreamingReader::~StreamingReader() = default;
const Metadata& StreamingReader::metadata() const {
  return impl_->reader.metadata();
}
std::int64_t StreamingReader::split_size() const {
  return static_cast<std::int64_t>(impl_->split.size());
}
std::int64_t StreamingReader::position() const {
  return impl_->position;
}
void StreamingReader::seek(std::int64_t position) {
  impl_->position = position;
}

Batch StreamingReader::next() {
  auto& s = *impl_;
  const auto& m = s.reader.metadata();
  const auto field_row = static_cast<std::size_t>(m.channels() * m.length());
  const auto param_row = static_cast<std::size_t>(m.num_params());
  const auto n = static_cast<std::int64_t>(s.split.size());
  Batch batch;
  batch.size = s.options.batch_size;
  batch.fields.resize(static_cast<std::size_t>(batch.size) * field_row);
  batch.params.resize(static_cast<std::size_t>(batch.size) * param_row);
  for (std::int64_t b = 0; b < batch.size; ++b, ++s.position) {
    s.plan_epoch(s.position / n);
    const auto offset = s.position % n;
    const auto w = std::upper_bound(s.window_starts.begin(), s.window_starts.end(), offset) -
                   s.window_starts.begin() - 1;
    s.load_window(w);
    const auto r = static_cast<std::size_t>(offset - s.window_starts[static_cast<std::size_t>(w)]);
    std::copy_n(s.rows.fields.begin() + r * field_row, field_row, batch.fields.begin() + b * field_row);
    std::copy_n(s.rows.params.begin() + r * param_row, param_row, batch.params.begin() + b * param_row);
    batch.indices.push_back(s.rows.indices[r]);
  }
  return batch;
}

}  // namespace hd::dataset
