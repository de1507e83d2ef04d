// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/dataset/normalized.hpp"

#include <algorithm>
#include <numeric>

#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace hd::dataset {

namespace {

constexpr const char* kFormat = "hall_diffusion.normalized/1";
constexpr const char* kNormalizedUnits = "normalized: (T(v) - mean) / std, T = ln where log";

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw Error(path.string() + ": " + problem);
}

// The normalization of a group as attributes of its dataset.
void write_normalization(H5::DataSet& set, const char* names_key, const normalize::Normalization& n) {
  hdf5::write_strings(set, names_key, n.names);
  hdf5::write_numbers<double>(set, "mean", n.mean);
  hdf5::write_numbers<double>(set, "std", n.std);
  const std::vector<std::int8_t> log(n.log.begin(), n.log.end());
  hdf5::write_numbers<std::int8_t>(set, "log", log);
  hdf5::write_strings(set, "units", n.units);
}

normalize::Normalization read_normalization(const std::filesystem::path& path, const H5::DataSet& set,
                                            const char* set_name, const char* names_key) {
  normalize::Normalization n;
  n.names = hdf5::read_strings(set, names_key);
  n.mean = hdf5::read_numbers<double>(set, "mean");
  n.std = hdf5::read_numbers<double>(set, "std");
  const auto log = hdf5::read_numbers<std::int8_t>(set, "log");
  n.log.assign(log.begin(), log.end());
  n.units = hdf5::read_strings(set, "units");
  normalize::validate(n, path.string() + ": `" + set_name + "`");
  return n;
}

// v * 0 is 0 for every finite v and NaN for an infinity or a NaN, so one branch-free
// (vectorizable) pass tells whether all values are finite.
bool all_finite(std::span<const float> values) {
  float sum = 0.0f;
  for (float v : values) sum += v * 0.0f;
  return sum == 0.0f;
}

// A batch of `size` rows of the dataset's shapes, to be filled by copy_row.
Batch empty_batch(const Metadata& m, std::int64_t size) {
  const auto n = static_cast<std::size_t>(size);
  Batch b;
  b.size = size;
  b.fields.resize(n * static_cast<std::size_t>(m.channels() * m.length()));
  b.params.resize(n * static_cast<std::size_t>(m.num_params()));
  b.scalars.resize(n * static_cast<std::size_t>(m.num_scalars()));
  b.rows.resize(n);
  b.simulation.resize(n);
  return b;
}

// Sample `src` of `from` becomes sample `dst` of `to` (same shapes).
void copy_row(const Batch& from, std::size_t src, Batch& to, std::size_t dst) {
  const auto n_from = static_cast<std::size_t>(from.size);
  for (auto [a, b] : {std::pair{&from.fields, &to.fields}, std::pair{&from.params, &to.params},
                      std::pair{&from.scalars, &to.scalars}}) {
    const std::size_t row = a->size() / n_from;
    std::copy_n(a->begin() + static_cast<std::ptrdiff_t>(src * row), row,
                b->begin() + static_cast<std::ptrdiff_t>(dst * row));
  }
  to.rows[dst] = from.rows[src];
  to.simulation[dst] = from.simulation[src];
}

}  // namespace

// ---------------------------------------------------------------------------------------
struct Writer::Impl {
  std::filesystem::path path;
  H5::H5File file;
  H5::DataSet fields, params, scalars, simulation;
  std::int64_t channels, length, num_params, num_scalars, rows = 0;
  bool open = true;
};

