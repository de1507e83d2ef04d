// SPDX-License-Identifier: GPL-3.0-or-later
#include "archive.hpp"

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/common/version.hpp"

namespace hd::edm2::archive {

namespace fs = std::filesystem;

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

InputArchive open(const fs::path& path, const char* what) {
  if (!fs::exists(path)) throw Error(path.string() + ": no such " + what);
  InputArchive archive;
  try {
    archive.load_from(path.string(), torch::Device(torch::kCPU));
  } catch (const c10::Error& e) {
    throw Error(path.string() + ": not a readable " + what + " (" + first_line(e.what_without_backtrace()) +
                ")");
  }
  return archive;
}

void save(OutputArchive& archive, const fs::path& path) {
  write_file_atomically(path, [&](const fs::path& tmp) {
    try {
      archive.save_to(tmp.string());
    } catch (const c10::Error& e) {
      throw Error(path.string() + ": cannot write (" + first_line(e.what_without_backtrace()) + ")");
    }
  });
}

void expect_format(InputArchive& archive, const fs::path& path, const char* format) {
  c10::IValue value;
  if (!archive.try_read("format", value) || !value.isString() || value.toStringRef() != format)
    throw Error(path.string() + ": not a " + std::string(format) + " file");
}

void write_provenance(OutputArchive& archive, const char* format, const std::string& model_toml) {
  archive.write("format", c10::IValue(std::string(format)));
  archive.write("version", c10::IValue(std::string(hd::version())));
  archive.write("model_config", c10::IValue(model_toml));
}

namespace {
c10::IValue read_ivalue(InputArchive& archive, const fs::path& path, const std::string& key) {
  c10::IValue value;
  if (!archive.try_read(key, value)) throw Error(path.string() + ": missing entry `" + key + "`");
  return value;
}
}  // namespace

std::string read_string(InputArchive& archive, const fs::path& path, const std::string& key) {
  const auto value = read_ivalue(archive, path, key);
  if (!value.isString()) throw Error(path.string() + ": entry `" + key + "` is not a string");
  return value.toStringRef();
}

std::int64_t read_int(InputArchive& archive, const fs::path& path, const std::string& key) {
  const auto value = read_ivalue(archive, path, key);
  if (!value.isInt()) throw Error(path.string() + ": entry `" + key + "` is not an integer");
  return value.toInt();
}

double read_double(InputArchive& archive, const fs::path& path, const std::string& key) {
  const auto value = read_ivalue(archive, path, key);
  if (!value.isDouble() || !std::isfinite(value.toDouble()))
    throw Error(path.string() + ": entry `" + key + "` is not a finite number");
  return value.toDouble();
}

InputArchive read_archive(InputArchive& archive, const fs::path& path, const std::string& key) {
  InputArchive inner;
  if (!archive.try_read(key, inner)) throw Error(path.string() + ": missing entry `" + key + "`");
  return inner;
}

void save_tensors(OutputArchive& archive, const std::string& prefix,
                  const std::vector<torch::Tensor>& tensors) {
  for (std::size_t i = 0; i < tensors.size(); ++i) archive.write(prefix + std::to_string(i), tensors[i]);
}

std::vector<torch::Tensor> load_tensors(InputArchive& archive, const fs::path& path,
                                        const std::string& prefix, const std::vector<torch::Tensor>& like) {
  std::vector<torch::Tensor> out;
  for (std::size_t i = 0; i < like.size(); ++i) {
    const std::string key = prefix + std::to_string(i);
    torch::Tensor t;
    if (!archive.try_read(key, t) || !t.sizes().equals(like[i].sizes()))
      throw Error(path.string() + ": entry `" + key + "` is missing or has the wrong shape");
    if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>())
      throw Error(path.string() + ": entry `" + key + "` holds non-finite values (a damaged file)");
    out.push_back(t.to(like[i].device(), like[i].scalar_type()));
  }
  return out;
}

void save_module(OutputArchive& archive, const std::string& key, torch::nn::Module& module) {
  OutputArchive inner;
  module.save(inner);
  archive.write(key, inner);
}

void load_module(InputArchive& archive, const fs::path& path, const std::string& key,
                 torch::nn::Module& module) {
  auto inner = read_archive(archive, path, key);
  try {
    module.load(inner);
  } catch (const c10::Error& e) {
    throw Error(path.string() + ": damaged entry `" + key + "` (" + first_line(e.what_without_backtrace()) +
                ")");
  }
  for (const auto& t : module.parameters())
    if (!torch::isfinite(t).all().item<bool>())
      throw Error(path.string() + ": entry `" + key + "` holds non-finite weights (a damaged file)");
}

}  // namespace hd::edm2::archive
