// SPDX-License-Identifier: GPL-3.0-or-later
// The simulation factory of gen_data (docs/data.md): simulation k of a dataset is the base
// hallsim config with the fixed overrides, then every prior parameter drawn for k written
// to its `sets` key, then the drawn anomalous profile; its row holds the chosen averaged
// profiles, scalars, resampled series, the drawn parameters, and how it ended.
//
// Simulation k draws everything from its own seed, seed_k = stream_seed(S, k,
// "gen_data.simulation") for master seed S: parameters as prior::draw_parameters(prior,
// seed_k, 0) and the profile as AnomalousProfileSampler::draw(shape, seed_k, 0). A row's
// `seed` alone therefore reproduces its inputs, whatever thread, rank or shard ran it.
// Torch-free; one factory serves every thread (every method is const and thread-safe).
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "hd/datagen/data_config.hpp"
#include "hd/dataset/raw_shard.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/prior/anomalous_profile.hpp"

namespace hd::hallsim {
struct Result;
}

namespace hd::datagen {

// How a simulation ended: the raw shards' `status` codes (the order of `status_names`).
enum class SimulationStatus : std::int8_t {
  ok,
  nonfinite,           // NaN or infinity in the state or in a stored output
  step_size_collapse,  // the time step stayed at min_dt_s
  step_limit,
  wall_time_limit,
  solver_error,
  invalid_input,   // hallsim refused the drawn configuration (e.g. a value out of its range)
  internal_error,  // anything else thrown while running it
};
const std::vector<std::string>& status_names();

// hd_config's check of a data config (kind "data"): reads it and configures and probes
// simulation 0 exactly as gen_data does.
void check_data_config(const config::Document& document);

// Runs the simulation configure(Attempt::first) describes. Where it ends nonfinite or with
// a collapsed step and the data config has retry_overrides, runs configure(Attempt::retry)
// once more and returns that result, its reason naming the retry and the first failure.
// gen_data's rows and sample's predictive check both simulate through it, so that a
// simulation is rerun the way the dataset was made.
hallsim::Result simulate(const DataConfig& config, const std::function<hallsim::Config(Attempt)>& configure);

class SimulationFactory {
 public:
  // Configures simulation 0 and runs it for one time step to learn and check what rows
  // hold: a `sets` key or an override hallsim does not know, or a channel or scalar it
  // does not write, is an hd::Error naming the data config entry.
  SimulationFactory(DataConfig config, std::uint64_t master_seed);

  const DataConfig& config() const { return config_; }
  std::uint64_t master_seed() const { return master_seed_; }
  const dataset::RawLayout& layout() const { return layout_; }
  // The run's part of every shard header (the shard's own fields left at their defaults).
  const dataset::RawHeader& header() const { return header_; }

  std::uint64_t simulation_seed(std::int64_t index) const;
  // The drawn parameters of simulation `index`, in the prior's order.
  std::vector<double> parameters(std::int64_t index) const;

  struct Configured {
    hallsim::Config config;
    std::string toml;  // the resolved hallsim config
    std::vector<double> parameters;
    std::uint64_t seed = 0;
  };
  // The hallsim config of simulation `index`. Throws hd::Error where hallsim refuses it.
  Configured configure(std::int64_t index) const;

  // Runs simulation `index` into its row. A simulation that fails, or whose configuration
  // hallsim refuses, is a row too: status and reason say why, its parameters are kept and
  // its fields, scalars and series are zeros. With simulation.retry_overrides, a run that
  // ended nonfinite or with a collapsed step is run once more with them; the row is the
  // second attempt's, and its reason names the retry and the first attempt's failure.
  dataset::RawRow run(std::int64_t index) const;

 private:
  hallsim::Config build(const std::vector<double>& values, std::uint64_t seed, std::string* toml,
                        Attempt attempt = Attempt::first) const;
  void fill_outputs(const hallsim::Result& result, dataset::RawRow& row) const;

  DataConfig config_;
  std::uint64_t master_seed_;
  std::optional<prior::AnomalousProfileSampler> profiles_;
  dataset::RawLayout layout_;
  dataset::RawHeader header_;
  double window_start_s_ = 0.0, window_end_s_ = 0.0;
};

}  // namespace hd::datagen