Writer::Writer(const std::filesystem::path& path, const Metadata& m, std::int64_t chunk_rows) {
  normalize::validate(m.fields, path.string() + ": fields");
  normalize::validate(m.params, path.string() + ": params");
  normalize::validate(m.scalars, path.string() + ": scalars");
  if (m.channels() == 0 || m.length() == 0) fail(path, "a dataset needs channels and a grid");
  impl_ = hdf5::guarded(path, "create the dataset", [&] {
    auto impl = std::make_unique<Impl>(Impl{path,
                                            H5::H5File(path.string(), H5F_ACC_TRUNC),
                                            {},
                                            {},
                                            {},
                                            {},
                                            m.channels(),
                                            m.length(),
                                            m.num_params(),
                                            m.num_scalars()});
    const auto rows = static_cast<hsize_t>(chunk_rows);
    // Uncompressed: training reads every row once per epoch, and float32 profiles deflate
    // poorly.
    const hsize_t field_row[2] = {static_cast<hsize_t>(m.channels()), static_cast<hsize_t>(m.length())};
    const hsize_t param_row[1] = {static_cast<hsize_t>(m.num_params())};
    const hsize_t scalar_row[1] = {static_cast<hsize_t>(m.num_scalars())};
    impl->fields = hdf5::create_rows(impl->file, "fields", H5::PredType::IEEE_F32LE, field_row, rows, 0);
    impl->params = hdf5::create_rows(impl->file, "params", H5::PredType::IEEE_F32LE, param_row, rows, 0);
    impl->scalars = hdf5::create_rows(impl->file, "scalars", H5::PredType::IEEE_F32LE, scalar_row, rows, 0);
    impl->simulation = hdf5::create_rows(impl->file, "index", H5::PredType::STD_I64LE, {}, rows, 0);
    H5::Group root = impl->file.openGroup("/");
    hdf5::write_vector(root, "z", m.z_m, "m");
    write_normalization(impl->fields, "channels", m.fields);
    write_normalization(impl->params, "names", m.params);
    write_normalization(impl->scalars, "names", m.scalars);
    hdf5::write_string(impl->simulation, "description", "the gen_data simulation index of each row");
    hdf5::write_number(root, "target_std", m.target_std);
    hdf5::write_string(root, "format", kFormat);
    return impl;
  });
}

Writer::~Writer() {
  if (impl_ && impl_->open) impl_->file.close();
}

std::int64_t Writer::rows() const {
  return impl_->rows;
}

void Writer::append(std::span<const float> fields, std::span<const float> params,
                    std::span<const float> scalars, std::span<const std::int64_t> simulation) {
  auto& w = *impl_;
  const auto n = simulation.size();
  if (fields.size() != n * static_cast<std::size_t>(w.channels * w.length) ||
      params.size() != n * static_cast<std::size_t>(w.num_params) ||
      scalars.size() != n * static_cast<std::size_t>(w.num_scalars))
    fail(w.path, "append needs whole rows: fields [n, " + std::to_string(w.channels) + ", " +
                     std::to_string(w.length) + "], params [n, " + std::to_string(w.num_params) +
                     "], scalars [n, " + std::to_string(w.num_scalars) + "] for n = " + std::to_string(n) +
                     " simulations");
  if (!all_finite(fields) || !all_finite(params) || !all_finite(scalars))
    fail(w.path, "refusing to store non-finite values (normalize_data filters them out)");
  if (n == 0) return;
  hdf5::guarded(w.path, "append rows", [&] {
    const auto count = static_cast<hsize_t>(n);
    hdf5::append_rows(w.fields, fields, count);
    hdf5::append_rows(w.params, params, count);
    hdf5::append_rows(w.scalars, scalars, count);
    hdf5::append_rows(w.simulation, simulation, count);
    return 0;
  });
  w.rows += static_cast<std::int64_t>(n);
}

void Writer::close() {
  if (!impl_->open) return;
  hdf5::guarded(impl_->path, "close the dataset", [&] {
    impl_->file.close();
    return 0;
  });
  impl_->open = false;
}

// ---------------------------------------------------------------------------------------
struct Reader::Impl {
  std::filesystem::path path;
  H5::H5File file;
  H5::DataSet fields, params, scalars, simulation;
  Metadata metadata;
  std::int64_t rows = 0;
};

