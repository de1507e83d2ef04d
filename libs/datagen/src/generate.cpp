// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/datagen/generate.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <map>
#include <mutex>
#include <numeric>
#include <sstream>
#include <thread>
#include <tuple>

#include <nlohmann/json.hpp>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"

namespace hd::datagen {

namespace fs = std::filesystem;
using dataset::RawFile;
using dataset::RawHeader;
using dataset::RawRow;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kRunRecord = "run.json";
constexpr const char* kRunFormat = "hall_diffusion.raw_run";
constexpr const char* kPartsFolder = "parts";
constexpr std::int64_t kChunkRows = 64;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot open");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// "line 12: "a = 1" then, "a = 2" now": the first line where two texts differ.
std::string first_difference(const std::string& before, const std::string& now) {
  std::istringstream a(before), b(now);
  std::string la, lb;
  for (int line = 1;; ++line) {
    const bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) return "no difference";
    if (!ga || !gb || la != lb)
      return "line " + std::to_string(line) + ": \"" + (ga ? la : "(end)") + "\" then, \"" +
             (gb ? lb : "(end)") + "\" now";
  }
}

// The stem of shard j's files, "shard-00003-of-00016".
std::string shard_stem(std::int64_t shard, std::int64_t num_shards) {
  std::string name = dataset::raw_shard_name(shard, num_shards);
  return name.substr(0, name.size() - 3);
}

// Shard number of a file of this run ("shard-00003-of-00016..." with this shard count), or -1.
std::int64_t shard_of_file(const std::string& name, std::int64_t num_shards) {
  long long shard = 0, count = 0;
  int used = 0;
  if (std::sscanf(name.c_str(), "shard-%lld-of-%lld%n", &shard, &count, &used) != 2) return -1;
  if (count != num_shards || shard < 0 || shard >= count) return -1;
  return name.compare(0, static_cast<std::size_t>(used), shard_stem(shard, count)) == 0 ? shard : -1;
}

// An exclusive lock on a file of the folder for the duration of a scope. Where the file
// system has no locks, the scope runs unlocked (concurrent manifest writers may then
// drop each other's newest shards until a later update adds them back).
class FolderLock {
 public:
  explicit FolderLock(const fs::path& file) : fd_(::open(file.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644)) {
    if (fd_ < 0) throw Error(file.string() + ": cannot open the lock file: " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      if (errno == ENOLCK || errno == EOPNOTSUPP || errno == ENOSYS) break;
      const int err = errno;
      ::close(fd_);
      throw Error(file.string() + ": cannot lock: " + std::strerror(err));
    }
  }
  ~FolderLock() { ::close(fd_); }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_;
};

std::int64_t count_failed(const std::vector<std::int8_t>& statuses) {
  return std::count_if(statuses.begin(), statuses.end(), [](std::int8_t s) { return s != 0; });
}

// One gen_data call on one worker: the owned shards, their state, the worker threads.
class Generation {
 public:
  Generation(const SimulationFactory& factory, const GenerateOptions& options)
      : factory_(factory),
        options_(options),
        plan_{options.num_sims, factory.config().output.shard_size},
        num_shards_(plan_.num_shards()),
        parts_(options.out / kPartsFolder) {}

  GenerateSummary execute();

 private:
  struct Shard {
    std::int64_t id = 0, first = 0, end = 0;
    fs::path file;
    std::vector<fs::path> parts;
    int next_part = 0;
    std::vector<char> done;
    std::int64_t done_count = 0, failed = 0;
    std::vector<RawRow> pending;
    Clock::time_point oldest_pending;
    bool complete = false;
    std::int64_t size() const { return end - first; }
  };

  RawHeader header(const Shard& s) const;
  void check_file(const RawFile& file, const Shard& s) const;
  void scan();
  void add_part(Shard& s, const fs::path& part);
  void commit(Shard& s);
  void complete(Shard& s);
  Shard& shard_of(std::int64_t index);
  void run(const std::vector<std::int64_t>& todo);

  const SimulationFactory& factory_;
  const GenerateOptions& options_;
  const ShardPlan plan_;
  const std::int64_t num_shards_;
  const fs::path parts_;
  std::vector<Shard> shards_;  // owned shards, in shard order
  GenerateSummary summary_;
};

RawHeader Generation::header(const Shard& s) const {
  RawHeader h = factory_.header();
  h.num_sims = plan_.num_sims;
  h.shard = s.id;
  h.num_shards = num_shards_;
  h.first_index = s.first;
  h.end_index = s.end;
  return h;
}

