// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/trainer.hpp"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <optional>
#include <sstream>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/edm2/device.hpp"
#include "hd/edm2/distributed.hpp"
#include "hd/edm2/loss.hpp"
#include "hd/edm2/model_description.hpp"
#include "hd/ema/power_ema.hpp"

#include "archive.hpp"

namespace hd::edm2 {

namespace fs = std::filesystem;

namespace {

// Rows of the training split checked per read when the run is accepted.
constexpr std::int64_t kScanRows = 4096;

double mean_of(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

torch::Tensor to_tensor(const std::vector<float>& values, std::vector<std::int64_t> shape,
                        torch::Device device) {
  return torch::from_blob(const_cast<float*>(values.data()), shape, torch::kFloat32).clone().to(device);
}

// Where each label lives in [params | scalars] of a batch.
std::vector<std::int64_t> label_columns(const TrainConfig& c, const dataset::Metadata& m) {
  std::vector<std::int64_t> columns;
  for (const auto& name : c.labels) {
    const auto in_params = std::find(m.params.names.begin(), m.params.names.end(), name);
    const auto in_scalars = std::find(m.scalars.names.begin(), m.scalars.names.end(), name);
    if (in_params != m.params.names.end()) {
      columns.push_back(in_params - m.params.names.begin());
    } else if (in_scalars != m.scalars.names.end()) {
      columns.push_back(m.num_params() + (in_scalars - m.scalars.names.begin()));
    } else {
      throw Error(c.dataset.string() + ": has no parameter or scalar " + name + " (named in data.labels)");
    }
  }
  return columns;
}

// A log row's step, or nothing when the row is not one of this log's (damaged or torn).
std::optional<std::int64_t> row_step(const std::string& line, std::size_t columns) {
  if (static_cast<std::size_t>(std::count(line.begin(), line.end(), ',')) + 1 != columns) return std::nullopt;
  std::int64_t step = 0;
  const auto end = line.data() + line.find(',');
  const auto [ptr, ec] = std::from_chars(line.data(), end, step);
  if (ec != std::errc() || ptr != end || step < 1) return std::nullopt;
  return step;
}

// bf16 autocast of CUDA operations for the forward pass of a training step.
class CudaAutocast {
 public:
  explicit CudaAutocast(bool enabled) : enabled_(enabled) {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_dtype(at::kCUDA, at::kBFloat16);
    at::autocast::set_autocast_enabled(at::kCUDA, true);
#else
    at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    at::autocast::set_enabled(true);
#endif
  }
  ~CudaAutocast() {
    if (!enabled_) return;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
    at::autocast::set_autocast_enabled(at::kCUDA, false);
#else
    at::autocast::set_enabled(false);
#endif
    at::autocast::clear_cache();
  }
  CudaAutocast(const CudaAutocast&) = delete;
  CudaAutocast& operator=(const CudaAutocast&) = delete;

 private:
  bool enabled_;
};

bool use_bf16(const TrainConfig& c, torch::Device device) {
  if (c.precision == "bf16" && !device.is_cuda())
    throw Error(
        "training.precision = \"bf16\" needs CUDA, but this run is on the CPU: use \"auto\" or \"fp32\"");
  return device.is_cuda() && c.precision != "fp32";
}

}  // namespace

struct Trainer::Impl {
  Impl(TrainConfig c, RunFolder r, World w) : config(std::move(c)), run(std::move(r)), world(std::move(w)) {}
  TrainConfig config;
  RunFolder run;
  World world;
  // Data-parallel runs only: the process group and the gradient all-reduce.
  std::unique_ptr<ProcessGroup> group;
  std::unique_ptr<GradientBuckets> buckets;
  std::unique_ptr<ExclusiveLock> lock;  // held by rank 0, which alone writes the folder
  torch::Device device = torch::kCPU;
  bool bf16 = false;
  Precond model{nullptr};
  Precond ema_model{nullptr};  // holds one EMA profile at a time for validation
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::unique_ptr<dataset::StreamingReader> reader;
  torch::Tensor label_index;  // columns of [params | scalars] that are the labels
  std::vector<double> ema_gammas;
  std::vector<std::vector<torch::Tensor>> ema;  // per profile, per parameter
  torch::Tensor val_fields, val_labels;
  std::int64_t step = 0;
  std::int64_t nonfinite_steps = 0;
  // The log row in progress: losses summed since the last row (kept in checkpoints, so a
  // resumed run writes the same row).
  double log_loss_sum = 0.0;
  std::int64_t log_loss_count = 0;
  std::int64_t dropped_log_rows = 0;
  bool resumed = false;

