// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/collisions/rate_table.hpp"

#include <fstream>
#include <string>

#include "hd/common/config.hpp"
#include "hd/common/csv.hpp"
#include "hd/common/error.hpp"
#include "hd/common/interpolate.hpp"
#include "hd/common/model_family.hpp"

namespace hd::hallsim {
namespace {

// Scattered (eps, k) points onto the uniform table (clamped linear interpolation).
RateTable resample_rate_table(const std::vector<double>& energy_ev, const std::vector<double>& k) {
  RateTable t;
  t.k.resize(RateTable::num_bins);
  for (int i = 0; i < RateTable::num_bins; ++i) t.k[i] = interpolate_clamped(energy_ev, k, i);
  return t;
}

template <RateModel model>
RateModel rate_model(const hd::config::Table&) {
  return model;
}

const hd::config::ModelFamily<RateModel> rate_models{{"landmark", rate_model<RateModel::landmark>},
                                                     {"lookup", rate_model<RateModel::lookup>},
                                                     {"none", rate_model<RateModel::none>}};

}  // namespace

RateModel read_rate_model(const hd::config::Table& table, std::string_view key, std::string_view fallback) {
  return rate_models.read(table, key, fallback);
}

namespace {

// Out of line on purpose, with __restrict parameters: inlined into the member functions, the
// arrays (loaded from vectors) lose their __restrict and the loops stay scalar.
[[gnu::noinline]] void locate(std::size_t n, const double* __restrict energy_ev, int* __restrict bin,
                              double* __restrict weight) {
  for (std::size_t i = 0; i < n; ++i) {
    const double e = RateTable::clamped(energy_ev[i]);
    bin[i] = RateTable::bin(e);
    weight[i] = e - bin[i];
  }
}

[[gnu::noinline]] void lookup(std::size_t n, const double* __restrict table, const int* __restrict bin,
                              const double* __restrict weight, double* __restrict k) {
  for (std::size_t i = 0; i < n; ++i) k[i] = RateTable::interpolate(table, bin[i], weight[i]);
}

}  // namespace

void TablePositions::locate(std::span<const double> energy_ev) {
  hallsim::locate(energy_ev.size(), energy_ev.data(), bin.data(), weight.data());
}

void lookup_rates(const RateTable& rate, const TablePositions& at, std::span<double> k) {
  lookup(k.size(), rate.k.data(), at.bin.data(), at.weight.data(), k.data());
}

RateTable constant_rate_table(double k) {
  RateTable t;
  t.k.assign(RateTable::num_bins, k);
  return t;
}

ReactionFile read_reaction_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": rate file not found or unreadable");
  ReactionFile r;
  std::string first;
  std::getline(in, first);
  std::size_t header_lines = 1;
  // "Ionization energy (eV): 12.13" precedes the header line; elastic files start at the header.
  if (const auto colon = first.find("(eV):"); colon != std::string::npos) {
    try {
      r.energy_ev = std::stod(first.substr(colon + 5));
    } catch (const std::exception&) {
      throw Error(file.string() + ":1: cannot read the threshold energy");
    }
    header_lines = 2;
  }
  const auto c = read_numeric_csv(file, {.header_lines = header_lines, .what = "rate table"});
  r.rate = resample_rate_table(c[0], c[1]);
  return r;
}

LandmarkRates read_landmark_rates(const std::filesystem::path& file) {
  const auto c = read_numeric_csv(file, {.columns = 3, .header_lines = 1, .what = "LANDMARK rate table"});
  return {resample_rate_table(c[0], c[1]), resample_rate_table(c[0], c[2])};
}

}  // namespace hd::hallsim
