// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/datagen/data_config.hpp"

#include <algorithm>
#include <set>

#include "hd/common/error.hpp"

namespace hd::datagen {

namespace {

using config::Range;
using config::Table;

// The members of prior::AnomalousProfileShape: [anomalous_profile] reads them from the prior.
constexpr const char* kShapeParameters[] = {"anom_minimum", "anom_width", "anom_slope",
                                            "anom_step",    "anom_scale", "anom_center"};

bool is_shape_parameter(const std::string& name) {
  return std::find(std::begin(kShapeParameters), std::end(kShapeParameters), name) !=
         std::end(kShapeParameters);
}

std::string key_of(const std::string& assignment) {
  return assignment.substr(0, assignment.find('='));
}

void require_distinct(const Table& t, const char* key, const std::vector<std::string>& names) {
  if (names.empty()) t.fail(key, "must not be empty");
  std::set<std::string> seen;
  for (const auto& n : names)
    if (!seen.insert(n).second) t.fail(key, "lists \"" + n + "\" twice");
}

ParameterTarget read_target(const Table& t, const std::set<std::string>& fixed_keys,
                            std::set<std::string>& taken) {
  if (!t.has("sets"))
    t.fail("sets",
           "is missing: name the hallsim config key this parameter sets, e.g. sets = "
           "\"discharge.discharge_voltage_v\"");
  const std::string key = t.get_string("sets");
  if (key.empty()) t.fail("sets", "must name a hallsim config key");
  // Every row of a dataset shares one grid and one averaging window (z, series time_s).
  for (const char* fixed : {"domain.", "simulation."})
    if (key.starts_with(fixed))
      t.fail("sets", "= \"" + key + "\": a parameter may not change the grid or the simulated time (" +
                         fixed + "*); fix them in [simulation] overrides");
  if (fixed_keys.contains(key)) t.fail("sets", "= \"" + key + "\" is also fixed by simulation.overrides");
  if (!taken.insert(key).second) t.fail("sets", "= \"" + key + "\" is set by another parameter too");
  return {key, t.where("sets") + " = \"" + key + "\""};
}

// The resolved text of every table but the later steps' ones, in the document's order.
std::string generation_toml(const Table& root) {
  std::string text;
  for (const std::string& key : root.keys()) {
    if (key == "split" || key == "normalization") continue;
    if (!text.empty()) text += "\n\n";
    text += root.table(key).to_toml();
  }
  return text;
}

}  // namespace

const std::vector<std::string>& default_channels() {
  static const std::vector<std::string> channels{"B",    "nu_e", "nu_an", "nn",   "ne",     "ni_1",
                                                 "ni_2", "ni_3", "ui_1",  "ui_2", "ui_3",   "ue",
                                                 "phi",  "E",    "Tev",   "pe",   "grad_pe"};
  return channels;
}

DataConfig read_data_config(const config::Document& doc) {
  const Table root = doc.root();
  DataConfig c;
  c.source = doc.source();

  const Table sim = root.table("simulation");
  c.simulation_config = sim.get_path("config");
  std::error_code ec;
  if (!std::filesystem::is_regular_file(c.simulation_config, ec))
    sim.fail("config", "file not found: " + c.simulation_config.string());
  const auto overrides = sim.get_strings_or("overrides", {});
  std::set<std::string> fixed_keys;
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    c.simulation_overrides.push_back(
        {overrides[i], sim.where("overrides") + "[" + std::to_string(i) + "] \"" + overrides[i] + "\""});
    fixed_keys.insert(key_of(overrides[i]));
  }
  // A retry may change how a simulation is integrated, never what is simulated: its row
  // keeps the drawn parameters and must mean the same physics.
  const auto retry = sim.get_strings_or("retry_overrides", {});
  for (std::size_t i = 0; i < retry.size(); ++i) {
    const std::string where =
        sim.where("retry_overrides") + "[" + std::to_string(i) + "] \"" + retry[i] + "\"";
    if (!retry[i].starts_with("numerics.") || retry[i].find('=') == std::string::npos)
      throw Error(where + ": a retry may only set numerics.* keys (numerics.key=value)");
    c.retry_overrides.push_back({retry[i], where});
  }

  const Table params = root.table("params");
  c.prior = prior::read_prior(params);
  const std::optional<Table> profile = root.optional_table("anomalous_profile");
  if (profile) {
    AnomalousProfileTarget target;
    target.model = prior::read_anomalous_profile_model(*profile);
    target.table = profile->get_string("sets");
    if (target.table.empty() || target.table.starts_with("domain") || target.table.starts_with("simulation"))
      profile->fail("sets",
                    "must name the hallsim table of the anomalous transport model, e.g. "
                    "\"anomalous_transport\"");
    target.origin = profile->where("sets") + " = \"" + target.table + "\"";
    prior::check_shape_prior(c.prior, params);
    c.anomalous_profile = target;
  }
  std::set<std::string> taken;
  for (const prior::Parameter& p : c.prior.parameters) {
    const Table t = params.table(p.name);
    c.parameter_units.push_back(t.get_string("units"));
    if (profile && is_shape_parameter(p.name)) {
      if (t.has("sets"))
        t.fail("sets",
               "must not be given: the anomalous profile's shape parameters feed [anomalous_profile]");
      c.targets.push_back({});
    } else {
      c.targets.push_back(read_target(t, fixed_keys, taken));
    }
  }

  const Table output = root.table_or_empty("output");
  OutputSpec& o = c.output;
  o.channels = output.get_strings_or("channels", default_channels());
  require_distinct(output, "channels", o.channels);
  o.channels_origin = output.where("channels");
  if (output.has("scalars")) {
    o.scalars = output.get_strings("scalars");
    require_distinct(output, "scalars", o.scalars);
  }
  o.scalars_origin = output.where("scalars");
  o.series_frames = static_cast<int>(output.get_int_or("series_frames", o.series_frames, {2, 1e6}));
  o.shard_size = output.get_int_or("shard_size", o.shard_size, {1, 1e9});

  c.split = dataset::read_split_options(root.table_or_empty("split"));
  c.normalization = dataset::read_normalize_options(root.table_or_empty("normalization"));

  root.finish();
  c.resolved_toml = generation_toml(root);
  return c;
}

config::Document simulation_document(const DataConfig& config) {
  config::Document doc = config::Document::load(config.simulation_config);
  for (const Assignment& a : config.simulation_overrides) doc.set(a.text, a.origin);
  return doc;
}

void apply_attempt(const DataConfig& config, Attempt attempt, config::Document& doc) {
  if (attempt != Attempt::retry) return;
  for (const Assignment& a : config.retry_overrides) doc.set(a.text, a.origin);
}

DataConfig load_data_config(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  return read_data_config(config::Document::load(file, overrides));
}

}  // namespace hd::datagen
