// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/model_config.hpp"

#include <algorithm>
#include <string>

namespace hd::edm2 {

namespace {
std::vector<int> to_ints(const std::vector<long long>& values) {
  return {values.begin(), values.end()};
}
}  // namespace

ModelConfig read_model_config(const config::Table& t) {
  using config::Range;
  ModelConfig c;
  c.channels = static_cast<int>(t.get_int("channels", Range{1, 4096}));
  c.length = static_cast<int>(t.get_int("length", Range{2, 1 << 20}));
  c.base_channels = static_cast<int>(t.get_int_or("base_channels", 64, Range{1, 4096}));
  c.channel_mult = to_ints(t.get_ints_or("channel_mult", {1, 2, 3, 4}, Range{1, 64}));
  c.num_blocks = static_cast<int>(t.get_int_or("num_blocks", 3, Range{1, 64}));
  c.attention_resolutions = to_ints(t.get_ints_or("attention_resolutions", {16, 8}, Range{1, 1 << 20}));
  c.channels_per_head = static_cast<int>(t.get_int_or("channels_per_head", 64, Range{1, 4096}));
  c.label_dim = static_cast<int>(t.get_int_or("label_dim", 0, Range{0, 4096}));
  c.label_mask = t.get_bool_or("label_mask", true);
  c.joint_labels = t.get_bool_or("joint_labels", false);
  c.dropout = t.get_double_or("dropout", 0.0, Range{0.0, 0.99});
  c.sigma_data = t.get_double_or("sigma_data", 0.5, Range::positive());
  c.logvar_channels = static_cast<int>(t.get_int_or("logvar_channels", 128, Range{1, 4096}));
  c.res_balance = t.get_double_or("res_balance", 0.3, Range::unit());
  c.attn_balance = t.get_double_or("attn_balance", 0.3, Range::unit());
  c.label_balance = t.get_double_or("label_balance", 0.5, Range::unit());
  c.concat_balance = t.get_double_or("concat_balance", 0.5, Range::unit());
  c.clip_act = t.get_double_or("clip_act", 256.0, Range::positive());
  t.finish();

  if (c.channel_mult.empty()) t.fail("channel_mult", "needs at least one level");
  const int levels = static_cast<int>(c.channel_mult.size());
  if (c.length % (1 << (levels - 1)) != 0)
    t.fail("length", "= " + std::to_string(c.length) + " is not divisible by 2^(levels-1) = " +
                         std::to_string(1 << (levels - 1)) + " (levels = size of channel_mult)");
  for (int level = 0; level < levels; ++level) {
    const int width = c.base_channels * c.channel_mult[level];
    const bool attends =
        level == levels - 1 ||
        std::count(c.attention_resolutions.begin(), c.attention_resolutions.end(), c.length >> level) > 0;
    const int heads = std::max(1, width / c.channels_per_head);
    if (attends && width % heads != 0)
      t.fail("channels_per_head", "= " + std::to_string(c.channels_per_head) + " gives " +
                                      std::to_string(heads) + " heads, which do not divide the width " +
                                      std::to_string(width) + " of a level with attention");
  }
  // A resolution that is no level's length would be dropped silently.
  for (const int resolution : c.attention_resolutions) {
    bool found = false;
    for (int level = 0; level < levels; ++level) found = found || (c.length >> level) == resolution;
    if (!found)
      t.fail("attention_resolutions", "holds " + std::to_string(resolution) +
                                          ", which is no level's length (" + std::to_string(c.length) +
                                          " halved up to " + std::to_string(levels - 1) + " times)");
  }
  if (c.joint_labels && c.label_dim == 0)
    t.fail("joint_labels", "needs label_dim > 0 (the scalars to model as channels)");
  return c;
}

ModelConfig load_model_config(const std::filesystem::path& path, std::string* resolved_toml) {
  auto document = config::Document::load(path);
  auto config = read_model_config(document.root().table("model"));
  document.root().finish();
  if (resolved_toml != nullptr) *resolved_toml = document.to_toml();
  return config;
}

void check_model_config(const config::Document& document) {
  read_model_config(document.root().table("model"));
  document.root().finish();
}

ModelConfig parse_model_config(const std::string& toml, const std::string& source) {
  auto document = config::Document::parse(toml, source);
  auto config = read_model_config(document.root().table("model"));
  document.root().finish();
  return config;
}

}  // namespace hd::edm2
