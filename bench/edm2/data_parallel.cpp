// SPDX-License-Identifier: GPL-3.0-or-later
// Data-parallel training benchmark (docs/benchmarks.md, "edm2: data-parallel training"):
// the trainer itself on a synthetic dataset of the model's shape, as one process or as a
// rank of several (the launcher's variables, as for train). Each rank prints one line,
//   rank R ranks N batch B threads T samples_per_s X step_ms Y allreduce_wait_ms Z
//   allreduce_alone_ms W gradient_mib G cpu_s_per_step C
// medians over --steps training steps after two warm-up steps: global samples per second,
// the time per step, the time per step spent waiting for the gradient all-reduce after the
// backward pass (what it did not hide), the time to all-reduce the whole gradient alone
// (in the trainer's buckets, one after another, no computation), and the CPU seconds
// (user + system, all threads) the rank spent per step: on a machine shared with other
// work, wall times measure the share of the cores the run got, CPU seconds do not.
//
//   bench_edm2_data_parallel --config MODEL.toml --work DIR --prepare
//   [RANK=r WORLD_SIZE=n MASTER_PORT=p] bench_edm2_data_parallel --config MODEL.toml --work DIR
//       --batch 64 --steps 10 --threads 1
// bench/edm2/bench_data_parallel.sh runs both and projects the scaling.
#include <sys/resource.h>
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>

#include "hd/app/app.hpp"
#include "hd/app/torch_runtime.hpp"
#include "hd/common/config.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/edm2/distributed.hpp"
#include "hd/edm2/trainer.hpp"
#include "hd/edm2/world.hpp"

