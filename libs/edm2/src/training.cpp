// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <sstream>

#include "hd/common/version.hpp"
#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"
#include "hd/dataset/normalized.hpp"
#include "hd/ema/power_ema.hpp"

namespace hd::edm2 {

namespace fs = std::filesystem;
using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;

namespace {

constexpr const char* kCheckpointFormat = "hall_diffusion.checkpoint/1";
constexpr const char* kSnapshotFormat = "hall_diffusion.ema_snapshot/1";
constexpr const char* kModelFormat = "hall_diffusion.sampling_model/1";

double mean_of(const std::vector<double>& values) {
  double sum = 0.0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

// LibTorch's archive errors span many lines with a C++ backtrace; the user needs the file
// and the first line.
InputArchive open_archive(const fs::path& path, const char* what) {
  if (!fs::exists(path)) throw Error(path.string() + ": no such " + what);
  InputArchive archive;
  try {
    archive.load_from(path.string());
  } catch (const c10::Error& e) {
    throw Error(path.string() + ": not a readable " + what + " (" + first_line(e.what_without_backtrace()) +
                ")");
  }
  return archive;
}

template <class T>
T read_value(InputArchive& archive, const fs::path& path, const std::string& key) {
  c10::IValue value;
  if (!archive.try_read(key, value)) throw Error(path.string() + ": missing entry `" + key + "`");
  if constexpr (std::is_same_v<T, std::string>)
    return value.toStringRef();
  else if constexpr (std::is_same_v<T, double>)
    return value.toDouble();
  else
    return static_cast<T>(value.toInt());
}

void expect_format(InputArchive& archive, const fs::path& path, const char* format) {
  c10::IValue value;
  if (!archive.try_read("format", value) || !value.isString() || value.toStringRef() != format)
    throw Error(path.string() + ": not a " + std::string(format) + " file");
}

// Every file a run writes records what wrote it.
void write_provenance(OutputArchive& archive, const char* format, const std::string& model_toml) {
  archive.write("format", c10::IValue(std::string(format)));
  archive.write("version", c10::IValue(std::string(hd::version())));
  archive.write("model_config", c10::IValue(model_toml));
}

ModelConfig parse_model_toml(const std::string& text, const std::string& source) {
  auto document = config::Document::parse(text, source);
  auto config = read_model_config(document.root().table("model"));
  document.root().finish();
  return config;
}

torch::Tensor to_tensor(std::vector<float>& values, std::vector<std::int64_t> shape, torch::Device device) {
  return torch::from_blob(values.data(), shape, torch::kFloat32).clone().to(device);
}

// EMA, snapshot and buffer entries are keyed by position in registration order, which
// the model config fixes (LibTorch archives reject the dots of parameter names).
void save_tensors(OutputArchive& archive, const std::string& prefix,
                  const std::vector<torch::Tensor>& tensors) {
  for (std::size_t i = 0; i < tensors.size(); ++i) archive.write(prefix + std::to_string(i), tensors[i]);
}

std::vector<torch::Tensor> load_tensors(InputArchive& archive, const fs::path& path,
                                        const std::string& prefix, const std::vector<torch::Tensor>& like) {
  std::vector<torch::Tensor> out;
  for (std::size_t i = 0; i < like.size(); ++i) {
    torch::Tensor t;
    if (!archive.try_read(prefix + std::to_string(i), t) || !t.sizes().equals(like[i].sizes()))
      throw Error(path.string() + ": entry `" + prefix + std::to_string(i) +
                  "` is missing or has the wrong shape");
    out.push_back(t.to(like[i].device()));
  }
  return out;
}

void normalize_weights_once(Precond& model) {
  torch::NoGradGuard no_grad;
  for (const auto& module : model->modules(/*include_self=*/false))
    if (auto* conv = dynamic_cast<MPConvImpl*>(module.get()))
      conv->weight.copy_(normalize_rows(conv->weight));
}

}  // namespace

// ---------------------------------------------------------------------------------------
torch::Tensor squared_error(const torch::Tensor& denoised, const torch::Tensor& x, bool derivative_penalty) {
  auto e = denoised - x;
  if (!derivative_penalty) return e.square();
  // Forward differences, zero past the last point, so every term keeps the shape of e.
  auto diff = [](const torch::Tensor& v) {
    return torch::constant_pad_nd(v.narrow(2, 1, v.size(2) - 1) - v.narrow(2, 0, v.size(2) - 1), {0, 1});
  };
  auto d1 = diff(e);
  return (e.square() + d1.square() + diff(d1).square()) * (1.0 / 3.0);
}

torch::Tensor edm2_loss(Precond& model, const torch::Tensor& x, const torch::Tensor& labels,
                        const LossOptions& options) {
  const double sd = model->config().sigma_data;
  auto sigma = torch::exp(torch::randn({x.size(0)}, x.options()) * options.p_std + options.p_mean);
  auto noisy = x + torch::randn_like(x) * sigma.reshape({-1, 1, 1});
  auto denoised = model(noisy, sigma, labels);
  auto s = sigma.reshape({-1, 1, 1});
  auto weight = (s * s + sd * sd) / (s * sd).square();
  auto u = model->logvar(sigma).reshape({-1, 1, 1});
  return (weight * torch::exp(-u) * squared_error(denoised, x, options.derivative_penalty) + u).mean();
}

double learning_rate(double lr_ref, std::int64_t step, std::int64_t decay_steps, std::int64_t warmup_steps) {
  const double t = static_cast<double>(step);
  double lr = lr_ref / std::sqrt(std::max(t / static_cast<double>(decay_steps), 1.0));
  if (warmup_steps > 0) lr *= std::min(t / static_cast<double>(warmup_steps), 1.0);
  return lr;
}

ModelConfig load_model_config(const fs::path& path, std::string* resolved_toml) {
  auto document = config::Document::load(path);
  auto config = read_model_config(document.root().table("model"));
  document.root().finish();
  if (resolved_toml != nullptr) *resolved_toml = document.to_toml();
  return config;
}

TrainConfig read_train_config(const config::Document& document) {
  using config::Range;
  const auto root = document.root();
  TrainConfig c;
  {
    auto t = root.table("model");
    c.model = load_model_config(t.get_path("config"), &c.model_toml);
    t.finish();
  }
  {
    auto t = root.table("data");
    c.dataset = t.get_path("dataset");
    if (t.has("train_split")) c.train_split = t.get_path("train_split");
    c.val_split = t.get_path("val_split");
    c.chunk_rows = t.get_int_or("chunk_rows", 256, Range{1, 1e7});
    c.window_chunks = t.get_int_or("window_chunks", 16, Range{1, 1e6});
    t.finish();
  }
  {
    auto t = root.table("training");
    c.batch_size = t.get_int("batch_size", Range{1, 1e7});
    c.total_steps = t.get_int("total_steps", Range{1, 1e12});
    c.lr_ref = t.get_double("lr_ref", Range::positive());
    c.lr_decay_steps = t.get_int("lr_decay_steps", Range{1, 1e12});
    c.lr_warmup_steps = t.get_int_or("lr_warmup_steps", 0, Range{0, 1e12});
    c.adam_beta1 = t.get_double_or("adam_beta1", 0.9, Range{0.0, 0.999999});
    c.adam_beta2 = t.get_double_or("adam_beta2", 0.99, Range{0.0, 0.999999});
    c.adam_eps = t.get_double_or("adam_eps", 1e-8, Range::positive());
    c.loss.p_mean = t.get_double_or("p_mean", -1.2);
    c.loss.p_std = t.get_double_or("p_std", 1.2, Range::positive());
    c.loss.derivative_penalty = t.get_bool_or("derivative_penalty", false);
    c.label_dropout = t.get_double_or("label_dropout", 0.1, Range::unit());
    c.seed = static_cast<std::uint64_t>(t.get_int_or("seed", 0, Range{0, 9.2e18}));
    c.device = t.get_choice_or("device", {"auto", "cpu", "cuda"}, "auto");
    c.log_interval_steps = t.get_int_or("log_interval_steps", 10, Range{1, 1e12});
    t.finish();
  }
  {
    auto t = root.table("validation");
    c.val_sigmas =
        t.get_doubles_or("sigmas", {0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0}, Range::positive());
    c.val_interval_steps = t.get_int_or("interval_steps", 100, Range{1, 1e12});
    c.val_max_samples = t.get_int_or("max_samples", 1024, Range{1, 1e9});
    c.val_batch_size = t.get_int_or("batch_size", 256, Range{1, 1e7});
    t.finish();
  }
  {
    auto t = root.table_or_empty("ema");
    c.ema_sigma_rels = t.get_doubles_or("sigma_rels", {0.05, 0.10}, Range{1e-6, std::sqrt(1.0 / 12.0)});
    c.ema_snapshot_interval_steps = t.get_int_or("snapshot_interval_steps", 1000, Range{1, 1e12});
    t.finish();
  }
  {
    auto t = root.table_or_empty("checkpoint");
    c.checkpoint_interval_steps = t.get_int_or("interval_steps", 500, Range{1, 1e12});
    t.finish();
  }
  root.finish();
  c.train_toml = document.to_toml();
  if (c.ema_sigma_rels.empty()) root.fail("ema", "needs at least one sigma_rel");
  return c;
}

torch::Device resolve_device(const std::string& device) {
  if (device == "cpu") return torch::kCPU;
  if (device == "cuda" && !torch::cuda::is_available())
    throw Error("device = \"cuda\" but this LibTorch build sees no CUDA device (use \"auto\" or \"cpu\")");
  if (device == "cuda" || (device == "auto" && torch::cuda::is_available())) return torch::kCUDA;
  return torch::kCPU;
}

// ---------------------------------------------------------------------------------------
struct Trainer::Impl {
  Impl(TrainConfig c, fs::path out) : config(std::move(c)), out_dir(std::move(out)) {}
  TrainConfig config;
  fs::path out_dir;
  torch::Device device = torch::kCPU;
  Precond model{nullptr};
  Precond ema_model{nullptr};  // holds one EMA profile at a time for validation
  std::unique_ptr<torch::optim::Adam> optimizer;
  std::unique_ptr<dataset::StreamingReader> reader;
  std::vector<double> ema_gammas;
  std::vector<std::vector<torch::Tensor>> ema;  // per profile, per parameter
  torch::Tensor val_fields, val_params;
  std::int64_t step = 0;
  std::int64_t nonfinite_steps = 0;
  bool resumed = false;

