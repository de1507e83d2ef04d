// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/dataset/normalize_raw.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>

#include <nlohmann/json.hpp>

#include "hd/common/atomic_file.hpp"
#include "hd/common/config.hpp"
#include "hd/common/error.hpp"
#include "hd/common/version.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/normalize/metadata.hpp"
#include "hd/normalize/statistics.hpp"

#include "raw_dataset.hpp"

namespace hd::dataset {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr const char* kReportFormat = "hall_diffusion.normalize_report/1";
constexpr std::size_t kExamplesPerReason = 3;

// Thrown from inside the conversion when `stop` is raised; the temporary folder goes with it.
struct Stopped {};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Names are compared ignoring case: hallsim's scalars were `discharge_current_A` before
// the suite settled on lowercase unit suffixes, and both spellings mean the same quantity.
std::optional<std::size_t> find_name(const std::vector<std::string>& names, const std::string& name) {
  const std::string wanted = lowercase(name);
  for (std::size_t i = 0; i < names.size(); ++i)
    if (lowercase(names[i]) == wanted) return i;
  return std::nullopt;
}

// FNV-1a over bytes: identifies split contents and configs in the report's inputs.
std::uint64_t fnv1a(const void* data, std::size_t size, std::uint64_t h = 14695981039346656037ull) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) h = (h ^ bytes[i]) * 1099511628211ull;
  return h;
}