namespace {

namespace fs = std::filesystem;
using hd::edm2::ModelConfig;

constexpr std::int64_t kRows = 2048, kValRows = 64;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Unit normal profiles and labels p0, p1, ... (one per label the model takes).
void prepare(const ModelConfig& model, const fs::path& work) {
  fs::create_directories(work);
  hd::dataset::Metadata m;
  for (int c = 0; c < model.channels; ++c) {
    m.fields.names.push_back("f" + std::to_string(c));
    m.fields.mean.push_back(0.0);
    m.fields.std.push_back(1.0);
    m.fields.log.push_back(false);
    m.fields.units.push_back("1");
  }
  for (int p = 0; p < model.label_dim; ++p) {
    m.params.names.push_back("p" + std::to_string(p));
    m.params.mean.push_back(0.0);
    m.params.std.push_back(1.0);
    m.params.log.push_back(false);
    m.params.units.push_back("1");
  }
  for (int i = 0; i < model.length; ++i) m.z_m.push_back(0.08 * (i + 0.5) / model.length);
  torch::manual_seed(0);
  const auto fields = (torch::randn({kRows, model.channels, model.length}) * 0.5).contiguous();
  const auto params = torch::randn({kRows, model.label_dim}).contiguous();
  std::vector<std::int64_t> simulation(kRows);
  std::iota(simulation.begin(), simulation.end(), 0);
  hd::dataset::Writer writer(work / "data.h5", m, 64);
  writer.append({fields.data_ptr<float>(), static_cast<std::size_t>(fields.numel())},
                {params.data_ptr<float>(), static_cast<std::size_t>(params.numel())}, {}, simulation);
  writer.close();
  std::vector<std::int64_t> train(kRows - kValRows), val(kValRows);
  std::iota(train.begin(), train.end(), 0);
  std::iota(val.begin(), val.end(), kRows - kValRows);
  hd::dataset::write_split(work / "data.train.h5", train, "data.h5");
  hd::dataset::write_split(work / "data.val.h5", val, "data.h5");
  std::string labels;
  for (int p = 0; p < model.label_dim; ++p) labels += (p > 0 ? ", \"p" : "\"p") + std::to_string(p) + "\"";
  std::ofstream(work / "train.toml") << "[model]\nconfig = \"model.toml\"\n"
                                     << "[data]\ndataset = \"data.h5\"\ntrain_split = \"data.train.h5\"\n"
                                     << "val_split = \"data.val.h5\"\nlabels = [" << labels << "]\n"
                                     << "[training]\nbatch_size = 64\ntotal_steps = 1\nlr_ref = 0.01\n"
                                     << "lr_decay_steps = 35000\nlog_interval_steps = 1\n"
                                     << "[validation]\nsigmas = [1.0]\ninterval_steps = 1000000000\n"
                                     << "[ema]\nsnapshot_interval_steps = 1000000000\n"
                                     << "[checkpoint]\ninterval_steps = 1000000000\n";
}

// The whole gradient all-reduced alone, in the trainer's buckets one after another.
double allreduce_alone_ms(const ModelConfig& config, hd::edm2::World world, int steps, double* gradient_mib) {
  ++world.master_port;  // the trainer's process group takes the launcher's port later
  hd::edm2::ProcessGroup group(world, {}, torch::kCPU);
  hd::edm2::Precond model(config);
  std::int64_t elements = 0;
  for (const auto& p : model->parameters()) elements += p.numel();
  *gradient_mib = static_cast<double>(elements) * 4.0 / (1024.0 * 1024.0);
  const auto bucket = static_cast<std::int64_t>(hd::edm2::DistributedOptions{}.bucket_mb * 1024 * 1024 / 4);
  auto flat = torch::ones({elements});
  std::vector<double> times;
  for (int i = 0; i < steps + 1; ++i) {
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t first = 0; first < elements; first += bucket) {
      auto piece = flat.narrow(0, first, std::min(bucket, elements - first));
      group.sum(piece, "the benchmark all-reduce");
    }
    if (i > 0)
      times.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return median(times);
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::prepare_torch_process(argc, argv);
  hd::app::App app("bench_edm2_data_parallel", "Time data-parallel EDM2 training steps");
  app.add_config_option();
  app.add_threads_option();
  fs::path work;
  int batch = 64, steps = 10;
  bool only_prepare = false;
  app.cli().add_option("--work", work, "Folder for the synthetic dataset and the runs")->required();
  app.cli().add_flag("--prepare", only_prepare, "Write the synthetic dataset and training config, then exit");
  app.cli()
      .add_option("--batch", batch, "Global batch size")
      ->check(CLI::Range(1, 1 << 20))
      ->capture_default_str();
  app.cli()
      .add_option("--steps", steps, "Timed training steps (after two warm-up steps)")
      ->check(CLI::Range(2, 100000))
      ->capture_default_str();
  return app.run(argc, argv, [&] {
    const auto model = hd::edm2::load_model_config(app.config_path());
    if (only_prepare) {
      prepare(model, work);
      fs::copy_file(app.config_path(), work / "model.toml", fs::copy_options::overwrite_existing);
      return 0;
    }
    hd::app::set_torch_threads(app.threads());
    const auto world = hd::edm2::world_from_environment();
    double alone_ms = 0.0, gradient_mib = 0.0;
    if (world.distributed()) alone_ms = allreduce_alone_ms(model, world, steps, &gradient_mib);

    auto document = hd::config::Document::load(work / "train.toml");
    document.set("training.batch_size=" + std::to_string(batch), "--batch");
    document.set("training.total_steps=" + std::to_string(steps + 2), "--steps");
    document.set("training.device=\"cpu\"", "bench");
    auto config = hd::edm2::read_train_config(document);
    const hd::edm2::RunFolder run{work / ("run-" + std::to_string(world.size))};
    hd::edm2::Trainer trainer(std::move(config), run, /*fresh=*/true, world);
    std::vector<double> rates, waits, cpu;
    std::atomic<bool> stop{false};
    trainer.run(stop, [&](const hd::edm2::StepReport& r) {
      cpu.push_back(cpu_seconds());
      if (r.step <= 2) return;  // warm-up
      rates.push_back(r.samples_per_s);
      waits.push_back(r.allreduce_wait_s);
    });
    // From the end of the warm-up to the end of the last step but one (the last step's
    // report comes after its validation).
    const double cpu_per_step = (cpu[cpu.size() - 2] - cpu[1]) / static_cast<double>(cpu.size() - 3);
    const double rate = median(rates);
    std::printf(
        "rank %d ranks %d batch %d threads %d samples_per_s %.2f step_ms %.1f allreduce_wait_ms %.1f "
        "allreduce_alone_ms %.1f gradient_mib %.1f cpu_s_per_step %.3f\n",
        world.rank, world.size, batch, app.threads(), rate, 1000.0 * batch / rate, 1000.0 * median(waits),
        alone_ms, gradient_mib, cpu_per_step);
    return 0;
  });
}
