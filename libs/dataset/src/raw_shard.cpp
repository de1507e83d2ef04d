// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/dataset/raw_shard.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace hd::dataset {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const fs::path& path, const std::string& problem) {
  throw Error(path.string() + ": " + problem);
}

const H5::StrType& reason_type() {
  static const H5::StrType type = [] {
    H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
    t.setCset(H5T_CSET_UTF8);
    return t;
  }();
  return type;
}

// Checksummed object headers (format 1.8 and later) and a Fletcher-32 checksum on every
// chunk: a flipped byte anywhere in a file is a read error, never a silently wrong value.
H5::FileAccPropList checked_access() {
  H5::FileAccPropList access;
  access.setLibverBounds(H5F_LIBVER_V18, H5F_LIBVER_LATEST);
  return access;
}

H5::DataSet create_checked_rows(H5::Group& file, const std::string& name, const H5::PredType& type,
                                std::vector<hsize_t> row_shape, hsize_t chunk_rows) {
  return hdf5::create_rows(file, name, type, row_shape, chunk_rows, 4, /*checksum=*/true);
}

template <class T, class Member>
std::vector<T> gather(std::span<const RawRow> rows, Member member) {
  std::vector<T> out;
  for (const RawRow& row : rows) {
    const auto& v = row.*member;
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::vector<T>>) {
      out.insert(out.end(), v.begin(), v.end());
    } else {
      out.push_back(static_cast<T>(v));
    }
  }
  return out;
}

void check_rows(const fs::path& path, const RawLayout& layout, std::span<const RawRow> rows) {
  for (const RawRow& row : rows) {
    const bool ok =
        row.fields.size() == layout.field_size() && row.scalars.size() == layout.scalar_names.size() &&
        row.series.size() == layout.series_size() && row.params.size() == layout.param_names.size() &&
        row.status >= 0 && static_cast<std::size_t>(row.status) < layout.status_names.size();
    if (!ok)
      fail(path, "simulation " + std::to_string(row.index) +
                     " does not fit the file's layout (fields, scalars, series, params or status)");
  }
  if (layout.channels.size() != layout.channel_units.size() ||
      layout.scalar_names.size() != layout.scalar_units.size() ||
      layout.series_names.size() != layout.series_units.size() ||
      layout.param_names.size() != layout.param_units.size())
    fail(path, "every channel, scalar, series and parameter needs its units");
}