std::string hex(std::uint64_t value) {
  char text[20];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

// NORM as a folder path without a trailing separator, so that its name and parent exist.
fs::path folder_path(const fs::path& out) {
  fs::path p = fs::absolute(out).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  return p;
}

// What the output is a function of: a rerun with equal inputs has nothing to do.
Json fingerprint(const RawDataset& raw, const RawFile& first_shard, const StoredSplits& splits,
                 const NormalizeOptions& options) {
  Json shards = Json::array();
  for (const RawShardEntry& e : raw.manifest.shards) {
    std::error_code ec;
    const auto bytes = fs::file_size(raw.shard_path(e), ec);
    shards.push_back({e.file, e.count, e.failed, ec ? 0 : static_cast<std::int64_t>(bytes)});
  }
  const RawHeader& h = first_shard.header();
  const std::string configs = h.data_config + '\0' + h.simulation_config;
  Json split_hashes;
  for (const Split s : kSplits) {
    const auto& list = splits.splits[s];
    split_hashes[std::string(split_name(s))] = hex(fnv1a(list.data(), list.size() * sizeof(list[0])));
  }
  return {{"version", hd::version()},
          {"raw",
           {{"num_sims", raw.manifest.num_sims},
            {"seed", raw.manifest.seed},
            {"configs", hex(fnv1a(configs.data(), configs.size()))},
            {"shards", shards}}},
          {"split",
           {{"seed", splits.options.seed},
            {"val_small", splits.options.val_small},
            {"val_large", splits.options.val_large},
            {"indices", split_hashes}}},
          {"normalization", to_toml(options)}};
}

bool up_to_date(const NormalizedFolder& folder, const Json& inputs) {
  std::error_code ec;
  for (const fs::path& file : {folder.dataset(), folder.split(Split::train), folder.split(Split::val_small),
                               folder.split(Split::val_large), folder.metadata(), folder.field_table(),
                               folder.parameter_table(), folder.scalar_table(), folder.report()})
    if (!fs::is_regular_file(file, ec)) return false;
  std::ifstream in(folder.report());
  try {
    const Json report = Json::parse(in);
    return report.at("format") == kReportFormat && report.at("inputs") == inputs;
  } catch (const Json::exception&) {
    return false;
  }
}

// NORM must be normalize_data's own folder: it is replaced whole.
void check_output_folder(const fs::path& out) {
  std::error_code ec;
  fs::create_directories(out.parent_path(), ec);
  if (ec || !fs::is_directory(out.parent_path(), ec))
    throw Error(out.string() + ": cannot create the output folder" + (ec ? " (" + ec.message() + ")" : ""));
  if (!fs::exists(out, ec)) return;
  if (!fs::is_directory(out, ec))
    throw Error(out.string() + ": exists and is not a folder; pick another --out");
  if (fs::is_empty(out, ec) || fs::is_regular_file(NormalizedFolder{out}.report(), ec)) return;
  throw Error(out.string() +
              ": holds files normalize_data did not write (it replaces its output folder whole); "
              "pick another --out");
}

// Temporaries and replaced folders of runs that were killed: OUT.tmp-<pid>, OUT.old-<pid>.
void remove_stale_siblings(const fs::path& out) {
  std::error_code ec;
  const std::string name = out.filename().string();
  for (const auto& entry : fs::directory_iterator(out.parent_path(), ec)) {
    const std::string sibling = entry.path().filename().string();
    for (const std::string& prefix : {name + ".tmp-", name + ".old-"})
      if (sibling.starts_with(prefix) && sibling.size() > prefix.size() &&
          std::all_of(sibling.begin() + static_cast<std::ptrdiff_t>(prefix.size()), sibling.end(),
                      [](unsigned char c) { return std::isdigit(c); }))
        fs::remove_all(entry.path(), ec);
  }
}

// The normalization of one group of quantities and the statistics behind it. A group may
// be empty (a dataset without scalars).
class Group {
 public:
  Group(const std::vector<std::string>& names, const std::vector<std::string>& units, std::size_t length,
        const NormalizeOptions& options)
      : names_(names), units_(units) {
    for (const auto& name : names) log_.push_back(find_name(options.log_quantities, name).has_value());
    if (!names.empty()) statistics_.emplace(names, log_, units, length);
  }
  const std::vector<bool>& log() const { return log_; }
  template <class T>
  void add(std::span<const T> sample) {
    if (statistics_) statistics_->add(sample);
  }
  normalize::Normalization finish(double target_std) const {
    if (statistics_) return statistics_->finish(target_std);
    return {names_, {}, {}, log_, units_};
  }

 private:
  std::vector<std::string> names_, units_;
  std::vector<bool> log_;
  std::optional<normalize::GroupStatistics> statistics_;
};

class Conversion {
 public:
  Conversion(const NormalizeRequest& request, const RawDataset& raw, const fs::path& split_folder,
             const StoredSplits& splits)
      : request_(request), options_(request.options), raw_(raw), split_folder_(split_folder) {
    const std::int64_t n = raw.manifest.num_sims;
    split_of_.assign(static_cast<std::size_t>(n), -1);
    outcome_.assign(static_cast<std::size_t>(n), kFailed);
    for (const Split s : kSplits) {
      const std::string file = simulation_split_path(split_folder, s).string();
      for (const std::int64_t k : splits.splits[s]) {
        if (k < 0 || k >= n)
          throw Error(file + ": lists simulation " + std::to_string(k) + ", but the raw dataset has " +
                      std::to_string(n) + "; the split is for another dataset (run split_data again)");
        auto& slot = split_of_[static_cast<std::size_t>(k)];
        if (slot >= 0)
          throw Error(file + ": lists simulation " + std::to_string(k) + ", which " +
                      std::string(split_name(static_cast<Split>(slot))) + " holds too");
        slot = static_cast<std::int8_t>(s);
        ++report_.split_simulations[static_cast<std::size_t>(s)];
      }
    }
  }

  NormalizeReport run(const NormalizedFolder& out, const Json& inputs) {
    statistics_pass();
    check_splits_hold_ok_simulations();
    metadata_ = finish_statistics();
    write_pass(out);
    normalize::write_json(out.metadata(), metadata_);
    normalize::write_csv(out.field_table(), metadata_.fields);
    normalize::write_csv(out.parameter_table(), metadata_.params);
    normalize::write_csv(out.scalar_table(), metadata_.scalars);
    write_text_atomically(out.report(), report_json(inputs).dump(1) + "\n");
    return report_;
  }

 private:
  static constexpr std::int8_t kFailed = -1, kKept = 0;

  std::int64_t total_rows() const { return raw_.manifest.simulations(); }

  void poll(int pass, std::int64_t done) const {
    if (request_.stop != nullptr && request_.stop->load()) throw Stopped{};
    if (request_.on_progress) request_.on_progress({pass, done, total_rows()});
  }

  // The layout of shard 0, which every shard must share, and what the filter reads from it.
  void learn_layout(const RawFile& file) {
    layout_ = file.header().layout;
    const RawLayout& l = layout_;
    const std::string name = file.path().string();
    const auto require = [&](const std::vector<std::string>& names, const char* quantity, const char* kind) {
      const auto i = find_name(names, quantity);
      if (!i)
        throw Error(name + ": the outlier filter needs the " + kind + " " + quantity +
                    ", which the raw dataset does not have");
      return *i;
    };
    voltage_ = require(l.param_names, "discharge_voltage_v", "parameter");
    current_ = require(l.scalar_names, "discharge_current_a", "scalar");
    thrust_ = require(l.scalar_names, "thrust_n", "scalar");
    filter_.emplace(options_.outlier_filter, l.channels);
    const auto defaults = normalize::default_log_quantities();
    for (const std::string& q : options_.log_quantities)
      if (!find_name(l.channels, q) && !find_name(l.param_names, q) && !find_name(l.scalar_names, q) &&
          !find_name(defaults, q))
        throw Error(options_.log_quantities_origin + ": names \"" + q + "\", which " + name +
                    " has as neither a channel, a parameter nor a scalar");
    fields_.emplace(l.channels, l.channel_units, l.z_m.size(), options_);
    params_.emplace(l.param_names, l.param_units, 1, options_);
    scalars_.emplace(l.scalar_names, l.scalar_units, 1, options_);
  }

  RawFile open_shard(const RawShardEntry& entry) {
    RawFile file = open_raw_shard(raw_, entry);
    if (!filter_) {
      learn_layout(file);
    } else if (!(file.header().layout == layout_)) {
      throw Error(file.path().string() +
                  ": its layout (channels, grid, scalars or parameters) differs from " +
                  raw_.shard_path(raw_.manifest.shards.front()).string() + "'s");
    }
    return file;
  }

  // The filter's verdict, and for a kept simulation whether every log quantity is positive:
  // ln v of zero or a negative value is not finite, so it counts as `nonfinite`.
  std::optional<normalize::Rejection> judge(const RawRow& row) const {
    normalize::SimulationView view;
    view.fields = row.fields;
    view.discharge_voltage_v = row.params[voltage_];
    view.discharge_current_a = row.scalars[current_];
    view.thrust_n = row.scalars[thrust_];
    view.scalars = row.scalars;
    view.params = row.params;
    if (auto rejection = filter_->check(view)) return rejection;
    const std::size_t length = layout_.z_m.size();
    const auto nonpositive = [](const std::string& what, double v) {
      return normalize::Rejection{normalize::Reason::nonfinite, what + " = " + config::format_number(v) +
                                                                    " (a log quantity: ln is not finite)"};
    };
    for (std::size_t c = 0; c < layout_.channels.size(); ++c) {
      if (!fields_->log()[c]) continue;
      for (std::size_t i = 0; i < length; ++i)
        if (!(row.fields[c * length + i] > 0.0f))
          return nonpositive(layout_.channels[c] + " at cell " + std::to_string(i),
                             row.fields[c * length + i]);
    }
    for (std::size_t j = 0; j < row.params.size(); ++j)
      if (params_->log()[j] && !(row.params[j] > 0.0))
        return nonpositive(layout_.param_names[j], row.params[j]);
    for (std::size_t j = 0; j < row.scalars.size(); ++j)
      if (scalars_->log()[j] && !(row.scalars[j] > 0.0))
        return nonpositive(layout_.scalar_names[j], row.scalars[j]);
    return std::nullopt;
  }

  void statistics_pass() {
    std::vector<std::int64_t> failed(256, 0);
    std::array<std::size_t, normalize::kNumReasons> examples{};
    std::int64_t done = 0;
    for (const RawShardEntry& entry : raw_.manifest.shards) {
      const RawFile file = open_shard(entry);
      for (std::int64_t first = 0; first < file.rows(); first += request_.chunk_rows) {
        poll(1, done);
        const std::int64_t count = std::min(request_.chunk_rows, file.rows() - first);
        for (const RawRow& row : file.read(first, count)) {
          const auto k = static_cast<std::size_t>(row.index);
          if (row.status != 0) {
            ++failed[static_cast<std::uint8_t>(row.status)];
            if (split_of_[k] >= 0)
              throw Error(
                  simulation_split_path(split_folder_, static_cast<Split>(split_of_[k])).string() +
                  ": lists simulation " + std::to_string(row.index) +
                  ", which failed in gen_data; the split is for another dataset (run split_data again)");
            continue;
          }
          if (split_of_[k] < 0)
            throw Error(split_folder_.string() + ": no split holds simulation " + std::to_string(row.index) +
                        " of " + file.path().string() +
                        "; the split is for another dataset (run split_data again)");
          const auto rejection = judge(row);
          report_.outliers.record(rejection);
          if (rejection) {
            const auto r = static_cast<std::size_t>(rejection->reason);
            outcome_[k] = static_cast<std::int8_t>(1 + r);
            if (examples[r]++ < kExamplesPerReason)
              report_.examples.push_back(
                  {row.index, std::string(normalize::reason_code(rejection->reason)), rejection->detail});
            continue;
          }
          outcome_[k] = kKept;
          if (split_of_[k] != static_cast<std::int8_t>(Split::train)) continue;
          ++kept_train_;
          fields_->add(std::span<const float>(row.fields));
          params_->add(std::span<const double>(row.params));
          scalars_->add(std::span<const double>(row.scalars));
        }
        done += count;
      }
    }
    poll(1, done);
    report_.simulations = done;
    for (std::size_t s = 0; s < failed.size(); ++s)
      if (failed[s] > 0)
        report_.failed.emplace_back(
            s < layout_.status_names.size() ? layout_.status_names[s] : "status " + std::to_string(s),
            failed[s]);
  }

  void check_splits_hold_ok_simulations() const {
    for (std::size_t k = 0; k < split_of_.size(); ++k)
      if (split_of_[k] >= 0 && outcome_[k] == kFailed)
        throw Error(simulation_split_path(split_folder_, static_cast<Split>(split_of_[k])).string() +
                    ": lists simulation " + std::to_string(k) +
                    ", which the raw dataset does not hold as ok; run split_data again");
  }

  dataset::Metadata finish_statistics() const {
    if (kept_train_ < 2)
      throw Error(
          simulation_split_path(split_folder_, Split::train).string() + ": " + std::to_string(kept_train_) +
          " training simulation(s) passed the outlier filter; the statistics need at least 2 (generate "
          "more simulations, or check the filter's thresholds)");
    dataset::Metadata m;
    m.target_std = options_.target_std;
    m.fields = fields_->finish(options_.target_std);
    m.params = params_->finish(options_.target_std);
    m.scalars = scalars_->finish(options_.target_std);
    m.z_m = layout_.z_m;
    return m;
  }

  // Normalized rows waiting to be appended to one split's file.
  struct Rows {
    std::vector<float> fields, params, scalars;
    std::vector<std::int64_t> simulation;
    void append_to(Writer& writer) {
      writer.append(fields, params, scalars, simulation);
      fields.clear();
      params.clear();
      scalars.clear();
      simulation.clear();
    }
  };

  void normalize_into(const RawRow& row, Rows& rows) const {
    const std::size_t at = rows.fields.size();
    rows.fields.insert(rows.fields.end(), row.fields.begin(), row.fields.end());
    metadata_.fields.forward(std::span<float>(rows.fields).subspan(at));
    for (std::size_t j = 0; j < row.params.size(); ++j)
      rows.params.push_back(static_cast<float>(metadata_.params.forward(j, row.params[j])));
    for (std::size_t j = 0; j < row.scalars.size(); ++j)
      rows.scalars.push_back(static_cast<float>(metadata_.scalars.forward(j, row.scalars[j])));
    rows.simulation.push_back(row.index);
  }

  // Train rows go straight into the dataset; validation rows wait in files of their own and
  // follow, so that every split is one contiguous range of rows (sequential reads in train).
  void write_pass(const NormalizedFolder& out) {
    const fs::path staged[2] = {out.root / ".val_small.h5", out.root / ".val_large.h5"};
    Writer dataset(out.dataset(), metadata_, request_.chunk_rows);
    {
      Writer val_small(staged[0], metadata_, request_.chunk_rows);
      Writer val_large(staged[1], metadata_, request_.chunk_rows);
      Writer* writers[kNumSplits] = {&dataset, &val_small, &val_large};
      std::array<Rows, kNumSplits> pending;
      std::int64_t done = 0;
      for (const RawShardEntry& entry : raw_.manifest.shards) {
        const RawFile file = open_shard(entry);
        for (std::int64_t first = 0; first < file.rows(); first += request_.chunk_rows) {
          poll(2, done);
          const std::int64_t count = std::min(request_.chunk_rows, file.rows() - first);
          for (const RawRow& row : file.read(first, count)) {
            const auto k = static_cast<std::size_t>(row.index);
            if (outcome_[k] != kKept) continue;
            normalize_into(row, pending[static_cast<std::size_t>(split_of_[k])]);
          }
          for (std::size_t s = 0; s < kNumSplits; ++s) pending[s].append_to(*writers[s]);
          done += count;
        }
      }
      poll(2, done);
      val_small.close();
      val_large.close();
    }
    report_.rows[0] = dataset.rows();
    for (std::size_t v = 0; v < 2; ++v) {
      const Reader reader(staged[v]);
      for (std::int64_t first = 0; first < reader.rows(); first += request_.chunk_rows) {
        std::vector<std::int64_t> rows(
            static_cast<std::size_t>(std::min(request_.chunk_rows, reader.rows() - first)));
        std::iota(rows.begin(), rows.end(), first);
        const Batch batch = reader.read(rows);
        dataset.append(batch.fields, batch.params, batch.scalars, batch.simulation);
      }
      report_.rows[v + 1] = reader.rows();
    }
    dataset.close();
    std::error_code ec;
    for (const fs::path& file : staged) fs::remove(file, ec);

    std::int64_t first = 0;
    for (const Split s : kSplits) {
      const std::int64_t n = report_.rows[static_cast<std::size_t>(s)];
      std::vector<std::int64_t> rows(static_cast<std::size_t>(n));
      std::iota(rows.begin(), rows.end(), first);
      write_split(out.split(s), rows, out.dataset().filename().string());
      first += n;
    }
  }

  Json report_json(const Json& inputs) const {
    Json failed = Json::object();
    for (const auto& [name, count] : report_.failed) failed[name] = count;
    Json rejected = Json::object();
    for (std::size_t r = 0; r < normalize::kNumReasons; ++r) {
      const auto reason = static_cast<normalize::Reason>(r);
      rejected[std::string(normalize::reason_code(reason))] = report_.outliers.rejected(reason);
    }
    Json examples = Json::array();
    for (const auto& e : report_.examples)
      examples.push_back({{"simulation", e.simulation}, {"reason", e.reason}, {"detail", e.detail}});
    Json splits = Json::object();
    std::int64_t first = 0;
    for (const Split s : kSplits) {
      const auto i = static_cast<std::size_t>(s);
      splits[std::string(split_name(s))] = {
          {"simulations", report_.split_simulations[i]}, {"rows", report_.rows[i]}, {"first_row", first}};
      first += report_.rows[i];
    }
    return {{"format", kReportFormat},
            {"version", hd::version()},
            {"summary", report_.summary()},
            {"simulations", report_.simulations},
            {"failed", failed},
            {"outlier_filter",
             {{"kept", report_.outliers.kept()}, {"rejected", rejected}, {"examples", examples}}},
            {"rows", first},
            {"splits", splits},
            {"inputs", inputs}};
  }

  const NormalizeRequest& request_;
  const NormalizeOptions& options_;
  const RawDataset& raw_;
  fs::path split_folder_;
  std::vector<std::int8_t> split_of_;  // per simulation: its Split, or -1
  std::vector<std::int8_t> outcome_;   // per simulation: kFailed, kKept, or 1 + rejection reason
  RawLayout layout_;
  std::optional<normalize::OutlierFilter> filter_;
  std::size_t voltage_ = 0, current_ = 0, thrust_ = 0;
  std::optional<Group> fields_, params_, scalars_;
  std::int64_t kept_train_ = 0;
  dataset::Metadata metadata_;
  NormalizeReport report_;
};

}  // namespace