void Generation::check_file(const RawFile& file, const Shard& s) const {
  const RawHeader& h = file.header();
  const RawHeader want = header(s);
  std::string what;
  if (h.seed != want.seed) {
    what = "seed";
  } else if (h.num_sims != want.num_sims) {
    what = "simulation count";
  } else if (h.shard != want.shard || h.num_shards != want.num_shards || h.first_index != want.first_index ||
             h.end_index != want.end_index) {
    what = "shard range";
  } else if (h.data_config != want.data_config) {
    what = "data config";
  } else if (h.simulation_config != want.simulation_config) {
    what = "simulation config";
  } else if (!(h.layout == want.layout)) {
    what = "layout (channels, grid, scalars, series or parameters)";
  }
  if (!what.empty())
    throw Error(file.path().string() + ": written by another run (its " + what +
                " differs from this run's): move it away, or pass another --out");
}

void Generation::add_part(Shard& s, const fs::path& part) {
  const RawFile file(part);
  check_file(file, s);
  const std::vector<std::int8_t> statuses = file.statuses();
  for (const std::int64_t index : file.indices()) {
    if (index < s.first || index >= s.end)
      throw Error(part.string() + ": holds simulation " + std::to_string(index) + ", outside its shard [" +
                  std::to_string(s.first) + ", " + std::to_string(s.end) + ")");
    char& done = s.done[static_cast<std::size_t>(index - s.first)];
    if (done != 0)
      throw Error(part.string() + ": holds simulation " + std::to_string(index) +
                  ", which another part of the shard holds too (two gen_data processes writing one shard?)");
    done = 1;
  }
  s.done_count += file.rows();
  s.failed += count_failed(statuses);
  s.parts.push_back(part);
}

// What the folder holds for the owned shards. Every file that exists was written whole and
// must read back; only then are stale temporaries (a crash while writing) and the parts of
// merged shards removed, so an error leaves the folder as it was.
void Generation::scan() {
  std::error_code ec;
  fs::create_directories(parts_, ec);
  if (ec) throw Error(parts_.string() + ": cannot create folder: " + ec.message());
  for (std::int64_t j = options_.worker.index; j < num_shards_; j += options_.worker.count) {
    Shard s;
    s.id = j;
    s.first = plan_.first(j);
    s.end = plan_.end(j);
    s.file = options_.out / dataset::raw_shard_name(j, num_shards_);
    s.done.assign(static_cast<std::size_t>(s.size()), 0);
    shards_.push_back(std::move(s));
  }
  const auto owned = [&](std::int64_t shard) -> Shard* {
    if (shard < 0 || shard % options_.worker.count != options_.worker.index) return nullptr;
    return &shards_[static_cast<std::size_t>(shard / options_.worker.count)];
  };

  std::map<std::pair<std::int64_t, int>, fs::path> parts;  // (shard, part number) -> file
  std::vector<fs::path> stale;
  for (const fs::path& folder : {options_.out, parts_}) {
    for (const auto& entry : fs::directory_iterator(folder)) {
      const std::string name = entry.path().filename().string();
      Shard* s = owned(shard_of_file(name, num_shards_));
      if (s == nullptr) continue;
      if (name.find(".tmp-") != std::string::npos) {
        stale.push_back(entry.path());
        continue;
      }
      int number = 0;
      if (folder == parts_ &&
          std::sscanf(name.c_str() + shard_stem(s->id, num_shards_).size(), ".part-%d.h5", &number) == 1)
        parts[{s->id, number}] = entry.path();
    }
  }

  for (Shard& s : shards_) {
    if (!fs::exists(s.file, ec)) continue;
    const RawFile file(s.file);
    check_file(file, s);
    std::vector<std::int64_t> expected(static_cast<std::size_t>(s.size()));
    std::iota(expected.begin(), expected.end(), s.first);
    if (file.indices() != expected)
      throw Error(s.file.string() + ": does not hold exactly simulations [" + std::to_string(s.first) + ", " +
                  std::to_string(s.end) + ") in order: a damaged shard; move it away to regenerate it");
    s.complete = true;
    s.done_count = s.size();
    s.failed = count_failed(file.statuses());
  }
  for (const auto& [key, path] : parts) {
    Shard& s = *owned(key.first);
    s.next_part = std::max(s.next_part, key.second + 1);
    if (s.complete) {
      // Merged already: the crash came between writing the shard and removing its parts.
      stale.push_back(path);
    } else {
      add_part(s, path);
    }
  }
  for (const fs::path& path : stale) fs::remove(path, ec);
}

void Generation::commit(Shard& s) {
  if (s.pending.empty()) return;
  std::sort(s.pending.begin(), s.pending.end(),
            [](const RawRow& a, const RawRow& b) { return a.index < b.index; });
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, ".part-%06d.h5", s.next_part++);
  const fs::path part = parts_ / (shard_stem(s.id, num_shards_) + suffix);
  dataset::write_raw_file(part, header(s), s.pending,
                          std::min<std::int64_t>(kChunkRows, static_cast<std::int64_t>(s.pending.size())));
  s.parts.push_back(part);
  s.pending.clear();
}