  std::int64_t images() const { return step * config.batch_size; }
  bool writer() const { return world.rank == 0; }
  // This rank's rows [first, first + count) of each global batch (the reader's shard).
  std::int64_t shard_first() const { return config.batch_size * world.rank / world.size; }
  std::int64_t shard_count() const {
    return config.batch_size * (world.rank + 1) / world.size - shard_first();
  }

  torch::Tensor labels_of(const dataset::Batch& batch) {
    const auto& m = reader->metadata();
    if (config.model.label_dim == 0) return {};
    auto params = to_tensor(batch.params, {batch.size, m.num_params()}, device);
    auto scalars = to_tensor(batch.scalars, {batch.size, m.num_scalars()}, device);
    return torch::cat({params, scalars}, 1).index_select(1, label_index);
  }

  // The tracked EMA profiles as entries ema0, ema1, ... (parameters p0, p1, ...).
  void write_ema(archive::OutputArchive& out) const {
    for (std::size_t k = 0; k < ema.size(); ++k) {
      archive::OutputArchive profile;
      archive::save_tensors(profile, "p", ema[k]);
      out.write("ema" + std::to_string(k), profile);
    }
  }

  void save_checkpoint() {
    archive::OutputArchive out;
    archive::write_provenance(out, archive::kCheckpointFormat, config.model_toml);
    out.write("train_config", c10::IValue(config.train_toml));
    out.write("seed", c10::IValue(static_cast<std::int64_t>(config.seed)));
    out.write("step", c10::IValue(step));
    out.write("batch_size", c10::IValue(config.batch_size));
    out.write("nonfinite_steps", c10::IValue(nonfinite_steps));
    out.write("log_loss_sum", c10::IValue(log_loss_sum));
    out.write("log_loss_count", c10::IValue(log_loss_count));
    archive::save_module(out, "model", *model);
    archive::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    out.write("optimizer", optimizer_archive);
    write_ema(out);
    archive::save(out, run.checkpoint());
  }

  // The state every rank must hold identically: weights, buffers, Adam moments, EMA
  // profiles and counters.
  std::int64_t state_fingerprint() {
    std::vector<torch::Tensor> state = model->parameters();
    for (const auto& b : model->buffers()) state.push_back(b);
    for (const auto& profile : ema) state.insert(state.end(), profile.begin(), profile.end());
    state.push_back(torch::tensor({step, nonfinite_steps, log_loss_count}, torch::kInt64));
    state.push_back(torch::tensor({log_loss_sum}, torch::kFloat64));
    // Adam keys its states by the parameters' addresses, which differ between processes
    // and order the map differently: their fingerprints are summed, in any order.
    std::int64_t adam_sum = 0;
    for (const auto& [key, value] : optimizer->state()) {
      const auto& adam = static_cast<const torch::optim::AdamParamState&>(*value);
      adam_sum = (adam_sum + fingerprint({adam.exp_avg(), adam.exp_avg_sq(),
                                          torch::tensor({adam.step()}, torch::kInt64)})) &
                 ((std::int64_t{1} << 62) - 1);
    }
    state.push_back(torch::tensor({adam_sum}, torch::kInt64));
    return fingerprint(state);
  }

  // Ranks that drifted apart (a run folder not shared by all of them, a non-deterministic
  // operation) would train different models under one checkpoint: stop instead.
  void verify_replicas(const std::string& when) {
    if (!group) return;
    if (!group->same(state_fingerprint(), "the comparison of the ranks' states " + when))
      throw Error("rank " + std::to_string(world.rank) + " of " + std::to_string(world.size) +
                  ": the ranks hold different weights, Adam or EMA states " + when +
                  " (every rank must read the same run folder and dataset)");
  }

  // Rank 0 writes; every rank waits until the checkpoint is on disk, so none runs ahead
  // of it (and a stop leaves no rank behind one).
  void checkpoint() {
    const std::string when = "at the checkpoint of step " + std::to_string(step);
    verify_replicas(when);
    if (writer()) save_checkpoint();
    if (group) group->barrier("the wait for the checkpoint of step " + std::to_string(step));
  }