// ---------------------------------------------------------------------------------------
NormalizeOptions read_normalize_options(const config::Table& t) {
  NormalizeOptions o;
  o.target_std = t.get_double_or("target_std", o.target_std, config::Range::positive());
  o.log_quantities = t.get_strings_or("log_quantities", o.log_quantities);
  o.log_quantities_origin = t.where("log_quantities");
  o.outlier_filter = normalize::read_outlier_thresholds(t.table_or_empty("outlier_filter"));
  return o;
}

std::string to_toml(const NormalizeOptions& o) {
  using config::to_toml_value;
  const normalize::OutlierThresholds& f = o.outlier_filter;
  const auto range = [](const std::array<double, 2>& r) {
    return to_toml_value(std::vector<double>{r[0], r[1]});
  };
  return "[normalization]\ntarget_std = " + to_toml_value(o.target_std) +
         "\nlog_quantities = " + to_toml_value(o.log_quantities) +
         "\n\n[normalization.outlier_filter]\ndischarge_current_limit_a = " +
         to_toml_value(f.discharge_current_limit_a) +
         "\nthrust_limit_n = " + to_toml_value(f.thrust_limit_n) +
         "\npotential_min_limit_vd = " + to_toml_value(f.potential_min_limit_vd) +
         "\npotential_max_limit_vd = " + to_toml_value(f.potential_max_limit_vd) +
         "\nnu_an_max_range_hz = " + range(f.nu_an_max_range_hz) +
         "\nnu_an_min_range_hz = " + range(f.nu_an_min_range_hz) + "\n";
}