// All of a shard's simulations are committed or pending: one file, rows in index order.
void Generation::complete(Shard& s) {
  std::vector<RawRow> rows = std::move(s.pending);
  s.pending.clear();
  for (const fs::path& part : s.parts) {
    const RawFile file(part);
    std::vector<RawRow> part_rows = file.read(0, file.rows());
    std::move(part_rows.begin(), part_rows.end(), std::back_inserter(rows));
  }
  std::sort(rows.begin(), rows.end(), [](const RawRow& a, const RawRow& b) { return a.index < b.index; });
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows.size() != static_cast<std::size_t>(s.size()) ||
        rows[i].index != s.first + static_cast<std::int64_t>(i))
      throw Error(parts_.string() + ": the parts of " + s.file.filename().string() +
                  " do not hold each of its simulations exactly once");
  dataset::write_raw_file(s.file, header(s), rows, kChunkRows);
  std::error_code ec;
  for (const fs::path& part : s.parts) fs::remove(part, ec);
  s.parts.clear();
  s.complete = true;
  ++summary_.shards_completed;
  update_manifest(options_.out, plan_, factory_.master_seed());
}

Generation::Shard& Generation::shard_of(std::int64_t index) {
  return shards_[static_cast<std::size_t>(index / plan_.shard_size / options_.worker.count)];
}

// Worker threads run simulations in index order; this thread commits what they finish.
void Generation::run(const std::vector<std::int64_t>& todo) {
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<RawRow> finished;
  std::atomic<std::size_t> next{0};
  std::atomic<bool> abort{false};
  std::exception_ptr worker_error;
  const int threads = std::max(1, options_.threads);
  int running = threads;
  const auto stopping = [&] { return abort.load() || (options_.stop != nullptr && options_.stop->load()); };

  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      try {
        while (!stopping()) {
          const std::size_t i = next++;
          if (i >= todo.size()) break;
          RawRow row = factory_.run(todo[i]);
          const std::lock_guard lock(mutex);
          finished.push_back(std::move(row));
          wake.notify_one();
        }
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!worker_error) worker_error = std::current_exception();
        abort = true;
      }
      const std::lock_guard lock(mutex);
      --running;
      wake.notify_one();
    });
  }
  const auto join = [&] {
    abort = true;
    for (auto& w : workers) w.join();
  };

  GenerateProgress& progress = summary_.progress;
  const auto interval = std::chrono::duration<double>(options_.commit_interval_s);
  try {
    while (true) {
      std::deque<RawRow> batch;
      bool exited = false;
      {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, std::chrono::milliseconds(200),
                      [&] { return !finished.empty() || running == 0; });
        batch.swap(finished);
        exited = running == 0;
      }
      const auto now = Clock::now();
      for (RawRow& row : batch) {
        Shard& s = shard_of(row.index);
        if (s.pending.empty()) s.oldest_pending = now;
        ++s.done_count;
        ++progress.done;
        if (row.status != 0) {
          ++s.failed;
          ++progress.failed;
        }
        s.pending.push_back(std::move(row));
      }
      for (Shard& s : shards_) {
        if (s.pending.empty()) continue;
        if (s.done_count == s.size()) {
          complete(s);
        } else if (exited || static_cast<std::int64_t>(s.pending.size()) >= options_.commit_rows ||
                   now - s.oldest_pending >= interval) {
          commit(s);
        }
      }
      if (options_.on_progress && !batch.empty()) options_.on_progress(progress);
      if (exited) break;
    }
  } catch (...) {
    join();
    throw;
  }
  join();
  if (worker_error) std::rethrow_exception(worker_error);
}

GenerateSummary Generation::execute() {
  scan();
  GenerateProgress& progress = summary_.progress;
  std::vector<std::int64_t> todo;
  for (Shard& s : shards_) {
    progress.total += s.size();
    progress.done += s.done_count;
    progress.failed += s.failed;
    if (s.complete) continue;
    if (s.done_count == s.size()) {
      complete(s);  // every part was committed, the merge had not happened
      continue;
    }
    for (std::int64_t k = s.first; k < s.end; ++k)
      if (s.done[static_cast<std::size_t>(k - s.first)] == 0) todo.push_back(k);
  }
  progress.resumed = progress.done;
  if (options_.on_progress) options_.on_progress(progress);
  if (!todo.empty()) run(todo);
  summary_.stopped = progress.done < progress.total;
  update_manifest(options_.out, plan_, factory_.master_seed());
  return summary_;
}

}  // namespace

