// SPDX-License-Identifier: GPL-3.0-or-later
#include "plots.hpp"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"

namespace hd::sample {

namespace {

std::string quoted(const std::filesystem::path& p) {
  std::string out(1, '\'');
  out += p.string();
  out += '\'';
  return out;
}

// The measurements of `channel` in physical units: "x_mm y stddev" rows.
std::string observed_rows(const inverse::ObservationFile& observations, const inverse::ModelSpace& space,
                          const std::string& channel) {
  std::ostringstream out;
  const std::size_t c = space.channel(channel);
  for (const auto& f : observations.fields) {
    if (f.channel != channel) continue;
    const auto& x = f.all_cells ? space.z_m : f.x_m;
    for (std::size_t k = 0; k < f.y.size(); ++k) {
      double y = f.y[k];
      double s = f.error_type == inverse::ErrorType::relative ? f.stddev[k] * std::abs(y) : f.stddev[k];
      if (f.normalized || f.stddev_normalized) {
        const double y_n = f.normalized ? y : space.fields.forward(c, y);
        const auto physical = inverse::physical_measurement(space.fields, c, y_n, s);
        y = physical.value;
        s = physical.noise_std;
      }
      out << 1e3 * x[k] << " " << y << " " << s << "\n";
    }
  }
  return out.str();
}

void plot_channel(const std::filesystem::path& folder, const inverse::Quantity& q,
                  const std::vector<double>& z_m, const std::string& observed, bool log_scale) {
  const auto bands = inverse::quantiles(q);
  const auto length = static_cast<std::size_t>(q.length);
  {
    std::ofstream data(folder / (q.name + ".dat"));
    data << "# z_mm q05 q25 q50 q75 q95 (" << q.units << ")\n";
    for (std::size_t j = 0; j < length; ++j) {
      data << 1e3 * z_m[j];
      for (std::size_t level = 0; level < inverse::kQuantileLevels.size(); ++level)
        data << " " << bands[level * length + j];
      data << "\n";
    }
  }
  std::string plot = "plot '" + q.name +
                     ".dat' using 1:2:6 with filledcurves fc rgb '#c6dbef' title '5-95 %', " +
                     "'' using 1:3:5 with filledcurves fc rgb '#6baed6' title '25-75 %', " +
                     "'' using 1:4 with lines lw 2 lc rgb '#08519c' title 'median'";
  if (!observed.empty()) {
    std::ofstream(folder / (q.name + "_observed.dat")) << "# z_mm value stddev (" << q.units << ")\n"
                                                       << observed;
    plot += ", '" + q.name +
            "_observed.dat' using 1:2:3 with yerrorbars pt 7 ps 0.6 lc rgb 'black' title 'observed'";
  }
  const auto script = folder / (q.name + ".gp");
  std::ofstream(script) << "set terminal pngcairo size 900,540 noenhanced\nset output '" << q.name
                        << ".png'\nset xlabel 'z (mm)'\nset ylabel '" << q.name << " (" << q.units
                        << ")'\nset key top right\nset grid\n"
                        << (log_scale ? "set logscale y\n" : "") << plot << "\n";
  const auto log = folder / (q.name + ".log");
  const std::string command = "cd " + quoted(folder) + " && gnuplot " + quoted(script.filename()) + " > " +
                              quoted(log.filename()) + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    std::ifstream messages(log);
    std::string first;
    std::getline(messages, first);
    throw Error("gnuplot failed on " + q.name + ".gp (" + (first.empty() ? "no message" : first) +
                "; is gnuplot with the pngcairo terminal installed?)");
  }
  std::filesystem::remove(log);
}

}  // namespace

void write_plots(const std::filesystem::path& folder, const inverse::PhysicalSamples& samples,
                 const inverse::ObservationFile& observations, const inverse::ModelSpace& space) {
  write_folder_atomically(folder, [&](const std::filesystem::path& tmp) {
    for (std::size_t c = 0; c < samples.profiles.size(); ++c)
      plot_channel(tmp, samples.profiles[c], samples.z_m,
                   observed_rows(observations, space, space.channels[c]), space.fields.log[c]);
  });
}

}  // namespace hd::sample