fs::path NormalizedFolder::split(Split split) const {
  return root / ("dataset." + std::string(split_name(split)) + ".h5");
}

std::string NormalizeReport::summary() const {
  std::int64_t failed_total = 0;
  std::string failed_text;
  for (const auto& [name, count] : failed) {
    failed_total += count;
    failed_text += (failed_text.empty() ? ": " : ", ") + name + " " + std::to_string(count);
  }
  std::string text = std::to_string(simulations) + " simulations (" + std::to_string(failed_total) +
                     " failed in gen_data" + failed_text + "); outlier filter: " + outliers.summary() +
                     "; rows:";
  for (const Split s : kSplits)
    text += (s == Split::train ? " " : ", ") + std::string(split_name(s)) + " " +
            std::to_string(rows[static_cast<std::size_t>(s)]);
  return text;
}

NormalizeReport normalize_raw(const NormalizeRequest& request) {
  if (!(request.options.target_std > 0.0))
    throw Error("normalize: target_std = " + config::format_number(request.options.target_std) +
                " must be positive");
  if (request.chunk_rows < 1) throw Error("normalize: chunk_rows must be positive");
  const fs::path out = folder_path(request.out);
  check_output_folder(out);
  // Built piecewise: GCC 12 misreads "." + std::string as an overlapping copy.
  std::string lock_name(1, '.');
  lock_name.append(out.filename().string()).append(".lock");
  const ExclusiveLock lock(out.parent_path() / lock_name, "normalized dataset folder");
  remove_stale_siblings(out);

  const RawDataset raw = open_raw_dataset(request.raw, request.shards);
  const fs::path split_folder = request.splits.empty() ? default_split_folder(request.raw) : request.splits;
  const StoredSplits splits = read_simulation_splits(split_folder);
  const Json inputs =
      fingerprint(raw, open_raw_shard(raw, raw.manifest.shards.front()), splits, request.options);

  const NormalizedFolder folder{out};
  if (!request.force && up_to_date(folder, inputs)) {
    NormalizeReport report;
    report.skipped = true;
    return report;
  }
  Conversion conversion(request, raw, split_folder, splits);
  NormalizeReport report;
  try {
    write_folder_atomically(
        out, [&](const fs::path& tmp) { report = conversion.run(NormalizedFolder{tmp}, inputs); });
  } catch (const Stopped&) {
    report.stopped = true;
  }
  return report;
}

}  // namespace hd::dataset
