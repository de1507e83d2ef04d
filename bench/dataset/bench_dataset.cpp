// SPDX-License-Identifier: GPL-3.0-or-later
// The data pipeline's throughput and memory (docs/benchmarks.md, section "Data pipeline"),
// one step per process so that each peak RSS is the step's own:
//
//   bench_dataset synth --out RAW --sims N     a raw dataset of the reference layout (17 channels
//                                              x 128 cells, shards of 1024) and its split
//   bench_dataset normalize --in RAW --out NORM      normalize_raw: simulations/s, peak RSS
//   bench_dataset read --in NORM [--samples S] [--batch B]   StreamingReader over the training
//                                              split: samples/s over one epoch with the file evicted
//                                              from the page cache first (disk), then over S more
//                                              samples (page cache), peak RSS
//
// The synthetic rows are random but within every outlier threshold, so every simulation is
// kept, and random float32 values compress about as poorly as real profiles.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "hd/app/app.hpp"
#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"
#include "hd/dataset/normalize_raw.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/dataset/raw_shard.hpp"
#include "hd/dataset/split.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hd::dataset;
using Clock = std::chrono::steady_clock;

double peak_rss_mib() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

RawLayout reference_layout(int cells) {
  RawLayout l;
  l.channels = {"B",    "nu_e", "nu_an", "nn",  "ne", "ni_1", "ni_2", "ni_3",   "ui_1",
                "ui_2", "ui_3", "ue",    "phi", "E",  "Tev",  "pe",   "grad_pe"};
  l.channel_units.assign(l.channels.size(), "1");
  for (int i = 0; i < cells; ++i) l.z_m.push_back(0.08 * (i + 0.5) / cells);
  l.scalar_names = {"anode_efficiency",        "discharge_current_a", "discharge_current_p2p_a",
                    "discharge_current_std_a", "ion_current_a",       "thrust_n"};
  l.scalar_units = {"1", "A", "A", "A", "A", "N"};
  l.series_names = {"discharge_current_a", "thrust_n"};
  l.series_units = {"A", "N"};
  for (int t = 0; t < 128; ++t) l.series_time_s.push_back(5e-4 + 5e-4 * t / 127);
  l.param_names = {"anode_mass_flow_rate_kg_s",
                   "anom_center",
                   "anom_minimum",
                   "anom_scale",
                   "anom_slope",
                   "anom_step",
                   "anom_width",
                   "background_pressure_torr",
                   "cathode_coupling_voltage_v",
                   "discharge_voltage_v",
                   "magnetic_field_scale",
                   "neutral_ingestion_scale",
                   "neutral_velocity_m_s",
                   "wall_loss_scale"};
  l.param_units.assign(l.param_names.size(), "1");
  l.status_names = {"ok"};
  return l;
}

// Simulation k: positive channels log-uniform over a decade, nu_an within the filter's
// ranges, phi between -0.1 Vd and Vd, the rest linear.
RawRow synthetic_row(const RawLayout& l, std::int64_t k) {
  hd::RngStream rng(1, static_cast<std::uint64_t>(k), hd::purpose_tag("bench.dataset"));
  RawRow r;
  r.index = k;
  r.seed = rng.seed();
  const std::size_t cells = l.z_m.size();
  for (std::size_t p = 0; p < l.param_names.size(); ++p) r.params.push_back(0.5 + rng.uniform());
  const double vd = 200.0 + 400.0 * rng.uniform();
  r.params[9] = vd;
  for (const std::string& channel : l.channels)
    for (std::size_t i = 0; i < cells; ++i) {
      double v = 1e17 * std::pow(10.0, rng.uniform());
      if (channel == "nu_an") v = i == 0 ? 1e7 : 1e6 * std::pow(10.0, rng.uniform());
      if (channel == "phi") v = vd * (1.1 * rng.uniform() - 0.1);
      if (channel.starts_with("ui") || channel == "ue" || channel == "E" || channel == "grad_pe")
        v = 1e4 * (rng.uniform() - 0.5);
      r.fields.push_back(static_cast<float>(v));
    }
  for (std::size_t s = 0; s < l.scalar_names.size(); ++s) r.scalars.push_back(0.05 + 5.0 * rng.uniform());
  for (std::size_t t = 0; t < l.series_size(); ++t) r.series.push_back(static_cast<float>(rng.uniform()));
  r.wall_time_s = 1.0;
  return r;
}