  void load_checkpoint() {
    const auto path = run.checkpoint();
    auto in = archive::open(path, "checkpoint");
    archive::expect_format(in, path, archive::kCheckpointFormat);
    if (archive::read_string(in, path, "model_config") != config.model_toml)
      throw Error(path.string() +
                  ": written for a different model config; use a new output folder or --fresh");
    if (archive::read_int(in, path, "batch_size") != config.batch_size)
      throw Error(path.string() + ": written with another training.batch_size; resuming needs the same one");
    if (static_cast<std::uint64_t>(archive::read_int(in, path, "seed")) != config.seed)
      throw Error(path.string() + ": written with another training.seed; resuming needs the same one");
    step = archive::read_int(in, path, "step");
    nonfinite_steps = archive::read_int(in, path, "nonfinite_steps");
    log_loss_sum = archive::read_double(in, path, "log_loss_sum");
    log_loss_count = archive::read_int(in, path, "log_loss_count");
    if (step < 0 || step > config.total_steps || nonfinite_steps < 0 || log_loss_count < 0)
      throw Error(path.string() + ": damaged counters (step " + std::to_string(step) + ")");
    archive::load_module(in, path, "model", *model);
    try {
      auto optimizer_archive = archive::read_archive(in, path, "optimizer");
      optimizer->load(optimizer_archive);
    } catch (const c10::Error& e) {
      throw Error(path.string() + ": damaged optimizer state (" +
                  archive::first_line(e.what_without_backtrace()) + ")");
    }
    // Archives load onto the CPU (a checkpoint written on a GPU resumes anywhere).
    model->to(device);
    for (auto& [key, state] : optimizer->state()) {
      auto& adam = static_cast<torch::optim::AdamParamState&>(*state);
      if (!torch::isfinite(adam.exp_avg()).all().item<bool>() ||
          !torch::isfinite(adam.exp_avg_sq()).all().item<bool>())
        throw Error(path.string() + ": the optimizer state holds non-finite values (a damaged file)");
      adam.exp_avg(adam.exp_avg().to(device));
      adam.exp_avg_sq(adam.exp_avg_sq().to(device));
    }
    for (std::size_t k = 0; k < ema.size(); ++k) {
      const std::string key = "ema" + std::to_string(k);
      archive::InputArchive profile;
      if (!in.try_read(key, profile))
        throw Error(path.string() + ": missing EMA profile " + std::to_string(k) +
                    " (was ema.sigma_rels changed?)");
      ema[k] = archive::load_tensors(profile, path, "p", ema[k]);
    }
  }

  void save_snapshot() {
    archive::OutputArchive out;
    archive::write_provenance(out, archive::kSnapshotFormat, config.model_toml);
    out.write("seed", c10::IValue(static_cast<std::int64_t>(config.seed)));
    out.write("step", c10::IValue(step));
    out.write("images", c10::IValue(images()));
    out.write("sigma_rels", torch::tensor(config.ema_sigma_rels, torch::kFloat64));
    write_ema(out);
    archive::OutputArchive buffers;
    archive::save_tensors(buffers, "b", model->buffers());
    out.write("buffers", buffers);
    fs::create_directories(run.snapshot_folder());
    archive::save(out, run.snapshot(step));
  }

  // Weighted MSE per validation sigma of `net` (in evaluation mode): fixed noise, so
  // values of different steps and of different weights compare.
  std::vector<double> validation_losses(Precond& net) {
    const auto& c = config;
    torch::NoGradGuard no_grad;
    const auto n = val_fields.size(0);
    std::vector<double> sums(c.val_sigmas.size(), 0.0);
    for (std::size_t j = 0; j < c.val_sigmas.size(); ++j) {
      const double sigma = c.val_sigmas[j];
      double& sum = sums[j];
      for (std::int64_t first = 0; first < n; first += c.val_batch_size) {
        // Batch k is rank k mod N's: the ranks share the work and draw the same noise.
        if ((first / c.val_batch_size) % world.size != world.rank) continue;
        const auto count = std::min(c.val_batch_size, n - first);
        auto fields = val_fields.narrow(0, first, count);
        auto labels = val_labels.defined() ? val_labels.narrow(0, first, count) : torch::Tensor();
        auto x = model_image(c.model, fields, labels);
        auto generator = at::detail::createCPUGenerator(stream_seed(
            c.seed, static_cast<std::uint64_t>(j * 1'000'003 + first), purpose_tag("edm2.validation")));
        auto noise = torch::randn(x.sizes(), generator, torch::kFloat32).to(device);
        auto sigmas = torch::full({count}, sigma, x.options());
        auto denoised = net(x + noise * sigma, sigmas, label_features(c.model, labels, {}));
        sum += (denoised - x).square().mean({1, 2}).sum().item<double>();
      }
    }
    if (group) sums = group->sum(sums, "the validation at step " + std::to_string(step));
    std::vector<double> losses;
    for (std::size_t j = 0; j < c.val_sigmas.size(); ++j)
      losses.push_back(loss_weight(c.val_sigmas[j], c.model.sigma_data) * sums[j] / static_cast<double>(n));
    return losses;
  }