void write_file(const fs::path& path, const fs::path& tmp, const RawHeader& h, std::span<const RawRow> rows,
                hsize_t chunk_rows) {
  const RawLayout& l = h.layout;
  hdf5::guarded(path, "write the raw shard", [&] {
    H5::H5File file(tmp.string(), H5F_ACC_TRUNC, H5::FileCreatPropList::DEFAULT, checked_access());
    H5::Group root = file.openGroup("/");
    const auto n = static_cast<hsize_t>(rows.size());
    const auto c = static_cast<hsize_t>(l.channels.size()), len = static_cast<hsize_t>(l.z_m.size());

    auto fields = create_checked_rows(root, "fields", H5::PredType::IEEE_F32LE, {c, len}, chunk_rows);
    hdf5::append_rows<float>(fields, gather<float>(rows, &RawRow::fields), n);
    hdf5::write_strings(fields, "channels", l.channels);
    hdf5::write_strings(fields, "units", l.channel_units);
    hdf5::write_vector(root, "z", l.z_m, "m");

    auto scalars =
        create_checked_rows(root, "scalars", H5::PredType::IEEE_F64LE, {l.scalar_names.size()}, chunk_rows);
    hdf5::append_rows<double>(scalars, gather<double>(rows, &RawRow::scalars), n);
    hdf5::write_strings(scalars, "names", l.scalar_names);
    hdf5::write_strings(scalars, "units", l.scalar_units);

    auto series = create_checked_rows(root, "series", H5::PredType::IEEE_F32LE,
                                      {l.series_names.size(), l.series_time_s.size()}, chunk_rows);
    hdf5::append_rows<float>(series, gather<float>(rows, &RawRow::series), n);
    hdf5::write_strings(series, "names", l.series_names);
    hdf5::write_strings(series, "units", l.series_units);
    hdf5::write_numbers<double>(series, "time_s", l.series_time_s);

    auto params =
        create_checked_rows(root, "params", H5::PredType::IEEE_F64LE, {l.param_names.size()}, chunk_rows);
    hdf5::append_rows<double>(params, gather<double>(rows, &RawRow::params), n);
    hdf5::write_strings(params, "names", l.param_names);
    hdf5::write_strings(params, "units", l.param_units);

    auto index = create_checked_rows(root, "index", H5::PredType::STD_I64LE, {}, chunk_rows);
    hdf5::append_rows<std::int64_t>(index, gather<std::int64_t>(rows, &RawRow::index), n);
    auto seed = create_checked_rows(root, "seed", H5::PredType::STD_U64LE, {}, chunk_rows);
    hdf5::append_rows<std::uint64_t>(seed, gather<std::uint64_t>(rows, &RawRow::seed), n);
    auto status = create_checked_rows(root, "status", H5::PredType::STD_I8LE, {}, chunk_rows);
    hdf5::append_rows<std::int8_t>(status, gather<std::int8_t>(rows, &RawRow::status), n);
    hdf5::write_strings(status, "status_names", l.status_names);
    auto wall = create_checked_rows(root, "wall_time_s", H5::PredType::IEEE_F64LE, {}, chunk_rows);
    hdf5::append_rows<double>(wall, gather<double>(rows, &RawRow::wall_time_s), n);
    hdf5::write_string(wall, "units", "s");

    // Variable-length strings: the chunk filters would only see heap pointers, so none.
    const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
    H5::DSetCreatPropList reason_props;
    reason_props.setChunk(1, &chunk_rows);
    auto reason =
        root.createDataSet("reason", reason_type(), H5::DataSpace(1, &zero, &unlimited), reason_props);
    reason.extend(&n);
    std::vector<const char*> reasons;
    for (const RawRow& row : rows) reasons.push_back(row.reason.c_str());
    if (n > 0) reason.write(reasons.data(), reason_type());

    hdf5::write_string(root, "format", kRawFormat);
    hdf5::write_number<std::int32_t>(root, "format_version", kRawFormatVersion);
    hdf5::write_string(root, "version", h.version);
    hdf5::write_string(root, "data_config", h.data_config);
    hdf5::write_string(root, "simulation_config", h.simulation_config);
    hdf5::write_number<std::uint64_t>(root, "seed", h.seed);
    hdf5::write_number<std::int64_t>(root, "num_sims", h.num_sims);
    hdf5::write_number<std::int64_t>(root, "shard", h.shard);
    hdf5::write_number<std::int64_t>(root, "num_shards", h.num_shards);
    hdf5::write_number<std::int64_t>(root, "first_index", h.first_index);
    hdf5::write_number<std::int64_t>(root, "end_index", h.end_index);
    hdf5::write_strings(root, "channels", l.channels);
    file.close();
    return 0;
  });
}

}  // namespace

void write_raw_file(const fs::path& path, const RawHeader& header, std::span<const RawRow> rows,
                    std::int64_t chunk_rows) {
  check_rows(path, header.layout, rows);
  if (header.layout.channels.empty() || header.layout.z_m.empty())
    fail(path, "a raw shard needs at least one channel and a grid");
  write_file_atomically(path, [&](const fs::path& tmp) {
    write_file(path, tmp, header, rows, static_cast<hsize_t>(std::max<std::int64_t>(chunk_rows, 1)));
  });
}

// ---------------------------------------------------------------------------------------
struct RawFile::Impl {
  fs::path path;
  H5::H5File file;
  RawHeader header;
  std::int64_t rows = 0;
  std::vector<std::int64_t> indices;
  H5::DataSet fields, scalars, series, params, seed, status, reason, wall;
};

