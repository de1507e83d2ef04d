// SPDX-License-Identifier: GPL-3.0-or-later
// Electron-impact rate coefficients k(eps) on a uniform 1 eV grid of mean electron energy
// eps = 1.5 Te, with clamped linear interpolation (docs/physics.md section 2).
#pragma once
#include <algorithm>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace hd::config {
class Table;
}

namespace hd::hallsim {

// Where the rates of one process come from: the LANDMARK table (tabulated ionization and
// lumped energy loss), the per-reaction files in rates_directory (lookup), or nowhere
// (none: the process is off).
enum class RateModel { landmark, lookup, none };

// Reads the rate model named by `key` (landmark | lookup | none), `fallback` when absent.
RateModel read_rate_model(const hd::config::Table& table, std::string_view key, std::string_view fallback);

struct RateTable {
  static constexpr int num_bins = 256;  // eps = 0, 1, ..., 255 eV
  std::vector<double> k;                // m^3/s (or eV m^3/s for energy-loss tables)

  double operator()(double energy_ev) const { return interpolate(k.data(), energy_ev); }

  // k(eps) from the table values k_table.
  static double interpolate(const double* k_table, double energy_ev) {
    // Clamped without branches, so that loops of lookups vectorize; NaN fails the first
    // comparison and lands on eps = 0 (a NaN index would read anywhere).
    const double e = energy_ev > 0.0 ? std::min(energy_ev, double{num_bins - 1}) : 0.0;
    const int i = std::min(static_cast<int>(e), num_bins - 2);
    const double w = e - i;
    return (1.0 - w) * k_table[i] + w * k_table[i + 1];
  }
};

// rate(energy_ev[i]) into k[i] for i < n: the lookup loop of the collision update, in a
// form the compiler vectorizes (the table, the energies and the output are distinct).
void lookup_rates(const RateTable& rate, std::size_t n, const double* energy_ev, double* k);

RateTable constant_rate_table(double k);

// A HallThruster.jl reaction file: optional "... energy (eV): E" line, a header line,
// then two whitespace-separated columns. Missing or malformed file: hd::Error naming it.
struct ReactionFile {
  double energy_ev = 0.0;  // ionization/excitation threshold; 0 for elastic tables
  RateTable rate;
};
ReactionFile read_reaction_file(const std::filesystem::path& file);

// landmark_rates.csv: eps (eV), ionization rate k_iz (m^3/s), energy-loss coefficient
// (eV m^3/s), one header line.
struct LandmarkRates {
  RateTable ionization;
  RateTable energy_loss;
};
LandmarkRates read_landmark_rates(const std::filesystem::path& file);

}  // namespace hd::hallsim
