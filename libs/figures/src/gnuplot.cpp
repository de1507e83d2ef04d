// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/figures/gnuplot.hpp"

#include <cstdlib>
#include <fstream>

#include "hd/common/error.hpp"

namespace hd::figures {

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

void require_gnuplot(const std::string& needed_by) {
  if (std::system("gnuplot -e \"set terminal pngcairo\" > /dev/null 2>&1") != 0)
    throw Error(needed_by + " needs gnuplot with the pngcairo terminal on the PATH (apt install gnuplot-nox)");
}

void run_gnuplot(const std::filesystem::path& folder, const std::string& name, const std::string& script) {
  const std::string gp = name + ".gp", log = name + ".log";
  std::ofstream(folder / gp) << script;
  const std::string command = "cd " + quoted(folder.string()) + " && gnuplot " + quoted(gp) + " > " +
                              quoted(log) + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream messages(folder / log);
    std::string first;
    std::getline(messages, first);
    throw Error("gnuplot failed on " + (folder / gp).string() + " (" + (first.empty() ? "no message" : first) +
                ")");
  }
  std::filesystem::remove(folder / log);
}

void plot_bands(const std::filesystem::path& folder, const BandPlot& p) {
  const std::size_t length = p.z_m.size();
  for (const auto& q : p.quantiles)
    if (q.size() != length) throw Error(p.name + ": every quantile needs one value per cell");
  if (!p.truth.empty() && p.truth.size() != length) throw Error(p.name + ": the truth needs one value per cell");
  {
    std::ofstream data(folder / (p.name + ".dat"));
    data << "# z_mm q05 q25 q50 q75 q95" << (p.truth.empty() ? "" : " truth") << "\n";
    for (std::size_t j = 0; j < length; ++j) {
      data << 1e3 * p.z_m[j];
      for (const auto& q : p.quantiles) data << " " << q[j];
      if (!p.truth.empty()) data << " " << p.truth[j];
      data << "\n";
    }
  }
  const std::string dat = quoted(p.name + ".dat");
  std::string plot = "plot " + dat + " using 1:2:6 with filledcurves fc rgb '#c6dbef' title '5-95 %', " +
                     "'' using 1:3:5 with filledcurves fc rgb '#6baed6' title '25-75 %', " +
                     "'' using 1:4 with lines lw 2 lc rgb '#08519c' title 'median'";
  if (!p.truth.empty()) plot += ", '' using 1:7 with lines lw 2 dt 2 lc rgb '#d62728' title 'truth'";
  if (!p.observed.empty()) {
    std::ofstream observed(folder / (p.name + "_observed.dat"));
    observed << "# z_mm value stddev\n";
    for (const auto& o : p.observed) observed << 1e3 * o.z_m << " " << o.value << " " << o.stddev << "\n";
    plot += ", " + quoted(p.name + "_observed.dat") +
            " using 1:2:3 with yerrorbars pt 7 ps 0.6 lc rgb 'black' title 'observed'";
  }
  run_gnuplot(folder, p.name,
              "set terminal pngcairo size 900,540 noenhanced\nset output " + quoted(p.name + ".png") +
                  "\nset xlabel 'z (mm)'\nset ylabel " + quoted(p.label) + "\n" +
                  (p.title.empty() ? "" : "set title " + quoted(p.title) + "\n") + "set key top right\nset grid\n" +
                  (p.log_scale ? "set logscale y\n" : "") + plot + "\n");
}

}  // namespace hd::figures
