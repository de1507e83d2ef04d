// SPDX-License-Identifier: GPL-3.0-or-later
// PNG figures by gnuplot (pngcairo). Scripts and their data files are written into the
// folder that receives the PNG, so a figure can be redrawn or restyled by hand with
// `gnuplot NAME.gp` in that folder.
#pragma once
#include <array>
#include <filesystem>
#include <string>
#include <vector>

namespace hd::figures {

// An hd::Error naming `needed_by` unless gnuplot with the pngcairo terminal is on the PATH:
// checked before long work, not after it.
void require_gnuplot(const std::string& needed_by);

// Runs `script` as `folder/NAME.gp` in `folder`. gnuplot's messages span lines: they go to
// NAME.log, and a failure is one hd::Error naming the script and the first message line.
void run_gnuplot(const std::filesystem::path& folder, const std::string& name, const std::string& script);

// Posterior bands of one profile along z: the 5-95 % and 25-75 % bands, the median, and
// optionally the truth and the measurements with their error bars.
struct BandPlot {
  std::string name;   // file stem: NAME.png, NAME.dat, NAME.gp
  std::string label;  // y axis, e.g. "ui_1 (m/s)"
  std::string title;  // "" for none
  std::vector<double> z_m;
  std::array<std::vector<double>, 5> quantiles;  // 5, 25, 50, 75, 95 %, each [L]
  std::vector<double> truth;                     // [L], or empty
  struct Point {
    double z_m, value, stddev;
  };
  std::vector<Point> observed;
  bool log_scale = false;
};

void plot_bands(const std::filesystem::path& folder, const BandPlot& plot);

}  // namespace hd::figures