Reader::Reader(const std::filesystem::path& path) {
  hdf5::require_hdf5_file(path, "dataset file");
  impl_ = hdf5::guarded(path, "read the normalized dataset", [&] {
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->file.openFile(path.string(), H5F_ACC_RDONLY);
    if (!impl->file.attrExists("format") || hdf5::read_string(impl->file, "format") != kFormat)
      fail(path, std::string("not a normalized dataset (its `format` attribute is not ") + kFormat + ")");
    for (const char* name : {"fields", "params", "scalars", "index", "z"})
      if (!impl->file.nameExists(name)) fail(path, std::string("missing dataset `") + name + "`");
    impl->fields = impl->file.openDataSet("fields");
    impl->params = impl->file.openDataSet("params");
    impl->scalars = impl->file.openDataSet("scalars");
    impl->simulation = impl->file.openDataSet("index");
    auto& m = impl->metadata;
    m.z_m = hdf5::read_vector(path, impl->file.openGroup("/"), "z");
    const auto fd = hdf5::shape(impl->fields), pd = hdf5::shape(impl->params),
               sd = hdf5::shape(impl->scalars), id = hdf5::shape(impl->simulation);
    if (fd.size() != 3 || pd.size() != 2 || sd.size() != 2 || id.size() != 1)
      fail(path, "expected fields [N, C, L], params [N, P], scalars [N, S], index [N] and z [L]");
    if (pd[0] != fd[0] || sd[0] != fd[0] || id[0] != fd[0] || m.z_m.size() != fd[2])
      fail(path, "fields, params, scalars, index and z disagree on N or L");
    m.fields = read_normalization(path, impl->fields, "fields", "channels");
    m.params = read_normalization(path, impl->params, "params", "names");
    m.scalars = read_normalization(path, impl->scalars, "scalars", "names");
    if (m.fields.size() != fd[1] || m.params.size() != pd[1] || m.scalars.size() != sd[1])
      fail(path, "channel, parameter or scalar names do not match the array shapes");
    m.target_std = hdf5::read_number<double>(impl->file, "target_std");
    if (!(m.target_std > 0.0)) fail(path, "target_std must be positive");
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

Batch Reader::read(std::span<const std::int64_t> rows) const {
  const auto& m = impl_->metadata;
  const auto field_row = static_cast<std::size_t>(m.channels() * m.length());
  const auto param_row = static_cast<std::size_t>(m.num_params());
  const auto scalar_row = static_cast<std::size_t>(m.num_scalars());
  Batch batch;
  batch.size = static_cast<std::int64_t>(rows.size());
  batch.rows.assign(rows.begin(), rows.end());
  batch.fields.resize(rows.size() * field_row);
  batch.params.resize(rows.size() * param_row);
  batch.scalars.resize(rows.size() * scalar_row);
  batch.simulation.resize(rows.size());
  for (auto row : rows)
    if (row < 0 || row >= impl_->rows)
      fail(impl_->path, "row " + std::to_string(row) + " is out of range (the dataset has " +
                            std::to_string(impl_->rows) + " rows); is the split for another dataset?");
  hdf5::guarded(impl_->path, "read rows", [&] {
    for (std::size_t i = 0; i < rows.size();) {
      std::size_t run = 1;
      while (i + run < rows.size() && rows[i + run] == rows[i] + static_cast<std::int64_t>(run)) ++run;
      const auto first = static_cast<hsize_t>(rows[i]);
      hdf5::read_rows(impl_->fields, first, run, batch.fields.data() + i * field_row);
      if (param_row > 0) hdf5::read_rows(impl_->params, first, run, batch.params.data() + i * param_row);
      if (scalar_row > 0) hdf5::read_rows(impl_->scalars, first, run, batch.scalars.data() + i * scalar_row);
      hdf5::read_rows(impl_->simulation, first, run, batch.simulation.data() + i);
      i += run;
    }
    return 0;
  });
  // Writer refuses non-finite values, but a file may have been written by other tools or
  // damaged: a NaN must never reach the model.
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::span<const float> f(batch.fields.data() + i * field_row, field_row);
    const std::span<const float> p(batch.params.data() + i * param_row, param_row);
    const std::span<const float> sc(batch.scalars.data() + i * scalar_row, scalar_row);
    if (!all_finite(f) || !all_finite(p) || !all_finite(sc))
      fail(impl_->path, "row " + std::to_string(rows[i]) + " holds a non-finite value");
  }
  return batch;
}

// ---------------------------------------------------------------------------------------
void write_split(const std::filesystem::path& path, std::span<const std::int64_t> indices,
                 const std::string& dataset_name) {
  hdf5::guarded(path, "write the split", [&] {
    H5::H5File file(path.string(), H5F_ACC_TRUNC);
    hsize_t n = indices.size();
    auto set = file.createDataSet("indices", H5::PredType::STD_I64LE, H5::DataSpace(1, &n));
    if (n > 0) set.write(indices.data(), H5::PredType::NATIVE_INT64);
    hdf5::write_string(set, "dataset", dataset_name);
    return 0;
  });
}

std::vector<std::int64_t> read_split(const std::filesystem::path& path) {
  hdf5::require_hdf5_file(path, "split file");
  return hdf5::guarded(path, "read the split", [&] {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    if (!file.nameExists("indices")) fail(path, "missing dataset `indices`");
    auto set = file.openDataSet("indices");
    std::vector<std::int64_t> indices(static_cast<std::size_t>(set.getSpace().getSimpleExtentNpoints()));
    if (!indices.empty()) set.read(indices.data(), H5::PredType::NATIVE_INT64);
    return indices;
  });
}

std::filesystem::path split_dataset(const std::filesystem::path& path) {
  hdf5::require_hdf5_file(path, "split file");
  const auto name = hdf5::guarded(path, "read the split", [&] {
    H5::H5File file(path.string(), H5F_ACC_RDONLY);
    if (!file.nameExists("indices")) fail(path, "missing dataset `indices`");
    auto set = file.openDataSet("indices");
    if (!set.attrExists("dataset")) fail(path, "the split does not name its dataset (attribute `dataset`)");
    return hdf5::read_string(set, "dataset");
  });
  if (name == "simulations")
    fail(path, "indexes raw simulations (split_data's split); give a row split of a normalized dataset, e.g. "
               "normalized/dataset.val_large.h5");
  return path.parent_path() / name;
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
    shuffle(std::span(chunk_order), rng);
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
    shuffle(std::span(order), rng);
    rows = {};  // the previous window goes before the next is read: two windows, not three, at the peak
    const auto data = reader.read(row_order);
    rows = empty_batch(reader.metadata(), data.size);
    for (std::size_t r = 0; r < order.size(); ++r)
      copy_row(data, static_cast<std::size_t>(order[r]), rows, r);
  }
};

StreamingReader::StreamingReader(const std::filesystem::path& path, std::vector<std::int64_t> split,
                                 const StreamOptions& options)
    : impl_(std::make_unique<Impl>(Reader(path), std::move(split), options)) {
  auto& s = impl_->split;
  std::sort(s.begin(), s.end());
  if (s.empty()) fail(path, "the split has no rows to train on");
  if (s.front() < 0 || s.back() >= impl_->reader.rows())
    fail(path, "split index " + std::to_string(s.front() < 0 ? s.front() : s.back()) +
                   " is out of range (the dataset has " + std::to_string(impl_->reader.rows()) + " rows)");
  if (options.batch_size < 1 || options.chunk_rows < 1 || options.window_chunks < 1)
    throw Error("streaming reader: batch_size, chunk_rows and window_chunks must be positive");
  if (options.shard_count < 1 || options.shard_index < 0 || options.shard_index >= options.shard_count ||
      options.shard_count > options.batch_size)
    throw Error("streaming reader: shard " + std::to_string(options.shard_index) + " of " +
                std::to_string(options.shard_count) + " does not cut batches of " +
                std::to_string(options.batch_size) + " into non-empty slices");
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
  const auto n = static_cast<std::int64_t>(s.split.size());
  const auto& o = s.options;
  const auto first = o.batch_size * o.shard_index / o.shard_count;
  const auto last = o.batch_size * (o.shard_index + 1) / o.shard_count;
  Batch batch = empty_batch(s.reader.metadata(), last - first);
  for (std::int64_t b = 0; b < batch.size; ++b) {
    const auto position = s.position + first + b;
    s.plan_epoch(position / n);
    const auto offset = position % n;
    const auto w = std::upper_bound(s.window_starts.begin(), s.window_starts.end(), offset) -
                   s.window_starts.begin() - 1;
    s.load_window(w);
    const auto r = static_cast<std::size_t>(offset - s.window_starts[static_cast<std::size_t>(w)]);
    copy_row(s.rows, r, batch, static_cast<std::size_t>(b));
  }
  s.position += o.batch_size;
  return batch;
}

}  // namespace hd::dataset