void prepare_output(const SimulationFactory& factory, const fs::path& out, std::int64_t num_sims) {
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec || !fs::is_directory(out, ec))
    throw Error(out.string() + ": cannot create the output folder" + (ec ? " (" + ec.message() + ")" : ""));
  const dataset::RawHeader& h = factory.header();
  const fs::path record = out / kRunRecord;
  if (!fs::exists(record, ec)) {
    nlohmann::ordered_json j;
    j["format"] = kRunFormat;
    j["seed"] = h.seed;
    j["num_sims"] = num_sims;
    j["shard_size"] = factory.config().output.shard_size;
    j["version"] = h.version;
    j["data_config"] = h.data_config;
    j["simulation_config"] = h.simulation_config;
    write_text_atomically(record, j.dump(1) + "\n");
    return;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text(record));
    if (j.at("format").get<std::string>() != kRunFormat)
      throw Error(record.string() + ": not a gen_data run record");
    const auto seed = j.at("seed").get<std::uint64_t>();
    const auto sims = j.at("num_sims").get<std::int64_t>();
    const auto same_arguments = ": continue it with the same arguments, or pass another --out";
    if (seed != h.seed)
      throw Error(record.string() + ": this folder holds a run with --seed " + std::to_string(seed) +
                  ", not " + std::to_string(h.seed) + same_arguments);
    if (sims != num_sims)
      throw Error(record.string() + ": this folder holds a run of --num-sims " + std::to_string(sims) +
                  ", not " + std::to_string(num_sims) + same_arguments);
    for (const auto& [key, now, what] :
         {std::tuple{"data_config", &h.data_config, "data config"},
          std::tuple{"simulation_config", &h.simulation_config, "simulation config"}}) {
      const auto before = j.at(key).get<std::string>();
      if (before != *now)
        throw Error(record.string() + ": the " + what +
                    " differs from the one this folder was generated with (" +
                    first_difference(before, *now) + ")" + same_arguments);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(record.string() + ": malformed run record (" + e.what() + ")");
  }
}

std::optional<std::int64_t> recorded_num_sims(const fs::path& out) {
  const fs::path record = out / kRunRecord;
  std::error_code ec;
  if (!fs::exists(record, ec)) return std::nullopt;
  try {
    const auto j = nlohmann::json::parse(read_text(record));
    if (j.at("format").get<std::string>() != kRunFormat)
      throw Error(record.string() + ": not a gen_data run record");
    return j.at("num_sims").get<std::int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(record.string() + ": malformed run record (" + e.what() + ")");
  }
}

GenerateSummary generate(const SimulationFactory& factory, const GenerateOptions& options) {
  if (options.num_sims < 1) throw Error("gen_data: the number of simulations must be at least 1");
  if (options.worker.count < 1 || options.worker.index < 0 || options.worker.index >= options.worker.count)
    throw Error("gen_data: worker " + std::to_string(options.worker.index) + " of " +
                std::to_string(options.worker.count) + " does not exist");
  prepare_output(factory, options.out, options.num_sims);
  return Generation(factory, options).execute();
}

dataset::RawManifest update_manifest(const fs::path& out, const ShardPlan& plan, std::uint64_t seed) {
  const FolderLock lock(out / ".manifest.lock");
  dataset::RawManifest manifest;
  manifest.num_sims = plan.num_sims;
  manifest.shard_size = plan.shard_size;
  manifest.num_shards = plan.num_shards();
  manifest.seed = seed;
  // Counts of shards an earlier manifest lists are trusted (a shard file never changes);
  // only new shards are opened.
  std::map<std::string, dataset::RawShardEntry> known;
  try {
    const dataset::RawManifest before = dataset::read_raw_manifest(out);
    if (before.num_sims == manifest.num_sims && before.shard_size == manifest.shard_size &&
        before.seed == seed)
      for (const auto& entry : before.shards) known[entry.file] = entry;
  } catch (const Error&) {
    // No manifest, or an unreadable one: rebuilt from the shards.
  }
  std::error_code ec;
  for (std::int64_t j = 0; j < manifest.num_shards; ++j) {
    const std::string name = dataset::raw_shard_name(j, manifest.num_shards);
    if (!fs::exists(out / name, ec)) continue;
    if (const auto it = known.find(name); it != known.end()) {
      manifest.shards.push_back(it->second);
      continue;
    }
    const RawFile file(out / name);
    manifest.shards.push_back({name, j, plan.first(j), file.rows(), count_failed(file.statuses())});
  }
  // Under the lock nobody else is writing the manifest: its temporaries are stale.
  for (const auto& entry : fs::directory_iterator(out, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(std::string(dataset::kRawManifestName) + ".tmp-")) fs::remove(entry.path(), ec);
  }
  dataset::write_raw_manifest(out, manifest);
  return manifest;
}

}  // namespace hd::datagen