RawFile::RawFile(const fs::path& path) {
  hdf5::require_hdf5_file(path, "raw shard");
  impl_ = hdf5::guarded(path, "read the raw shard (truncated or damaged?)", [&] {
    auto impl = std::make_unique<Impl>();
    auto& f = *impl;
    f.path = path;
    f.file.openFile(path.string(), H5F_ACC_RDONLY);
    if (!f.file.attrExists("format") || hdf5::read_string(f.file, "format") != kRawFormat)
      fail(path, std::string("not a raw shard (its `format` attribute is not ") + kRawFormat + ")");
    const auto format_version = hdf5::read_number<std::int32_t>(f.file, "format_version");
    if (format_version != kRawFormatVersion)
      fail(path, "raw format version " + std::to_string(format_version) + ", this build reads version " +
                     std::to_string(kRawFormatVersion));
    for (const char* name :
         {"fields", "z", "scalars", "series", "params", "index", "seed", "status", "reason", "wall_time_s"})
      if (!f.file.nameExists(name)) fail(path, std::string("missing dataset `") + name + "`");
    RawHeader& h = f.header;
    RawLayout& l = h.layout;
    h.version = hdf5::read_string(f.file, "version");
    h.data_config = hdf5::read_string(f.file, "data_config");
    h.simulation_config = hdf5::read_string(f.file, "simulation_config");
    h.seed = hdf5::read_number<std::uint64_t>(f.file, "seed");
    h.num_sims = hdf5::read_number<std::int64_t>(f.file, "num_sims");
    h.shard = hdf5::read_number<std::int64_t>(f.file, "shard");
    h.num_shards = hdf5::read_number<std::int64_t>(f.file, "num_shards");
    h.first_index = hdf5::read_number<std::int64_t>(f.file, "first_index");
    h.end_index = hdf5::read_number<std::int64_t>(f.file, "end_index");

    f.fields = f.file.openDataSet("fields");
    f.scalars = f.file.openDataSet("scalars");
    f.series = f.file.openDataSet("series");
    f.params = f.file.openDataSet("params");
    f.seed = f.file.openDataSet("seed");
    f.status = f.file.openDataSet("status");
    f.reason = f.file.openDataSet("reason");
    f.wall = f.file.openDataSet("wall_time_s");
    l.channels = hdf5::read_strings(f.fields, "channels");
    l.channel_units = hdf5::read_strings(f.fields, "units");
    l.z_m = hdf5::read_vector(path, f.file.openGroup("/"), "z");
    l.scalar_names = hdf5::read_strings(f.scalars, "names");
    l.scalar_units = hdf5::read_strings(f.scalars, "units");
    l.series_names = hdf5::read_strings(f.series, "names");
    l.series_units = hdf5::read_strings(f.series, "units");
    l.series_time_s = hdf5::read_numbers<double>(f.series, "time_s");
    l.param_names = hdf5::read_strings(f.params, "names");
    l.param_units = hdf5::read_strings(f.params, "units");
    l.status_names = hdf5::read_strings(f.status, "status_names");

    const H5::DataSet index = f.file.openDataSet("index");
    const auto index_shape = hdf5::shape(index);
    if (index_shape.size() != 1) fail(path, "dataset `index` must be one-dimensional");
    f.rows = static_cast<std::int64_t>(index_shape[0]);
    // Every per-row dataset must have N rows and the row shape the attributes promise;
    // anything else means the file is not what it claims.
    const auto check_shape = [&](const H5::DataSet& set, const char* name, std::vector<hsize_t> row) {
      std::vector<hsize_t> expected{static_cast<hsize_t>(f.rows)};
      expected.insert(expected.end(), row.begin(), row.end());
      if (hdf5::shape(set) != expected)
        fail(path, std::string("dataset `") + name +
                       "` does not match the file's row count and layout (a damaged or foreign file)");
    };
    check_shape(f.fields, "fields", {l.channels.size(), l.z_m.size()});
    check_shape(f.scalars, "scalars", {l.scalar_names.size()});
    check_shape(f.series, "series", {l.series_names.size(), l.series_time_s.size()});
    check_shape(f.params, "params", {l.param_names.size()});
    for (auto [set, name] :
         {std::pair{&f.seed, "seed"}, {&f.status, "status"}, {&f.reason, "reason"}, {&f.wall, "wall_time_s"}})
      check_shape(*set, name, {});
    if (l.channel_units.size() != l.channels.size() || l.scalar_units.size() != l.scalar_names.size() ||
        l.series_units.size() != l.series_names.size() || l.param_units.size() != l.param_names.size())
      fail(path, "units attributes do not match the names");
    f.indices.resize(static_cast<std::size_t>(f.rows));
    if (f.rows > 0) hdf5::read_rows(index, 0, static_cast<hsize_t>(f.rows), f.indices.data());
    return impl;
  });
}

