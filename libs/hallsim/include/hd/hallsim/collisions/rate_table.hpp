// SPDX-License-Identifier: GPL-3.0-or-later
// Electron-impact rate coefficients k(eps) on a uniform 1 eV grid of mean electron energy
// eps = 1.5 Te, with clamped linear interpolation (docs/physics.md section 2).
#pragma once
#include <algorithm>
#include <filesystem>
#include <span>
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

  double operator()(double energy_ev) const {
    const double e = clamped(energy_ev);
    const int i = bin(e);
    return interpolate(k.data(), i, e - i);
  }

  // eps clamped to the table without branches, so that loops of lookups vectorize; NaN fails
  // the first comparison and lands on eps = 0 (a NaN index would read anywhere).
  static double clamped(double energy_ev) {
    return energy_ev > 0.0 ? std::min(energy_ev, double{num_bins - 1}) : 0.0;
  }
  // The bin whose lower edge is at or below a clamped eps (the last bin for the top edge).
  static int bin(double clamped_energy_ev) {
    return std::min(static_cast<int>(clamped_energy_ev), num_bins - 2);
  }
  // k in bin i, a fraction w of the way to its upper edge.
  static double interpolate(const double* k_table, int i, double w) {
    return (1.0 - w) * k_table[i] + w * k_table[i + 1];
  }
};

// Where n energies fall in the tables: each one's bin and the fraction w within it. The
// tables share their energy grid, so one locate() serves every table looked up at the same
// energies (the ionization and excitation rates at eps = 1.5 Te + K).
struct TablePositions {
  std::vector<int> bin;
  std::vector<double> weight;
  explicit TablePositions(std::size_t n = 0) : bin(n), weight(n) {}
  void locate(std::span<const double> energy_ev);
};

// rate at the located energies into k (one value per position), in a loop the compiler
// vectorizes.
void lookup_rates(const RateTable& rate, const TablePositions& at, std::span<double> k);

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