  // Snapshots newer than the restored step belong to the abandoned future of this run
  // (or, on a fresh start, to an older run): left alone they would enter an export.
  void remove_snapshots_after_step() const {
    for (const auto& snapshot : run.snapshots())
      if (snapshot.step > step) fs::remove(snapshot.path);
  }

  std::string log_header() const {
    std::ostringstream header;
    header << "step,images,loss,lr,grad_norm,nonfinite_steps,samples_per_s,val_loss";
    for (double s : config.val_sigmas) header << ",val_sigma_" << s;
    for (double s : config.ema_sigma_rels) header << ",val_loss_ema_" << s;
    return header.str();
  }

  // The CSV keeps exactly the rows up to the restored step, so a resumed run's curve
  // continues where the checkpoint left it (rows logged after it are replayed). Rows that
  // are not rows of this log (a torn last line, damage) are dropped and counted.
  void prepare_log() {
    const std::string header = log_header();
    const auto columns = static_cast<std::size_t>(std::count(header.begin(), header.end(), ',')) + 1;
    std::string kept = header + "\n";
    if (resumed && fs::exists(run.log())) {
      std::ifstream in(run.log());
      std::string line;
      std::getline(in, line);
      std::int64_t last = 0;
      while (std::getline(in, line)) {
        const auto s = row_step(line, columns);
        if (!s || *s <= last) {
          ++dropped_log_rows;
          continue;
        }
        if (*s > step) break;
        last = *s;
        kept += line + "\n";
      }
    }
    write_text_atomically(run.log(), kept);
  }

  void append_log(const StepReport& r) {
    std::ofstream out(run.log(), std::ios::app);
    out << std::setprecision(7) << r.step << ',' << r.images << ',' << r.loss << ',' << r.lr << ','
        << r.grad_norm << ',' << r.nonfinite_steps << ',' << r.samples_per_s << ',';
    if (!r.val_losses.empty()) out << r.val_loss;
    for (std::size_t i = 0; i < config.val_sigmas.size(); ++i) {
      out << ',';
      if (!r.val_losses.empty()) out << r.val_losses[i];
    }
    for (std::size_t k = 0; k < config.ema_sigma_rels.size(); ++k) {
      out << ',';
      if (!r.val_ema_losses.empty()) out << r.val_ema_losses[k];
    }
    out << '\n';
    if (!out) throw Error(run.log().string() + ": cannot append to the training log");
  }

  // The folder's record of what this run trains: configs, and the names, units and
  // normalization of the model's inputs (copied into every exported model).
  void write_run_description(const dataset::Metadata& m) const {
    write_text_atomically(run.config(), config.train_toml);
    ModelDescription d;
    d.config = config.model;
    d.config_toml = config.model_toml;
    d.channels = m.fields.names;
    d.labels = config.labels;
    d.z_m = m.z_m;
    d.dataset = fs::absolute(config.dataset).lexically_normal().string();
    write_text_atomically(run.description(), to_toml(d));
    normalize::write_json(run.normalization(), m);
  }

