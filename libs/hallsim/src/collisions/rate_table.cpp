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