  fs::path checkpoint_path() const { return out_dir / "checkpoint.pt"; }
  fs::path log_path() const { return out_dir / "log.csv"; }
  std::int64_t images() const { return step * config.batch_size; }

  void save_checkpoint() {
    OutputArchive archive;
    write_provenance(archive, kCheckpointFormat, config.model_toml);
    archive.write("train_config", c10::IValue(config.train_toml));
    archive.write("seed", c10::IValue(static_cast<std::int64_t>(config.seed)));
    archive.write("step", c10::IValue(step));
    archive.write("batch_size", c10::IValue(config.batch_size));
    archive.write("nonfinite_steps", c10::IValue(nonfinite_steps));
    OutputArchive model_archive, optimizer_archive;
    model->save(model_archive);
    optimizer->save(optimizer_archive);
    archive.write("model", model_archive);
    archive.write("optimizer", optimizer_archive);
    for (std::size_t k = 0; k < ema.size(); ++k) {
      OutputArchive ema_archive;
      save_tensors(ema_archive, "p", ema[k]);
      archive.write("ema" + std::to_string(k), ema_archive);
    }
    write_file_atomically(checkpoint_path(), [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
  }

  void load_checkpoint() {
    const auto path = checkpoint_path();
    auto archive = open_archive(path, "checkpoint");
    expect_format(archive, path, kCheckpointFormat);
    if (read_value<std::string>(archive, path, "model_config") != config.model_toml)
      throw Error(path.string() +
                  ": written for a different model config; use a new output folder or --fresh");
    if (read_value<std::int64_t>(archive, path, "batch_size") != config.batch_size)
      throw Error(path.string() + ": written with another training.batch_size; resuming needs the same one");
    if (read_value<std::uint64_t>(archive, path, "seed") != config.seed)
      throw Error(path.string() + ": written with another training.seed; resuming needs the same one");
    step = read_value<std::int64_t>(archive, path, "step");
    nonfinite_steps = read_value<std::int64_t>(archive, path, "nonfinite_steps");
    try {
      InputArchive model_archive, optimizer_archive;
      archive.read("model", model_archive);
      archive.read("optimizer", optimizer_archive);
      model->load(model_archive);
      optimizer->load(optimizer_archive);
    } catch (const c10::Error& e) {
      throw Error(path.string() + ": damaged model or optimizer state (" +
                  first_line(e.what_without_backtrace()) + ")");
    }
    for (std::size_t k = 0; k < ema.size(); ++k) {
      InputArchive ema_archive;
      if (!archive.try_read("ema" + std::to_string(k), ema_archive))
        throw Error(path.string() + ": missing EMA profile " + std::to_string(k) +
                    " (was ema.sigma_rels changed?)");
      ema[k] = load_tensors(ema_archive, path, "p", ema[k]);
    }
  }

  void save_snapshot() {
    OutputArchive archive;
    write_provenance(archive, kSnapshotFormat, config.model_toml);
    archive.write("seed", c10::IValue(static_cast<std::int64_t>(config.seed)));
    archive.write("step", c10::IValue(step));
    archive.write("images", c10::IValue(images()));
    archive.write("sigma_rels", torch::tensor(config.ema_sigma_rels, torch::kFloat64));
    for (std::size_t k = 0; k < ema.size(); ++k) {
      OutputArchive ema_archive;
      save_tensors(ema_archive, "p", ema[k]);
      archive.write("ema" + std::to_string(k), ema_archive);
    }
    OutputArchive buffers;
    save_tensors(buffers, "b", model->buffers());
    archive.write("buffers", buffers);
    std::ostringstream name;
    name << "snapshot-" << std::setw(10) << std::setfill('0') << step << ".pt";
    fs::create_directories(out_dir / "ema");
    write_file_atomically(out_dir / "ema" / name.str(),
                          [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
  }

  // Weighted MSE per validation sigma of `net` (in evaluation mode): fixed noise, so
  // values of different steps and of different weights compare.
  std::vector<double> validation_losses(Precond& net) {
    const auto& c = config;
    const double sd = c.model.sigma_data;
    torch::NoGradGuard no_grad;
    std::vector<double> losses;
    const auto n = val_fields.size(0);
    for (std::size_t j = 0; j < c.val_sigmas.size(); ++j) {
      const double sigma = c.val_sigmas[j];
      const double weight = (sigma * sigma + sd * sd) / (sigma * sd * sigma * sd);
      double sum = 0.0;
      for (std::int64_t first = 0; first < n; first += c.val_batch_size) {
        const auto count = std::min(c.val_batch_size, n - first);
        auto fields = val_fields.narrow(0, first, count);
        auto params = val_params.narrow(0, first, count);
        auto x = model_image(c.model, fields, params);
        auto generator = at::detail::createCPUGenerator(stream_seed(
            c.seed, static_cast<std::uint64_t>(j * 1'000'003 + first), purpose_tag("edm2.validation")));
        auto noise = torch::randn(x.sizes(), generator, torch::kFloat32).to(device);
        auto sigmas = torch::full({count}, sigma, x.options());
        auto denoised = net(x + noise * sigma, sigmas, label_features(c.model, params, {}));
        sum += (denoised - x).square().mean({1, 2}).sum().item<double>() * weight;
      }
      losses.push_back(sum / static_cast<double>(n));
    }
    return losses;
  }

  // Snapshots newer than the restored step belong to the abandoned future of this run
  // (or, on a fresh start, to an older run): left alone they would enter an export.
  void remove_snapshots_after_step() const {
    const auto folder = out_dir / "ema";
    if (!fs::is_directory(folder)) return;
    for (const auto& entry : fs::directory_iterator(folder)) {
      const auto name = entry.path().filename().string();
      if (!name.starts_with("snapshot-") || entry.path().extension() != ".pt") continue;
      const auto snapshot_step = std::stoll(name.substr(9, name.size() - 9 - 3));
      if (snapshot_step > step) fs::remove(entry.path());
    }
  }

  // The CSV keeps exactly the rows up to the restored step, so a resumed run's curve
  // continues where the checkpoint left it (rows logged after it are replayed).
  void prepare_log() {
    std::ostringstream header;
    header << "step,images,loss,lr,grad_norm,nonfinite_steps,samples_per_s,val_loss";
    for (double s : config.val_sigmas) header << ",val_sigma_" << s;
    for (double s : config.ema_sigma_rels) header << ",val_loss_ema_" << s;
    std::string kept = header.str() + "\n";
    if (resumed && fs::exists(log_path())) {
      std::ifstream in(log_path());
      std::string line;
      std::getline(in, line);
      while (std::getline(in, line))
        if (!line.empty() && std::stoll(line.substr(0, line.find(','))) <= step) kept += line + "\n";
    }
    write_text_atomically(log_path(), kept);
  }

  void append_log(const StepReport& r) {
    std::ofstream out(log_path(), std::ios::app);
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
    if (!out) throw Error(log_path().string() + ": cannot append to the training log");
  }
};

Trainer::Trainer(TrainConfig config, fs::path out_dir, bool fresh)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(out_dir))) {
  auto& s = *impl_;
  const auto& c = s.config;
  s.device = resolve_device(c.device);
  fs::create_directories(s.out_dir);

  torch::manual_seed(stream_seed(c.seed, 0, purpose_tag("edm2.init")));
  s.model = Precond(c.model);
  s.model->to(s.device);
  s.ema_model = Precond(c.model);
  s.ema_model->to(s.device);
  s.ema_model->eval();
  s.optimizer =
      std::make_unique<torch::optim::Adam>(s.model->parameters(), torch::optim::AdamOptions(c.lr_ref)
                                                                      .betas({c.adam_beta1, c.adam_beta2})
                                                                      .eps(c.adam_eps)
                                                                      .weight_decay(0.0));
  for (double sigma_rel : c.ema_sigma_rels) {
    s.ema_gammas.push_back(ema::gamma_from_sigma_rel(sigma_rel));
    std::vector<torch::Tensor> copy;
    for (const auto& p : s.model->parameters()) copy.push_back(p.detach().clone());
    s.ema.push_back(std::move(copy));
  }

  std::vector<std::int64_t> split;
  if (!c.train_split.empty()) split = dataset::read_split(c.train_split);
  s.reader = std::make_unique<dataset::StreamingReader>(
      c.dataset, std::move(split),
      dataset::StreamOptions{c.batch_size, stream_seed(c.seed, 0, purpose_tag("edm2.data")), c.chunk_rows,
                             c.window_chunks});
  const auto& m = s.reader->metadata();
  const int expected_labels = c.model.label_dim;
  if (m.channels() != c.model.channels || m.length() != c.model.length || m.num_params() < expected_labels)
    throw Error(c.dataset.string() + ": holds " + std::to_string(m.channels()) + " channels x " +
                std::to_string(m.length()) + " points and " + std::to_string(m.num_params()) +
                " params, but the model expects " + std::to_string(c.model.channels) + " x " +
                std::to_string(c.model.length) + " and " + std::to_string(expected_labels) + " labels");

  dataset::Reader val_reader(c.dataset);
  auto val_rows = dataset::read_split(c.val_split);
  if (static_cast<std::int64_t>(val_rows.size()) > c.val_max_samples)
    val_rows.resize(static_cast<std::size_t>(c.val_max_samples));
  if (val_rows.empty()) throw Error(c.val_split.string() + ": the validation split is empty");
  auto val = val_reader.read(val_rows);
  s.val_fields = to_tensor(val.fields, {val.size, m.channels(), m.length()}, s.device);
  s.val_params = to_tensor(val.params, {val.size, m.num_params()}, s.device).narrow(1, 0, expected_labels);

  if (!fresh && fs::exists(s.checkpoint_path())) {
    s.load_checkpoint();
    s.resumed = true;
  }
  s.remove_snapshots_after_step();
  s.reader->seek(s.images());
  s.prepare_log();
}

Trainer::~Trainer() = default;
std::int64_t Trainer::step() const {
  return impl_->step;
}
bool Trainer::resumed() const {
  return impl_->resumed;
}
Precond& Trainer::model() {
  return impl_->model;
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

bool Trainer::run(const std::atomic<bool>& stop, const std::function<void(const StepReport&)>& report) {
  auto& s = *impl_;
  const auto& c = s.config;
  const auto& m = s.reader->metadata();
  s.model->train();
  double loss_sum = 0.0, last_grad_norm = 0.0, lr = 0.0;
  std::int64_t loss_count = 0;
  auto interval_start = std::chrono::steady_clock::now();
  std::int64_t interval_steps = 0;
  bool checkpointed = false;
  while (s.step < c.total_steps) {
    if (stop.load()) {
      if (!checkpointed) s.save_checkpoint();
      return false;
    }
    // Every random draw of a step derives from (seed, step): a resumed run repeats the
    // uninterrupted one exactly, with no generator state to save.
    torch::manual_seed(stream_seed(c.seed, static_cast<std::uint64_t>(s.step), purpose_tag("edm2.step")));
    auto batch = s.reader->next();
    auto fields = to_tensor(batch.fields, {batch.size, m.channels(), m.length()}, s.device);
    auto params =
        to_tensor(batch.params, {batch.size, m.num_params()}, s.device).narrow(1, 0, c.model.label_dim);
    torch::Tensor labels;
    if (c.model.label_dim > 0) {
      auto mask = torch::bernoulli(torch::full_like(params, 1.0 - c.label_dropout));
      labels = label_features(c.model, params, mask);
    }
    auto x = model_image(c.model, fields, params);

    s.optimizer->zero_grad();
    auto loss = edm2_loss(s.model, x, labels, c.loss);
    loss.backward();

    lr = learning_rate(c.lr_ref, s.step, c.lr_decay_steps, c.lr_warmup_steps);
    for (auto& group : s.optimizer->param_groups())
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    bool nonfinite = false;
    double squared_norm = 0.0;
    {
      torch::NoGradGuard no_grad;
      for (auto& p : s.model->parameters()) {
        auto& g = p.mutable_grad();
        if (!g.defined()) continue;
        // One pass in the usual case: a non-finite entry makes the norm non-finite (a
        // finite norm that overflows is told apart by the exact check).
        double norm = torch::linalg_vector_norm(g, 2).item<double>();
        if (!std::isfinite(norm) && !torch::isfinite(g).all().item<bool>()) {
          nonfinite = true;
          g.nan_to_num_(0.0, 0.0, 0.0);
          norm = torch::linalg_vector_norm(g, 2).item<double>();
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
    loss_sum += loss.item<double>();
    ++loss_count;

    const bool last = s.step == c.total_steps;
    const bool validate_now = s.step % c.val_interval_steps == 0 || last;
    if (s.step % c.log_interval_steps == 0 || validate_now) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - interval_start).count();
      StepReport r;
      r.step = s.step;
      r.images = s.images();
      r.loss = loss_sum / static_cast<double>(loss_count);
      r.lr = lr;
      r.grad_norm = last_grad_norm;
      r.nonfinite_steps = s.nonfinite_steps;
      r.samples_per_s = static_cast<double>(interval_steps * c.batch_size) / std::max(seconds, 1e-9);
      if (validate_now) {
        r.val_losses = validate();
        r.val_loss = mean_of(r.val_losses);
        r.val_ema_losses = validate_ema();
      }
      s.append_log(r);
      report(r);
      loss_sum = 0.0;
      loss_count = 0;
      interval_steps = 0;
      interval_start = std::chrono::steady_clock::now();
    }
    if (s.step % c.ema_snapshot_interval_steps == 0 || last) s.save_snapshot();
    if (s.step % c.checkpoint_interval_steps == 0 || last) {
      s.save_checkpoint();
      checkpointed = true;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------
std::vector<double> export_sampling_model(const fs::path& out_dir, double sigma_rel, const fs::path& path) {
  const auto folder = out_dir / "ema";
  std::vector<fs::path> files;
  if (fs::is_directory(folder))
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.path().extension() == ".pt" && entry.path().filename().string().starts_with("snapshot-"))
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw Error(folder.string() + ": no EMA snapshots to export from (has training run?)");

  // Pass 1: the snapshot kernels (time and gamma of each profile).
  std::vector<ema::Snapshot> kernels;
  std::vector<std::pair<std::size_t, std::size_t>> where;  // (file, profile)
  std::string model_toml;
  for (std::size_t f = 0; f < files.size(); ++f) {
    auto archive = open_archive(files[f], "EMA snapshot");
    expect_format(archive, files[f], kSnapshotFormat);
    model_toml = read_value<std::string>(archive, files[f], "model_config");
    const auto images = static_cast<double>(read_value<std::int64_t>(archive, files[f], "images"));
    torch::Tensor sigma_rels;
    archive.read("sigma_rels", sigma_rels);
    for (std::int64_t k = 0; k < sigma_rels.size(0); ++k) {
      kernels.push_back({images, ema::gamma_from_sigma_rel(sigma_rels[k].item<double>())});
      where.emplace_back(f, static_cast<std::size_t>(k));
    }
  }
  const auto weights =
      ema::reconstruction_weights(kernels, {kernels.back().t, ema::gamma_from_sigma_rel(sigma_rel)});

  // Pass 2: theta = sum_i w_i theta_hat_i, accumulated in float64.
  Precond model(parse_model_toml(model_toml, files.back().string()));
  auto params = model->parameters();
  std::vector<torch::Tensor> sum;
  for (const auto& p : params) sum.push_back(torch::zeros(p.sizes(), torch::kFloat64));
  for (std::size_t i = 0; i < kernels.size(); ++i) {
    auto archive = open_archive(files[where[i].first], "EMA snapshot");
    InputArchive ema_archive;
    archive.read("ema" + std::to_string(where[i].second), ema_archive);
    auto tensors = load_tensors(ema_archive, files[where[i].first], "p", params);
    for (std::size_t j = 0; j < sum.size(); ++j) sum[j] += weights[i] * tensors[j].to(torch::kFloat64);
  }
  {
    torch::NoGradGuard no_grad;
    for (std::size_t j = 0; j < params.size(); ++j) params[j].copy_(sum[j]);
    auto last = open_archive(files.back(), "EMA snapshot");
    InputArchive buffers;
    last.read("buffers", buffers);
    auto model_buffers = model->buffers();
    auto saved = load_tensors(buffers, files.back(), "b", model_buffers);
    for (std::size_t j = 0; j < saved.size(); ++j) model_buffers[j].copy_(saved[j]);
  }
  normalize_weights_once(model);

  OutputArchive archive, model_archive;
  write_provenance(archive, kModelFormat, model_toml);
  archive.write("sigma_rel", c10::IValue(sigma_rel));
  model->save(model_archive);
  archive.write("model", model_archive);
  write_file_atomically(path, [&](const fs::path& tmp) { archive.save_to(tmp.string()); });
  return weights;
}

Precond load_sampling_model(const fs::path& path, torch::Device device) {
  auto archive = open_archive(path, "sampling model");
  expect_format(archive, path, kModelFormat);
  Precond model(parse_model_toml(read_value<std::string>(archive, path, "model_config"), path.string()));
  try {
    InputArchive model_archive;
    archive.read("model", model_archive);
    model->load(model_archive);
  } catch (const c10::Error& e) {
    throw Error(path.string() + ": damaged model weights (" + first_line(e.what_without_backtrace()) + ")");
  }
  model->to(device);
  model->eval();
  return model;
}

}  // namespace hd::edm2