  // Everything a run checks before it is accepted: the folder's lock (rank 0), the data,
  // the model and the checkpoint to resume from.
  void prepare(bool fresh) {
    const auto& c = config;
    if (writer()) {
      std::error_code ec;
      fs::create_directories(run.root, ec);
      if (ec) throw Error(run.root.string() + ": cannot create the run folder: " + ec.message());
      lock = std::make_unique<ExclusiveLock>(run.lock(), "training run folder");
    }

    const auto train_rows = dataset::read_split(c.train_split);
    auto val_rows = dataset::read_split(c.val_split);
    {
      auto sorted_train = train_rows, sorted_val = val_rows;
      std::sort(sorted_train.begin(), sorted_train.end());
      std::sort(sorted_val.begin(), sorted_val.end());
      std::vector<std::int64_t> shared;
      std::set_intersection(sorted_train.begin(), sorted_train.end(), sorted_val.begin(), sorted_val.end(),
                            std::back_inserter(shared));
      if (!shared.empty())
        throw Error(c.val_split.string() + ": shares " + std::to_string(shared.size()) + " rows with " +
                    c.train_split.string() + " (validation rows must not be trained on)");
    }
    if (val_rows.empty()) throw Error(c.val_split.string() + ": the validation split is empty");
    if (static_cast<std::int64_t>(val_rows.size()) > c.val_max_samples)
      val_rows.resize(static_cast<std::size_t>(c.val_max_samples));

    dataset::Reader data(c.dataset);
    const auto& m = data.metadata();
    if (m.channels() != c.model.channels || m.length() != c.model.length)
      throw Error(c.dataset.string() + ": holds " + std::to_string(m.channels()) + " channels x " +
                  std::to_string(m.length()) + " points, but the model expects " +
                  std::to_string(c.model.channels) + " x " + std::to_string(c.model.length));
    const auto columns = label_columns(c, m);
    label_index = torch::tensor(columns, torch::kInt64).to(device);
    // Every training row is read once now (each rank reads its share of the blocks): a
    // non-finite or unreadable row stops the run before it starts, not after hours of
    // training.
    for (std::size_t first = 0, block = 0; first < train_rows.size(); first += kScanRows, ++block) {
      if (static_cast<int>(block % static_cast<std::size_t>(world.size)) != world.rank) continue;
      const auto count = std::min<std::size_t>(kScanRows, train_rows.size() - first);
      data.read(std::span(train_rows).subspan(first, count));
    }

    torch::manual_seed(stream_seed(c.seed, 0, purpose_tag("edm2.init")));
    model = Precond(c.model);
    model->to(device);
    ema_model = Precond(c.model);
    ema_model->to(device);
    ema_model->eval();
    optimizer =
        std::make_unique<torch::optim::Adam>(model->parameters(), torch::optim::AdamOptions(c.lr_ref)
                                                                      .betas({c.adam_beta1, c.adam_beta2})
                                                                      .eps(c.adam_eps)
                                                                      .weight_decay(0.0));
    for (double sigma_rel : c.ema_sigma_rels) {
      ema_gammas.push_back(ema::gamma_from_sigma_rel(sigma_rel));
      std::vector<torch::Tensor> copy;
      for (const auto& p : model->parameters()) copy.push_back(p.detach().clone());
      ema.push_back(std::move(copy));
    }

    dataset::StreamOptions stream{c.batch_size, stream_seed(c.seed, 0, purpose_tag("edm2.data")),
                                  c.chunk_rows, c.window_chunks};
    stream.shard_index = world.rank;
    stream.shard_count = world.size;
    reader = std::make_unique<dataset::StreamingReader>(c.dataset, train_rows, stream);
    const auto val = data.read(val_rows);
    val_fields = to_tensor(val.fields, {val.size, m.channels(), m.length()}, device);
    val_labels = labels_of(val);

    if (!fresh && fs::exists(run.checkpoint())) {
      load_checkpoint();
      resumed = true;
    }
  }
};

Trainer::Trainer(TrainConfig config, RunFolder run, bool fresh, const World& world)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(run), world)) {
  auto& s = *impl_;
  const auto& c = s.config;
  if (c.batch_size < s.world.size)
    throw Error("training.batch_size = " + std::to_string(c.batch_size) + " cannot be shared by " +
                std::to_string(s.world.size) + " ranks: give every rank at least one sample");
  s.device = rank_device(resolve_device(c.device), s.world);
  s.bf16 = use_bf16(c, s.device);
  if (s.world.distributed()) s.group = std::make_unique<ProcessGroup>(s.world, c.distributed, s.device);
  // Every rank checks what it reads; all must accept before rank 0 touches the folder.
  std::exception_ptr refusal;
  try {
    s.prepare(fresh);
  } catch (...) {
    refusal = std::current_exception();
  }
  if (s.group && !s.group->all(!refusal, "the start of the run") && !refusal)
    throw Error("rank " + std::to_string(s.world.rank) + " of " + std::to_string(s.world.size) +
                ": another rank refused the run (its own error says why)");
  if (refusal) std::rethrow_exception(refusal);
  s.verify_replicas("at the start of the run");
  if (s.group)
    s.buckets = std::make_unique<GradientBuckets>(*s.group, s.model->parameters(), c.distributed.bucket_mb);
  // Accepted: from here on the folder is this run's.
  if (s.writer()) {
    s.write_run_description(s.reader->metadata());
    s.remove_snapshots_after_step();
    s.prepare_log();
  }
  s.reader->seek(s.images());
}

