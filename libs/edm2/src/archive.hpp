// SPDX-License-Identifier: GPL-3.0-or-later
// LibTorch archives as the suite writes them (checkpoints, EMA snapshots, model weights):
// each records its format, the writing version and the model config; reading one that is
// missing, foreign, damaged or holds non-finite tensors is a one-line hd::Error naming it.
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <vector>

namespace hd::edm2::archive {

// The `format` entry of each kind of file (docs/formats.md).
inline constexpr const char* kCheckpointFormat = "hall_diffusion.checkpoint/1";
inline constexpr const char* kSnapshotFormat = "hall_diffusion.ema_snapshot/1";
inline constexpr const char* kModelFormat = "hall_diffusion.sampling_model/1";

using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;

// The first line of a LibTorch error (its messages carry a C++ backtrace).
std::string first_line(const std::string& text);

// Tensors load onto the CPU, whatever device wrote them (a run trained on a GPU exports,
// resumes and samples anywhere); readers move them where they are needed.
InputArchive open(const std::filesystem::path& path, const char* what);
void save(OutputArchive& archive, const std::filesystem::path& path);  // atomically

void expect_format(InputArchive& archive, const std::filesystem::path& path, const char* format);
// format, version and model config, so every file says what wrote it.
void write_provenance(OutputArchive& archive, const char* format, const std::string& model_toml);

std::string read_string(InputArchive& archive, const std::filesystem::path& path, const std::string& key);
std::int64_t read_int(InputArchive& archive, const std::filesystem::path& path, const std::string& key);
double read_double(InputArchive& archive, const std::filesystem::path& path, const std::string& key);
InputArchive read_archive(InputArchive& archive, const std::filesystem::path& path, const std::string& key);

// Tensors keyed by position (prefix0, prefix1, ...) in registration order, which the model
// config fixes (LibTorch archives reject the dots of parameter names). Loading checks
// each shape against `like` and that every value is finite, and moves it to like's device.
void save_tensors(OutputArchive& archive, const std::string& prefix,
                  const std::vector<torch::Tensor>& tensors);
std::vector<torch::Tensor> load_tensors(InputArchive& archive, const std::filesystem::path& path,
                                        const std::string& prefix, const std::vector<torch::Tensor>& like);

// A module's parameters and buffers under `key` (LibTorch's named layout); loading
// checks that every weight is finite.
void save_module(OutputArchive& archive, const std::string& key, torch::nn::Module& module);
void load_module(InputArchive& archive, const std::filesystem::path& path, const std::string& key,
                 torch::nn::Module& module);

}  // namespace hd::edm2::archive