RawFile::~RawFile() = default;
RawFile::RawFile(RawFile&&) noexcept = default;
RawFile& RawFile::operator=(RawFile&&) noexcept = default;

const fs::path& RawFile::path() const {
  return impl_->path;
}
const RawHeader& RawFile::header() const {
  return impl_->header;
}
std::int64_t RawFile::rows() const {
  return impl_->rows;
}
const std::vector<std::int64_t>& RawFile::indices() const {
  return impl_->indices;
}

std::vector<std::int8_t> RawFile::statuses() const {
  std::vector<std::int8_t> status(static_cast<std::size_t>(impl_->rows));
  if (!status.empty())
    hdf5::guarded(impl_->path, "read the status of the raw shard (damaged file?)", [&] {
      hdf5::read_rows(impl_->status, 0, status.size(), status.data());
      return 0;
    });
  return status;
}

std::vector<RawRow> RawFile::read(std::int64_t first, std::int64_t count) const {
  const Impl& f = *impl_;
  if (first < 0 || count < 0 || first + count > f.rows)
    fail(f.path, "rows [" + std::to_string(first) + ", " + std::to_string(first + count) +
                     ") are out of range (the file has " + std::to_string(f.rows) + ")");
  if (count == 0) return {};
  const RawLayout& l = f.header.layout;
  const auto n = static_cast<std::size_t>(count);
  std::vector<float> fields(n * l.field_size()), series(n * l.series_size());
  std::vector<double> scalars(n * l.scalar_names.size()), params(n * l.param_names.size()), wall(n);
  std::vector<std::uint64_t> seeds(n);
  std::vector<std::int8_t> status(n);
  std::vector<char*> reasons(n, nullptr);
  hdf5::guarded(f.path, "read rows of the raw shard (damaged file?)", [&] {
    const auto a = static_cast<hsize_t>(first), c = static_cast<hsize_t>(count);
    hdf5::read_rows(f.fields, a, c, fields.data());
    hdf5::read_rows(f.scalars, a, c, scalars.data());
    hdf5::read_rows(f.series, a, c, series.data());
    hdf5::read_rows(f.params, a, c, params.data());
    hdf5::read_rows(f.seed, a, c, seeds.data());
    hdf5::read_rows(f.status, a, c, status.data());
    hdf5::read_rows(f.wall, a, c, wall.data());
    H5::DataSpace file_space = f.reason.getSpace();
    file_space.selectHyperslab(H5S_SELECT_SET, &c, &a);
    H5::DataSpace memory(1, &c);
    f.reason.read(reasons.data(), reason_type(), memory, file_space);
    return 0;
  });
  std::vector<RawRow> rows(n);
  for (std::size_t i = 0; i < n; ++i) {
    RawRow& r = rows[i];
    r.index = f.indices[static_cast<std::size_t>(first) + i];
    r.seed = seeds[i];
    r.status = status[i];
    r.reason = reasons[i] != nullptr ? reasons[i] : "";
    H5free_memory(reasons[i]);
    r.wall_time_s = wall[i];
    const auto slice = [i](const auto& all, std::size_t size) {
      return std::vector(all.begin() + static_cast<std::ptrdiff_t>(i * size),
                         all.begin() + static_cast<std::ptrdiff_t>((i + 1) * size));
    };
    r.fields = slice(fields, l.field_size());
    r.scalars = slice(scalars, l.scalar_names.size());
    r.series = slice(series, l.series_size());
    r.params = slice(params, l.param_names.size());
  }
  return rows;
}

