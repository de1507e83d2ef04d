// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/datagen/factory.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "hd/common/error.hpp"
#include "hd/common/interpolate.hpp"
#include "hd/common/rng.hpp"
#include "hd/common/version.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

namespace hd::datagen {

namespace {

// The series every row keeps, from hallsim's saved frames (Result::series, with "time_s").
constexpr const char* kSeries[] = {"discharge_current_a", "thrust_n"};

SimulationStatus to_status(hallsim::Status status) {
  switch (status) {
    case hallsim::Status::ok:
      return SimulationStatus::ok;
    case hallsim::Status::nonfinite:
      return SimulationStatus::nonfinite;
    case hallsim::Status::step_size_collapse:
      return SimulationStatus::step_size_collapse;
    case hallsim::Status::step_limit:
      return SimulationStatus::step_limit;
    case hallsim::Status::wall_time_limit:
      return SimulationStatus::wall_time_limit;
    case hallsim::Status::solver_error:
      return SimulationStatus::solver_error;
  }
  return SimulationStatus::internal_error;
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Failures of the integration, which other numerics may avoid; a step or wall-time limit
// would only be reached sooner.
bool numerical_failure(hallsim::Status status) {
  return status == hallsim::Status::nonfinite || status == hallsim::Status::step_size_collapse;
}

}  // namespace

const std::vector<std::string>& status_names() {
  static const std::vector<std::string> names{
      "ok",           "nonfinite",     "step_size_collapse", "step_limit", "wall_time_limit",
      "solver_error", "invalid_input", "internal_error"};
  return names;
}

SimulationFactory::SimulationFactory(DataConfig config, std::uint64_t master_seed)
    : config_(std::move(config)), master_seed_(master_seed) {
  if (config_.anomalous_profile) profiles_.emplace(config_.anomalous_profile->model);

  Configured first;
  try {
    first = configure(0);
    if (!config_.retry_overrides.empty()) build(first.parameters, first.seed, nullptr, Attempt::retry);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + " (found configuring simulation 0 before the run)");
  }
  // One short step tells which profiles and scalars this configuration writes, with units.
  hallsim::Config probe = first.config;
  probe.duration_s = probe.min_dt_s;
  probe.average_start_time_s = 0.0;
  probe.num_save = 2;
  hallsim::Simulation simulation(probe);
  const hallsim::Result result = simulation.run();

  dataset::RawLayout& l = layout_;
  const OutputSpec& out = config_.output;
  std::vector<std::string> written;
  for (const auto& [name, profile] : result.average) written.push_back(name);
  for (const std::string& channel : out.channels) {
    const auto it = result.average.find(channel);
    if (it == result.average.end())
      throw Error(out.channels_origin + ": hallsim writes no profile \"" + channel +
                  "\" for this simulation config (it writes " + join(written) + ")");
    l.channels.push_back(channel);
    l.channel_units.push_back(it->second.units);
  }
  l.z_m = result.z_m;
  std::vector<std::string> scalars;
  for (const auto& [name, value] : result.scalars) scalars.push_back(name);
  for (const std::string& name : out.scalars)
    if (!result.scalars.contains(name))
      throw Error(out.scalars_origin + ": hallsim writes no scalar \"" + name + "\" (it writes " +
                  join(scalars) + ")");
  l.scalar_names = out.scalars.empty() ? scalars : out.scalars;
  for (const auto& name : l.scalar_names) l.scalar_units.push_back(result.scalars.at(name).units);
  window_start_s_ = first.config.average_start_time_s;
  window_end_s_ = first.config.duration_s;
  for (const char* name : kSeries) {
    l.series_names.push_back(name);
    l.series_units.push_back(result.series.at(name).units);
  }
  const int frames = out.series_frames;
  for (int j = 0; j < frames; ++j)
    l.series_time_s.push_back(window_start_s_ + (window_end_s_ - window_start_s_) * j / (frames - 1));
  for (std::size_t i = 0; i < config_.prior.parameters.size(); ++i) {
    l.param_names.push_back(config_.prior.parameters[i].name);
    l.param_units.push_back(config_.parameter_units[i]);
  }
  l.status_names = status_names();

  header_.layout = layout_;
  header_.data_config = config_.resolved_toml;
  header_.simulation_config = simulation_document(config_).to_toml();
  header_.version = hd::version();
  header_.seed = master_seed_;
}

std::uint64_t SimulationFactory::simulation_seed(std::int64_t index) const {
  return stream_seed(master_seed_, static_cast<std::uint64_t>(index), purpose_tag("gen_data.simulation"));
}

std::vector<double> SimulationFactory::parameters(std::int64_t index) const {
  return prior::draw_parameters(config_.prior, simulation_seed(index), 0);
}

hallsim::Config SimulationFactory::build(const std::vector<double>& values, std::uint64_t seed,
                                         std::string* toml, Attempt attempt) const {
  config::Document doc = simulation_document(config_);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const ParameterTarget& t = config_.targets[i];
    if (!t.key.empty()) doc.set(t.key, values[i], t.origin);
  }
  if (const auto& profile = config_.anomalous_profile) {
    const std::vector<double> c =
        profiles_->draw(prior::shape_from_parameters(config_.prior, values), seed, 0);
    const config::Table thruster = doc.root().table_or_empty("thruster");
    if (!thruster.has("channel_length_m"))
      throw Error(profile->origin +
                  ": the simulation config must give thruster.channel_length_m (the "
                  "profile's nodes are placed in channel lengths)");
    const double channel_length_m = thruster.get_double("channel_length_m", config::Range::positive());
    std::vector<double> z_m = profiles_->nodes();
    for (double& z : z_m) z *= channel_length_m;
    doc.set(profile->table + ".model=\"multi_log_bohm\"", profile->origin);
    doc.set(profile->table + ".z_m", z_m, profile->origin);
    doc.set(profile->table + ".c", c, profile->origin);
  }
  apply_attempt(config_, attempt, doc);
  hallsim::Config config = hallsim::read_config(doc.root());
  if (toml != nullptr) *toml = doc.to_toml();
  return config;
}

