// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/app/app.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>

#include "hd/app/logging.hpp"
#include "hd/app/platform.hpp"
#include "hd/common/error.hpp"
#include "hd/common/version.hpp"

namespace hd::app {

App::App(std::string name, std::string description)
    : name_(std::move(name)), cli_(std::move(description), name_) {
  // Common options may follow a subcommand (`hd_config check FILE --set a=1`).
  cli_.fallthrough();
  cli_.set_version_flag("--version", std::string(name_) + " (hall_diffusion) " + hd::version());
  auto* quiet = cli_.add_flag("-q,--quiet", quiet_, "Only print warnings and errors");
  cli_.add_flag("-v,--verbose", verbose_, "Print debug messages")->excludes(quiet);
}

void App::add_overrides_option() {
  if (cli_.get_option_no_throw("--set") != nullptr) return;
  cli_.add_option("--set", overrides_,
                  "Override a config value, e.g. --set domain.num_cells=400 (repeatable; the value is TOML)")
      ->type_name("KEY=VALUE")
      ->take_all();
}

void App::add_config_option(bool required) {
  auto* opt = cli_.add_option("-c,--config", config_path_, "TOML configuration file");
  if (required) opt->required();
  add_overrides_option();
}

void App::add_config_positional() {
  cli_.add_option("config", config_path_, "TOML configuration file")->required();
  add_overrides_option();
}

void App::add_seed_option(std::uint64_t default_seed) {
  seed_ = default_seed;
  seed_option_ =
      cli_.add_option("--seed", seed_, "Random seed (runs are reproducible from it)")->capture_default_str();
}

void App::add_threads_option() {
  cli_.add_option("-j,--threads", threads_, "Worker threads (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

bool App::seed_given() const {
  return seed_option_ != nullptr && seed_option_->count() > 0;
}

int App::threads() const {
  return resolve_threads(threads_);
}

config::Document App::load_config() const {
  return config::Document::load(config_path_, overrides_);
}

int App::run(int argc, char** argv, const std::function<int()>& body) {
  try {
    cli_.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli_.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli_.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return cli_.exit(e);
  } catch (const CLI::ParseError& e) {
    // Usage errors follow the same one-line convention, with the status CLI tools use
    // for them (2), so scripts can tell a typo from a failed run.
    std::fprintf(stderr, "%s: error: %s (see --help)\n", name_.c_str(), e.what());
    return 2;
  }
  init_logging(quiet_ ? Verbosity::quiet : verbose_ ? Verbosity::verbose : Verbosity::normal);
  try {
    return body();
  } catch (const Error& e) {
    std::fprintf(stderr, "%s: error: %s\n", name_.c_str(), e.what());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "%s: error: out of memory (try a smaller batch, fewer threads or a smaller model)\n",
                 name_.c_str());
  } catch (const std::exception& e) {
    // Not an hd::Error: a bug or a resource failure. Still one line: LibTorch's messages
    // carry a C++ backtrace after the first.
    const std::string what = e.what();
    const std::string first = what.substr(0, what.find('\n'));
    // LibTorch's allocator reports running out of memory as an enforce failure.
    if (const auto at = first.find("can't allocate memory"); at != std::string::npos) {
      std::fprintf(stderr, "%s: error: out of memory: %s (try a smaller batch or fewer threads)\n",
                   name_.c_str(), first.substr(at).c_str());
    } else {
      std::fprintf(stderr, "%s: internal error: %s\n", name_.c_str(), first.c_str());
    }
  }
  return 1;
}

namespace {

CLI::Validator number_check(std::string description, std::function<bool(double)> ok,
                            std::string requirement) {
  return CLI::Validator(
      [ok = std::move(ok), requirement = std::move(requirement)](std::string& text) {
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        const bool number = end != text.c_str() && *end == '\0' && std::isfinite(value);
        return number && ok(value) ? std::string() : "must be " + requirement + ", not " + text;
      },
      std::move(description));
}

}  // namespace

CLI::Validator finite_in(double min, double max) {
  std::ostringstream range;
  range << "a number in [" << min << ", " << max << "]";
  return number_check(
      "NUMBER", [=](double v) { return v >= min && v <= max; }, range.str());
}

CLI::Validator positive() {
  return number_check(
      "POSITIVE", [](double v) { return v > 0.0; }, "a positive number");
}

}  // namespace hd::app