// ---------------------------------------------------------------------------------------
std::string raw_shard_name(std::int64_t shard, std::int64_t num_shards) {
  const int width = std::max(5, static_cast<int>(std::to_string(num_shards).size()));
  char name[96];
  std::snprintf(name, sizeof name, "shard-%0*lld-of-%0*lld.h5", width, static_cast<long long>(shard), width,
                static_cast<long long>(num_shards));
  return name;
}

std::int64_t RawManifest::simulations() const {
  std::int64_t total = 0;
  for (const auto& s : shards) total += s.count;
  return total;
}

std::int64_t RawManifest::failed() const {
  std::int64_t total = 0;
  for (const auto& s : shards) total += s.failed;
  return total;
}

namespace {
constexpr const char* kManifestFormat = "hall_diffusion.raw_manifest";
}

void write_raw_manifest(const fs::path& folder, const RawManifest& m) {
  nlohmann::ordered_json j;
  j["format"] = kManifestFormat;
  j["format_version"] = kRawFormatVersion;
  j["num_sims"] = m.num_sims;
  j["shard_size"] = m.shard_size;
  j["num_shards"] = m.num_shards;
  j["seed"] = m.seed;
  j["complete"] = m.complete();
  j["simulations"] = m.simulations();
  j["failed"] = m.failed();
  j["shards"] = nlohmann::ordered_json::array();
  for (const auto& s : m.shards)
    j["shards"].push_back({{"file", s.file},
                           {"shard", s.shard},
                           {"first_index", s.first_index},
                           {"count", s.count},
                           {"failed", s.failed}});
  write_text_atomically(folder / kRawManifestName, j.dump(1) + "\n");
}

RawManifest read_raw_manifest(const fs::path& folder) {
  const fs::path path = folder / kRawManifestName;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    fail(path, "no manifest: the folder is not a gen_data output, or no shard of it is complete yet");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  RawManifest m;
  try {
    const auto j = nlohmann::json::parse(text.str());
    if (j.at("format").get<std::string>() != kManifestFormat) fail(path, "not a raw dataset manifest");
    if (j.at("format_version").get<int>() != kRawFormatVersion)
      fail(path, "manifest format version " + j.at("format_version").dump() + ", this build reads version " +
                     std::to_string(kRawFormatVersion));
    m.num_sims = j.at("num_sims").get<std::int64_t>();
    m.shard_size = j.at("shard_size").get<std::int64_t>();
    m.num_shards = j.at("num_shards").get<std::int64_t>();
    m.seed = j.at("seed").get<std::uint64_t>();
    for (const auto& s : j.at("shards"))
      m.shards.push_back({s.at("file").get<std::string>(), s.at("shard").get<std::int64_t>(),
                          s.at("first_index").get<std::int64_t>(), s.at("count").get<std::int64_t>(),
                          s.at("failed").get<std::int64_t>()});
  } catch (const nlohmann::json::exception& e) {
    fail(path, std::string("malformed manifest (") + e.what() + ")");
  }
  for (const auto& s : m.shards)
    if (!fs::is_regular_file(folder / s.file, ec)) fail(path, "lists " + s.file + ", which is missing");
  return m;
}

}  // namespace hd::dataset