SimulationFactory::Configured SimulationFactory::configure(std::int64_t index) const {
  Configured c;
  c.seed = simulation_seed(index);
  c.parameters = parameters(index);
  c.config = build(c.parameters, c.seed, &c.toml);
  return c;
}

void SimulationFactory::fill_outputs(const hallsim::Result& result, dataset::RawRow& row) const {
  const dataset::RawLayout& l = layout_;
  const auto nonfinite = [&](const std::string& what) {
    row.status = static_cast<std::int8_t>(SimulationStatus::nonfinite);
    row.reason = "non-finite " + what + " in the averaged output";
  };
  if (result.z_m != l.z_m) throw Error("the grid differs from simulation 0's (a parameter moved the cells)");
  const std::size_t cells = l.z_m.size();
  row.fields.resize(l.field_size());
  for (std::size_t c = 0; c < l.channels.size(); ++c) {
    const auto it = result.average.find(l.channels[c]);
    if (it == result.average.end()) throw Error("hallsim wrote no profile " + l.channels[c]);
    for (std::size_t i = 0; i < cells; ++i) {
      const double v = it->second.values[i];
      if (!std::isfinite(v)) return nonfinite(l.channels[c]);
      row.fields[c * cells + i] = static_cast<float>(v);
    }
  }
  row.scalars.clear();
  for (const std::string& name : l.scalar_names) {
    const auto it = result.scalars.find(name);
    if (it == result.scalars.end()) throw Error("hallsim wrote no scalar " + name);
    if (!std::isfinite(it->second.value)) return nonfinite(name);
    row.scalars.push_back(it->second.value);
  }
  row.series.clear();
  const std::vector<double>& time_s = result.series.at("time_s").values;
  for (const char* name : kSeries) {
    const std::vector<double>& values = result.series.at(name).values;
    for (double t : l.series_time_s) {
      const double v = interpolate_clamped(time_s, values, t);
      if (!std::isfinite(v)) return nonfinite(name);
      row.series.push_back(static_cast<float>(v));
    }
  }
}

dataset::RawRow SimulationFactory::run(std::int64_t index) const {
  const auto start = std::chrono::steady_clock::now();
  dataset::RawRow row;
  row.index = index;
  row.seed = simulation_seed(index);
  row.params = prior::draw_parameters(config_.prior, row.seed, 0);
  try {
    const hallsim::Result result =
        simulate(config_, [&](Attempt attempt) { return build(row.params, row.seed, nullptr, attempt); });
    row.status = static_cast<std::int8_t>(to_status(result.status));
    row.reason = result.reason;
    if (result.status == hallsim::Status::ok) fill_outputs(result, row);
  } catch (const Error& e) {
    row.status = static_cast<std::int8_t>(SimulationStatus::invalid_input);
    row.reason = e.what();
  } catch (const std::exception& e) {
    row.status = static_cast<std::int8_t>(SimulationStatus::internal_error);
    row.reason = e.what();
  }
  // A failed simulation's outputs are zeros, never NaN: readers can sum a shard blindly.
  if (row.status != static_cast<std::int8_t>(SimulationStatus::ok)) {
    row.fields.assign(layout_.field_size(), 0.0f);
    row.scalars.assign(layout_.scalar_names.size(), 0.0);
    row.series.assign(layout_.series_size(), 0.0f);
  }
  row.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return row;
}

void check_data_config(const config::Document& document) {
  SimulationFactory(read_data_config(document), 0);
}

hallsim::Result simulate(const DataConfig& config, const std::function<hallsim::Config(Attempt)>& configure) {
  hallsim::Result result = hallsim::Simulation(configure(Attempt::first)).run();
  if (!numerical_failure(result.status) || config.retry_overrides.empty()) return result;
  // The first attempt's reason is kept, so that a dataset says which rows took the retry's
  // numerics and why.
  const std::string first = std::string(hallsim::to_string(result.status)) + ": " + result.reason;
  std::vector<std::string> retry;
  for (const Assignment& a : config.retry_overrides) retry.push_back(a.text);
  result = hallsim::Simulation(configure(Attempt::retry)).run();
  result.reason = (result.status == hallsim::Status::ok ? std::string("ok") : result.reason) +
                  " on a retry with " + join(retry) + " (first attempt " + first + ")";
  return result;
}

}  // namespace hd::datagen