Trainer::~Trainer() = default;
std::int64_t Trainer::step() const {
  return impl_->step;
}
bool Trainer::resumed() const {
  return impl_->resumed;
}
std::int64_t Trainer::dropped_log_rows() const {
  return impl_->dropped_log_rows;
}
Precond& Trainer::model() {
  return impl_->model;
}
int Trainer::rank() const {
  return impl_->world.rank;
}
int Trainer::world_size() const {
  return impl_->world.size;
}
torch::Device Trainer::device() const {
  return impl_->device;
}

std::vector<double> Trainer::validate() {
  auto& s = *impl_;
  s.model->eval();
  auto losses = s.validation_losses(s.model);
  s.model->train();
  return losses;
}

std::vector<double> Trainer::validate_ema() {
  auto& s = *impl_;
  std::vector<double> means;
  {
    torch::NoGradGuard no_grad;
    auto buffers = s.model->buffers(), ema_buffers = s.ema_model->buffers();
    for (std::size_t i = 0; i < buffers.size(); ++i) ema_buffers[i].copy_(buffers[i]);
  }
  for (const auto& profile : s.ema) {
    {
      torch::NoGradGuard no_grad;
      auto params = s.ema_model->parameters();
      for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(profile[i]);
    }
    means.push_back(mean_of(s.validation_losses(s.ema_model)));
  }
  return means;
}

