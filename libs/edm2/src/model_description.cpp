// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/model_description.hpp"

#include <algorithm>

#include "hd/common/config.hpp"
#include "hd/common/error.hpp"

namespace hd::edm2 {

std::string to_toml(const ModelDescription& d) {
  using config::to_toml_value;
  std::string text = d.config_toml;
  if (!text.empty() && text.back() != '\n') text += '\n';
  text += "\n[data]\n";
  text += "channels = " + to_toml_value(d.channels) + "\n";
  text += "labels = " + to_toml_value(d.labels) + "\n";
  text += "z_m = " + to_toml_value(d.z_m) + "\n";
  text += "dataset = " + to_toml_value(std::string_view(d.dataset)) + "\n";
  if (d.step > 0) {
    text += "\n[export]\n";
    text += "sigma_rel = " + to_toml_value(d.sigma_rel) + "\n";
    text += "step = " + std::to_string(d.step) + "\n";
  }
  return text;
}

ModelDescription read_model_description(const std::filesystem::path& file) {
  auto document = config::Document::load(file);
  const auto root = document.root();
  ModelDescription d;
  d.config = read_model_config(root.table("model"));
  d.config_toml = root.table("model").to_toml();
  const auto data = root.table("data");
  d.channels = data.get_strings("channels");
  d.labels = data.get_strings("labels");
  d.z_m = data.get_doubles("z_m");
  d.dataset = data.get_string("dataset");
  if (static_cast<int>(d.channels.size()) != d.config.channels)
    data.fail("channels", "names " + std::to_string(d.channels.size()) + " channels, but the model has " +
                              std::to_string(d.config.channels));
  if (static_cast<int>(d.labels.size()) != d.config.label_dim)
    data.fail("labels", "names " + std::to_string(d.labels.size()) +
                            " labels, but the model has label_dim = " + std::to_string(d.config.label_dim));
  if (static_cast<int>(d.z_m.size()) != d.config.length)
    data.fail("z_m", "has " + std::to_string(d.z_m.size()) + " points, but the model has length " +
                         std::to_string(d.config.length));
  for (std::size_t i = 1; i < d.z_m.size(); ++i)
    if (!(d.z_m[i] > d.z_m[i - 1])) data.fail("z_m", "must increase");
  if (const auto exported = root.optional_table("export")) {
    d.sigma_rel = exported->get_double("sigma_rel", config::Range{1e-6, 0.2887});
    d.step = exported->get_int("step", config::Range{1, 1e15});
  }
  root.finish();
  return d;
}

normalize::Normalization label_normalization(const ModelDescription& d, const normalize::Metadata& n,
                                             const std::filesystem::path& normalization_file) {
  if (n.fields.names != d.channels)
    throw Error(normalization_file.string() + ": its fields are not the model's channels (in order)");
  normalize::Normalization labels;
  for (const auto& name : d.labels) {
    const normalize::Normalization* group = nullptr;
    std::size_t index = 0;
    for (const auto* g : {&n.params, &n.scalars}) {
      const auto it = std::find(g->names.begin(), g->names.end(), name);
      if (it != g->names.end()) {
        group = g;
        index = static_cast<std::size_t>(it - g->names.begin());
        break;
      }
    }
    if (group == nullptr)
      throw Error(normalization_file.string() + ": has no parameter or scalar " + name +
                  " (a label of the model)");
    labels.names.push_back(name);
    labels.mean.push_back(group->mean[index]);
    labels.std.push_back(group->std[index]);
    labels.log.push_back(group->log[index]);
    labels.units.push_back(group->units[index]);
  }
  return labels;
}

}  // namespace hd::edm2
