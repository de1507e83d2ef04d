// SPDX-License-Identifier: GPL-3.0-or-later
// gen_data: run hallsim over parameters drawn from a prior and write the raw dataset
// (docs/data.md).
//
//   gen_data --config configs/data/spt100.toml --num-sims 4096 --out raw/ [--threads 2] [--seed 1]
//   gen_data ... --shard 3/16                  task 3 of a 16-task job array (Slurm)
//   mpirun -n 8 gen_data ...                   each rank writes its own shards
//   gen_data --config configs/data/tiny.toml --check    configure simulation 0, print the row layout
//
// Killed at any moment and run again with the same arguments, it continues where the
// committed work ends. Exit status: 0 when every owned simulation is in the folder (failed
// simulations are rows too), 1 for bad input or I/O errors, 2 for usage errors, 130 when
// SIGINT or SIGTERM stopped it after committing the running simulations.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/app/stop.hpp"
#include "hd/common/error.hpp"
#include "hd/common/progress.hpp"
#include "hd/datagen/data_config.hpp"
#include "hd/datagen/factory.hpp"
#include "hd/datagen/generate.hpp"

#ifdef HD_GEN_DATA_WITH_MPI
#include <mpi.h>
#endif

namespace {

// This process's place among the MPI ranks: MPI is initialized only when a launcher
// (mpirun, srun --mpi=...) started the process, so a plain run needs no MPI runtime.
class MpiSession {
 public:
  MpiSession(int& argc, char**& argv) {
#ifdef HD_GEN_DATA_WITH_MPI
    for (const char* variable : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"}) {
      if (std::getenv(variable) == nullptr) continue;
      MPI_Init(&argc, &argv);
      MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
      MPI_Comm_size(MPI_COMM_WORLD, &size_);
      initialized_ = true;
      break;
    }
#else
    (void)argc;
    (void)argv;
#endif
  }
  ~MpiSession() {
#ifdef HD_GEN_DATA_WITH_MPI
    if (initialized_) MPI_Finalize();
#endif
  }
  int rank() const {
    return rank_;
  }
  int size() const {
    return size_;
  }

 private:
  int rank_ = 0, size_ = 1;
  bool initialized_ = false;
};

struct ShardSpec {
  int index = 0, count = 1;
};

// "I/N" with 0 <= I < N, or nullopt.
std::optional<ShardSpec> parse_shard(const std::string& text) {
  ShardSpec s;
  int used = 0;
  if (std::sscanf(text.c_str(), "%d/%d%n", &s.index, &s.count, &used) != 2 ||
      used != static_cast<int>(text.size()) || s.count < 1 || s.index < 0 || s.index >= s.count)
    return std::nullopt;
  return s;
}

void print_layout(const hd::datagen::SimulationFactory& factory) {
  const auto& l = factory.layout();
  const auto list = [](const std::vector<std::string>& names, const std::vector<std::string>& units) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + names[i] + " (" + units[i] + ")";
    return out;
  };
  std::printf("%s: simulation 0 configures and runs; each row holds\n", factory.config().source.c_str());
  std::printf("  fields [%zu, %zu]: %s\n", l.channels.size(), l.z_m.size(),
              list(l.channels, l.channel_units).c_str());
  std::printf("  scalars [%zu]: %s\n", l.scalar_names.size(), list(l.scalar_names, l.scalar_units).c_str());
  std::printf("  series [%zu, %zu] over [%g, %g] s: %s\n", l.series_names.size(), l.series_time_s.size(),
              l.series_time_s.front(), l.series_time_s.back(), list(l.series_names, l.series_units).c_str());
  std::printf("  params [%zu]: %s\n", l.param_names.size(), list(l.param_names, l.param_units).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  MpiSession mpi(argc, argv);
  hd::app::App app("gen_data", "Run hallsim over parameters drawn from a prior and write the raw dataset");
  app.add_config_option();
  app.add_seed_option(0);
  app.add_threads_option();
  auto& cli = app.cli();
  std::int64_t num_sims = 0;
  std::filesystem::path out;
  std::string shard_text = "0/1";
  bool check = false;
  hd::datagen::GenerateOptions options;
  cli.add_option("-n,--num-sims", num_sims, "Simulations in the dataset")->check(hd::app::positive());
  cli.add_option("-o,--out", out, "Output folder (created; a rerun continues the run it holds)");
  cli.add_option("--shard", shard_text, "Run only task I of N (0-based) of a job array, e.g. --shard 3/16")
      ->type_name("I/N")
      ->check(CLI::Validator(
          [](std::string& text) {
            return parse_shard(text) ? std::string() : "expected I/N with 0 <= I < N, e.g. 3/16, not " + text;
          },
          "I/N"));
  cli.add_flag("--check", check, "Configure and probe simulation 0, print what each row holds, and exit");
  cli.add_option("--commit-rows", options.commit_rows,
                 "Commit a shard's finished simulations once this many wait")
      ->check(hd::app::positive())
      ->capture_default_str();
  cli.add_option("--commit-interval", options.commit_interval_s,
                 "... or once the oldest has waited this long (s): a crash loses at most this much work")
      ->check(hd::app::positive())
      ->capture_default_str();

  return app.run(argc, argv, [&] {
    hd::datagen::SimulationFactory factory(hd::datagen::read_data_config(app.load_config()), app.seed());
    if (check) {
      print_layout(factory);
      return 0;
    }
    if (num_sims < 1 || out.empty()) throw hd::Error("--num-sims and --out are required (unless --check)");
    const ShardSpec shard = *parse_shard(shard_text);
    options.out = out;
    options.num_sims = num_sims;
    options.threads = app.threads();
    options.worker = {shard.index * mpi.size() + mpi.rank(), shard.count * mpi.size()};
    options.stop = &hd::app::stop_on_signals();
    const std::string label = mpi.size() > 1 || shard.count > 1
                                  ? "gen_data worker " + std::to_string(options.worker.index) + "/" +
                                        std::to_string(options.worker.count)
                                  : std::string("gen_data");
    // The total is known once the owned shards are read back, at the first report.
    std::optional<hd::Progress> progress;
    const auto show = [&](const hd::datagen::GenerateProgress& p) {
      if (!progress) progress.emplace(label, p.total, "simulations", app.progress_options());
      progress->set_detail(std::to_string(p.failed) + " failed");
      progress->update(p.done);
    };
    if (mpi.rank() == 0) options.on_progress = show;

    const auto start = std::chrono::steady_clock::now();
    const hd::datagen::GenerateSummary summary = hd::datagen::generate(factory, options);
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (progress) progress->finish();
    const auto& p = summary.progress;
    const double ran = static_cast<double>(p.done - p.resumed);
    spdlog::info(
        "{}: {} of {} owned simulations in {} ({} failed); this run: {} in {:.1f} s with {} worker threads = "
        "{:.3g} "
        "sims/s, {:.3g} sims per core-second",
        label, p.done, p.total, out.string(), p.failed, p.done - p.resumed, wall_s, options.threads,
        ran / wall_s, ran / (wall_s * options.threads));
    if (summary.stopped) {
      spdlog::warn(
          "{}: stopped by a signal with every finished simulation committed; run the same command "
          "again to continue",
          label);
      return hd::app::kStoppedExitCode;
    }
    return 0;
  });
}