bool Trainer::run(const std::atomic<bool>& stop, const std::function<void(const StepReport&)>& report,
                  std::int64_t pause_at_step) {
  auto& s = *impl_;
  const auto& c = s.config;
  const auto& m = s.reader->metadata();
  const auto first = s.shard_first(), count = s.shard_count();
  const double share = static_cast<double>(count) / static_cast<double>(c.batch_size);
  s.model->train();
  double last_grad_norm = 0.0, lr = 0.0, interval_wait_s = 0.0;
  auto interval_start = std::chrono::steady_clock::now();
  std::int64_t interval_steps = 0;
  bool checkpointed = false;
  // A data-parallel run stops where all ranks agreed to: a signal may reach only some.
  bool stop_agreed = false;
  while (s.step < c.total_steps) {
    if ((s.group ? stop_agreed : stop.load()) || (pause_at_step > 0 && s.step == pause_at_step)) {
      if (!checkpointed) s.checkpoint();
      return false;
    }
    const std::string step_name = "step " + std::to_string(s.step + 1);
    // Every random draw of a step derives from (seed, step), made for the whole global
    // batch in one order whatever the number of ranks, each rank taking its rows: a
    // resumed run repeats the uninterrupted one exactly, and N ranks draw what one would.
    torch::manual_seed(stream_seed(c.seed, static_cast<std::uint64_t>(s.step), purpose_tag("edm2.step")));
    const auto batch = s.reader->next();
    auto fields = to_tensor(batch.fields, {batch.size, m.channels(), m.length()}, s.device);
    torch::Tensor labels = s.labels_of(batch), features;
    if (c.model.label_dim > 0) {
      auto mask = torch::bernoulli(
          torch::full({c.batch_size, c.model.label_dim}, 1.0 - c.label_dropout, labels.options()));
      features = label_features(c.model, labels, mask.narrow(0, first, count));
    }
    auto x = model_image(c.model, fields, labels);
    auto draws = draw_loss_noise({c.batch_size, x.size(1), x.size(2)}, x.options(), c.loss);
    draws.sigma = draws.sigma.narrow(0, first, count);
    draws.noise = draws.noise.narrow(0, first, count);

    s.optimizer->zero_grad();
    if (s.buckets) s.buckets->begin(share, "the gradient all-reduce of " + step_name);
    torch::Tensor loss;
    {
      CudaAutocast autocast(s.bf16);
      loss = edm2_loss(s.model, x, features, c.loss, draws);
    }
    loss.backward();
    double step_loss = loss.item<double>();
    if (s.group) {
      interval_wait_s += s.buckets->finish();
      // The global batch's mean loss, and whether any rank was asked to stop.
      const auto sums =
          s.group->sum({step_loss * share, stop.load() ? 1.0 : 0.0}, "the loss of " + step_name);
      step_loss = sums[0];
      stop_agreed = sums[1] > 0.0;
    }

    lr = learning_rate(c.lr_ref, s.step, c.lr_decay_steps, c.lr_warmup_steps);
    for (auto& group : s.optimizer->param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    bool nonfinite = false;
    double squared_norm = 0.0;
    {
      torch::NoGradGuard no_grad;
      std::vector<torch::Tensor> grads;
      for (auto& p : s.model->parameters())
        if (p.mutable_grad().defined()) grads.push_back(p.mutable_grad());
      // One transfer for all norms. A non-finite entry makes its norm non-finite (a finite
      // norm that overflows is told apart by the exact check).
      std::vector<torch::Tensor> norms;
      for (const auto& g : grads) norms.push_back(torch::linalg_vector_norm(g, 2));
      const auto host_norms = norms.empty() ? torch::zeros({0}, torch::kFloat64)
                                            : torch::stack(norms).to(torch::kCPU, torch::kFloat64);
      const auto* norm_values = host_norms.data_ptr<double>();
      for (std::size_t i = 0; i < grads.size(); ++i) {
        double norm = norm_values[i];
        if (!std::isfinite(norm) && !torch::isfinite(grads[i]).all().item<bool>()) {
          nonfinite = true;
          grads[i].nan_to_num_(0.0, 0.0, 0.0);
          norm = torch::linalg_vector_norm(grads[i], 2).item<double>();
        }
        squared_norm += norm * norm;
      }
    }
    s.nonfinite_steps += nonfinite ? 1 : 0;
    last_grad_norm = std::sqrt(squared_norm);
    s.optimizer->step();
    ++s.step;
    ++interval_steps;
    checkpointed = false;
    {
      torch::NoGradGuard no_grad;
      const auto params_now = s.model->parameters();
      for (std::size_t k = 0; k < s.ema.size(); ++k) {
        const double beta = ema::power_beta(s.ema_gammas[k], s.images(), c.batch_size);
        for (std::size_t i = 0; i < params_now.size(); ++i) s.ema[k][i].lerp_(params_now[i], 1.0 - beta);
      }
    }
    if (std::isfinite(step_loss)) {
      s.log_loss_sum += step_loss;
      ++s.log_loss_count;
    }

    const bool last = s.step == c.total_steps;
    const bool validate_now = s.step % c.val_interval_steps == 0 || last;
    if (s.step % c.log_interval_steps == 0 || validate_now) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - interval_start).count();
      StepReport r;
      r.step = s.step;
      r.images = s.images();
      r.loss = s.log_loss_count > 0 ? s.log_loss_sum / static_cast<double>(s.log_loss_count) : std::nan("");
      r.lr = lr;
      r.grad_norm = last_grad_norm;
      r.nonfinite_steps = s.nonfinite_steps;
      r.samples_per_s = static_cast<double>(interval_steps * c.batch_size) / std::max(seconds, 1e-9);
      r.allreduce_wait_s = interval_wait_s / static_cast<double>(interval_steps);
      if (validate_now) {
        r.val_losses = validate();
        r.val_loss = mean_of(r.val_losses);
        r.val_ema_losses = validate_ema();
      }
      if (s.writer()) s.append_log(r);
      report(r);
      s.log_loss_sum = 0.0;
      s.log_loss_count = 0;
      interval_steps = 0;
      interval_wait_s = 0.0;
      interval_start = std::chrono::steady_clock::now();
    }
    if ((s.step % c.ema_snapshot_interval_steps == 0 || last) && s.writer()) s.save_snapshot();
    if (s.step % c.checkpoint_interval_steps == 0 || last) {
      s.checkpoint();
      checkpointed = true;
    }
  }
  return true;
}

}  // namespace hd::edm2