int synth(const fs::path& out, std::int64_t sims, int cells) {
  const RawLayout layout = reference_layout(cells);
  const std::int64_t shard_size = 1024;
  RawManifest manifest{sims, shard_size, (sims + shard_size - 1) / shard_size, 1, {}};
  fs::create_directories(out);
  for (std::int64_t j = 0; j < manifest.num_shards; ++j) {
    RawHeader h{
        layout, "[bench]\n", "[bench]\n",         "bench",        1,
        sims,   j,           manifest.num_shards, j * shard_size, std::min(sims, (j + 1) * shard_size)};
    std::vector<RawRow> rows;
    for (std::int64_t k = h.first_index; k < h.end_index; ++k) rows.push_back(synthetic_row(layout, k));
    const std::string name = raw_shard_name(j, manifest.num_shards);
    write_raw_file(out / name, h, rows);
    manifest.shards.push_back({name, j, h.first_index, h.end_index - h.first_index, 0});
  }
  write_raw_manifest(out, manifest);
  const SplitOptions options;
  write_simulation_splits(default_split_folder(out), split_simulations(ok_simulations(out), options),
                          options);
  std::printf("synth: %lld simulations of %zu x %d in %s\n", static_cast<long long>(sims),
              layout.channels.size(), cells, out.c_str());
  return 0;
}

int normalize(const fs::path& raw, const fs::path& out) {
  NormalizeRequest request;
  request.raw = raw;
  request.out = out;
  request.force = true;
  const auto start = Clock::now();
  const NormalizeReport report = normalize_raw(request);
  const double wall = seconds_since(start);
  std::printf("normalize: %lld simulations in %.2f s = %.0f simulations/s, peak RSS %.1f MiB\n",
              static_cast<long long>(report.simulations), wall,
              static_cast<double>(report.simulations) / wall, peak_rss_mib());
  return 0;
}

// Drops the file's pages from the page cache, so that the next read comes from the disk.
void evict(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY);
  if (fd < 0) throw hd::Error(file.string() + ": cannot open");
  ::fdatasync(fd);
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
}

// One epoch right after the file left the page cache (disk), then `samples` more (cache).
int read(const fs::path& norm, std::int64_t samples, std::int64_t batch) {
  const NormalizedFolder folder{norm};
  const auto split = read_split(folder.split(Split::train));
  evict(folder.dataset());
  StreamingReader reader(folder.dataset(), split, {.batch_size = batch, .seed = 3});
  for (const auto& [pass, wanted] : {std::pair{"disk, first epoch", static_cast<std::int64_t>(split.size())},
                                     std::pair{"page cache", samples}}) {
    const auto start = Clock::now();
    std::int64_t read = 0;
    while (read < wanted) read += reader.next().size;
    const double wall = seconds_since(start);
    std::printf(
        "read (%s): %lld samples in batches of %lld from %zu training rows in %.2f s = %.0f samples/s\n",
        pass, static_cast<long long>(read), static_cast<long long>(batch), split.size(), wall,
        static_cast<double>(read) / wall);
  }
  std::printf("read: peak RSS %.1f MiB\n", peak_rss_mib());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::App app("bench_dataset", "Throughput and memory of the data pipeline");
  auto& cli = app.cli();
  fs::path in, out;
  std::int64_t sims = 1024, samples = 65536, batch = 256;
  int cells = 128;
  auto* synth_cmd = cli.add_subcommand("synth", "Write a synthetic raw dataset and its split");
  synth_cmd->add_option("--out", out)->required();
  synth_cmd->add_option("--sims", sims);
  synth_cmd->add_option("--cells", cells);
  auto* normalize_cmd = cli.add_subcommand("normalize", "Normalize a raw dataset");
  normalize_cmd->add_option("--in", in)->required();
  normalize_cmd->add_option("--out", out)->required();
  auto* read_cmd = cli.add_subcommand("read", "Stream the training split of a normalized dataset");
  read_cmd->add_option("--in", in)->required();
  read_cmd->add_option("--samples", samples);
  read_cmd->add_option("--batch", batch);
  cli.require_subcommand(1);
  return app.run(argc, argv, [&] {
    if (*synth_cmd) return synth(out, sims, cells);
    if (*normalize_cmd) return normalize(in, out);
    return read(in, samples, batch);
  });
}
