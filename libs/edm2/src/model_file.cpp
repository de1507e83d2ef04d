// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/model_file.hpp"

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/ema/power_ema.hpp"

#include "archive.hpp"

namespace hd::edm2 {

namespace fs = std::filesystem;

namespace {

// Forced weight normalization, applied once for good: evaluation then never renormalizes.
void normalize_weights_once(Precond& model) {
  torch::NoGradGuard no_grad;
  for (const auto& module : model->modules(/*include_self=*/false))
    if (auto* conv = dynamic_cast<MPConvImpl*>(module.get()))
      conv->weight.copy_(normalize_rows(conv->weight));
}

}  // namespace

std::vector<double> export_sampling_model(const RunFolder& run, double sigma_rel, const ModelFolder& model) {
  const auto snapshots = run.snapshots();
  if (snapshots.empty())
    throw Error(run.snapshot_folder().string() + ": no EMA snapshots to export from (has training run?)");
  // The description and normalization the trainer recorded when it accepted the run.
  auto description = read_model_description(run.description());
  const auto normalization = normalize::read_json(run.normalization());
  label_normalization(description, normalization, run.normalization());

  // Pass 1: the snapshot kernels (time and gamma of each profile).
  std::vector<ema::Snapshot> kernels;
  std::vector<std::pair<std::size_t, std::size_t>> where;  // (snapshot, profile)
  for (std::size_t f = 0; f < snapshots.size(); ++f) {
    const auto& path = snapshots[f].path;
    auto archive = archive::open(path, "EMA snapshot");
    archive::expect_format(archive, path, archive::kSnapshotFormat);
    if (archive::read_string(archive, path, "model_config") != description.config_toml)
      throw Error(path.string() + ": written for another model config than " + run.description().string());
    const auto images = static_cast<double>(archive::read_int(archive, path, "images"));
    torch::Tensor sigma_rels;
    if (!archive.try_read("sigma_rels", sigma_rels))
      throw Error(path.string() + ": missing entry `sigma_rels`");
    for (std::int64_t k = 0; k < sigma_rels.size(0); ++k) {
      kernels.push_back({images, ema::gamma_from_sigma_rel(sigma_rels[k].item<double>())});
      where.emplace_back(f, static_cast<std::size_t>(k));
    }
  }
  const auto weights =
      ema::reconstruction_weights(kernels, {kernels.back().t, ema::gamma_from_sigma_rel(sigma_rel)});

  // Pass 2: theta = sum_i w_i theta_hat_i, accumulated in float64.
  Precond net(description.config);
  auto params = net->parameters();
  std::vector<torch::Tensor> sum;
  for (const auto& p : params) sum.push_back(torch::zeros(p.sizes(), torch::kFloat64));
  for (std::size_t i = 0; i < kernels.size(); ++i) {
    const auto& path = snapshots[where[i].first].path;
    auto archive = archive::open(path, "EMA snapshot");
    auto profile = archive::read_archive(archive, path, "ema" + std::to_string(where[i].second));
    const auto tensors = archive::load_tensors(profile, path, "p", params);
    for (std::size_t j = 0; j < sum.size(); ++j) sum[j] += weights[i] * tensors[j].to(torch::kFloat64);
  }
  {
    torch::NoGradGuard no_grad;
    for (std::size_t j = 0; j < params.size(); ++j) params[j].copy_(sum[j]);
    // Buffers (the Fourier features' frequencies and phases) are fixed at initialisation.
    const auto& last = snapshots.back().path;
    auto archive = archive::open(last, "EMA snapshot");
    auto saved = archive::read_archive(archive, last, "buffers");
    auto buffers = net->buffers();
    const auto values = archive::load_tensors(saved, last, "b", buffers);
    for (std::size_t j = 0; j < values.size(); ++j) buffers[j].copy_(values[j]);
  }
  normalize_weights_once(net);

  description.sigma_rel = sigma_rel;
  description.step = snapshots.back().step;
  archive::OutputArchive out;
  archive::write_provenance(out, archive::kModelFormat, description.config_toml);
  out.write("sigma_rel", c10::IValue(sigma_rel));
  out.write("step", c10::IValue(description.step));
  archive::save_module(out, "model", *net);
  const auto labels = label_normalization(description, normalization, run.normalization());
  write_folder_atomically(model.root, [&](const fs::path& tmp) {
    const ModelFolder staged{tmp};
    archive::save(out, staged.weights());
    write_text_atomically(staged.description(), to_toml(description));
    normalize::write_json(staged.normalization(), normalization);
    normalize::write_csv(staged.field_table(), normalization.fields);
    normalize::write_csv(staged.parameter_table(), labels);
  });
  return weights;
}

SamplingModel load_sampling_model(const ModelFolder& folder, torch::Device device) {
  if (!fs::is_directory(folder.root))
    throw Error(folder.root.string() + ": no such model folder (export one with train --export-sigma-rel)");
  SamplingModel m;
  m.description = read_model_description(folder.description());
  m.normalization = normalize::read_json(folder.normalization());
  m.labels = label_normalization(m.description, m.normalization, folder.normalization());
  const auto path = folder.weights();
  auto archive = archive::open(path, "sampling model");
  archive::expect_format(archive, path, archive::kModelFormat);
  if (archive::read_string(archive, path, "model_config") != m.description.config_toml)
    throw Error(path.string() + ": its weights are for another architecture than " +
                folder.description().string());
  m.net = Precond(m.description.config);
  archive::load_module(archive, path, "model", *m.net);
  m.net->to(device);
  m.net->eval();
  return m;
}

}  // namespace hd::edm2
