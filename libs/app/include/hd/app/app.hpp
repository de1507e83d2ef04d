// SPDX-License-Identifier: GPL-3.0-or-later
// The convention every app follows: CLI11 with the common options, config loading with
// overrides, one-line errors. An app's main reads:
//
//   int main(int argc, char** argv) {
//     hd::app::App app("train", "Train the EDM2 prior on a normalized dataset");
//     app.add_config_option();            // --config FILE (or a positional, see below)
//     auto& out = ...app.cli().add_option(...);
//     return app.run(argc, argv, [&] { ...; return 0; });
//   }
//
// run() parses the command line, sets up logging, and turns any hd::Error (or other
// exception) into "<app>: error: <message>" on stderr and exit code 1.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "hd/common/config.hpp"
#include "hd/common/progress.hpp"

namespace hd::app {

class App {
 public:
  App(std::string name, std::string description);

  CLI::App& cli() { return cli_; }
  // --set KEY=VALUE overrides (added by the config options; call it directly when the
  // config file arrives another way).
  void add_overrides_option();
  // --config FILE (required unless `required` is false), with --set.
  void add_config_option(bool required = true);
  // CONFIG as the first positional argument instead of --config, with --set.
  void add_config_positional();
  // --seed N.
  void add_seed_option(std::uint64_t default_seed);
  // --threads N (0 = all cores).
  void add_threads_option();

  // The loaded config with all --set overrides applied. Throws hd::Error.
  config::Document load_config() const;
  const std::filesystem::path& config_path() const { return config_path_; }
  const std::vector<std::string>& overrides() const { return overrides_; }
  std::uint64_t seed() const { return seed_; }
  bool seed_given() const;
  // Resolved thread count (never 0).
  int threads() const;
  // Options for an hd::Progress of this app (silent under --quiet).
  ProgressOptions progress_options() const { return {.quiet = quiet_}; }

  int run(int argc, char** argv, const std::function<int()>& body);

 private:
  std::string name_;
  CLI::App cli_;
  std::filesystem::path config_path_;
  std::vector<std::string> overrides_;
  std::uint64_t seed_ = 0;
  CLI::Option* seed_option_ = nullptr;
  int threads_ = 0;
  bool quiet_ = false;
  bool verbose_ = false;
};

// Validators for numeric options whose messages name the value: CLI11's own ranges let a
// NaN through and describe the whole double range.
CLI::Validator finite_in(double min, double max);  // min <= v <= max, v finite
CLI::Validator positive();                         // v > 0, v finite

}  // namespace hd::app
