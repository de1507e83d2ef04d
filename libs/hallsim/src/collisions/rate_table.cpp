// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/hallsim/collisions/rate_table.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "hd/common/error.hpp"

namespace hd::hallsim {

RateTable resample_rate_table(const std::vector<double>& energy_ev, const std::vector<double>& k) {
  RateTable t;
  t.k.resize(RateTable::num_bins);
  for (int i = 0; i < RateTable::num_bins; ++i) {
    const double e = i;
    if (e <= energy_ev.front()) {
      t.k[i] = k.front();
    } else if (e >= energy_ev.back()) {
      t.k[i] = k.back();
    } else {
      const auto it = std::upper_bound(energy_ev.begin(), energy_ev.end(), e);
      const std::size_t j = static_cast<std::size_t>(it - energy_ev.begin()) - 1;
      const double w = (e - energy_ev[j]) / (energy_ev[j + 1] - energy_ev[j]);
      t.k[i] = (1.0 - w) * k[j] + w * k[j + 1];
    }
  }
  return t;
}

RateTable constant_rate_table(double k) {
  RateTable t;
  t.k.assign(RateTable::num_bins, k);
  return t;
}

namespace {

struct Columns {
  std::vector<double> x, y, z;
};

// Numeric rows of two or three columns separated by whitespace or commas.
Columns read_columns(std::istream& in, const std::filesystem::path& file, int line_no, int num_columns) {
  Columns c;
  std::string line;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::replace(line.begin(), line.end(), ',', ' ');
    std::istringstream row(line);
    double a = 0.0, b = 0.0, d = 0.0;
    if (!(row >> a >> b) || (num_columns == 3 && !(row >> d))) {
      throw Error(file.string() + ":" + std::to_string(line_no) + ": expected " +
                  std::to_string(num_columns) + " numeric columns");
    }
    if (!c.x.empty() && a <= c.x.back()) {
      throw Error(file.string() + ":" + std::to_string(line_no) + ": energies must increase");
    }
    c.x.push_back(a);
    c.y.push_back(b);
    c.z.push_back(d);
  }
  if (c.x.size() < 2) throw Error(file.string() + ": rate table needs at least two rows");
  return c;
}

std::ifstream open(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": rate file not found or unreadable");
  return in;
}

}  // namespace

ReactionFile read_reaction_file(const std::filesystem::path& file) {
  auto in = open(file);
  ReactionFile r;
  std::string first;
  std::getline(in, first);
  int line_no = 1;
  // "Ionization energy (eV): 12.13" precedes the header line; elastic files start at the header.
  if (const auto colon = first.find("(eV):"); colon != std::string::npos) {
    try {
      r.energy_ev = std::stod(first.substr(colon + 5));
    } catch (const std::exception&) {
      throw Error(file.string() + ":1: cannot read the threshold energy");
    }
    std::string header;
    std::getline(in, header);
    line_no = 2;
  }
  const Columns c = read_columns(in, file, line_no, 2);
  r.rate = resample_rate_table(c.x, c.y);
  return r;
}

LandmarkRates read_landmark_rates(const std::filesystem::path& file) {
  auto in = open(file);
  std::string header;
  std::getline(in, header);
  const Columns c = read_columns(in, file, 1, 3);
  return {resample_rate_table(c.x, c.y), resample_rate_table(c.x, c.z)};
}

}  // namespace hd::hallsim
