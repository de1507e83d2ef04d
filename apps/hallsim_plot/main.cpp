// SPDX-License-Identifier: GPL-3.0-or-later
// hallsim_plot: gnuplot PNGs of the time-averaged profiles of a hallsim output file,
// optionally against LANDMARK reference curves.
//
//   hallsim_plot case1.h5 -o plots/ [--reference data/hallthruster/landmark/case_1]
//
// Writes <field>.png (and the plotted columns as <field>.dat) for the mean electron energy,
// electric field, potential, plasma and neutral density and ionization rate. Everything is
// read and checked first and drawn in a temporary folder; only a complete set of plots
// replaces the files of the output folder, so a failure leaves earlier plots as they were.
#include <array>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/common/atomic_file.hpp"
#include "hd/common/csv.hpp"
#include "hd/common/error.hpp"
#include "hd/figures/gnuplot.hpp"
#include "hd/hallsim/output.hpp"
#include "hd/hdf5/hdf5.hpp"

namespace fs = std::filesystem;

namespace {

struct Panel {
  const char* file_stem;  // output name and LANDMARK reference file stem
  const char* dataset;    // /average/<dataset>
  double scale;           // applied to the hallsim values (eps = 1.5 Te)
  const char* label;
  bool log_scale;
};

constexpr std::array<Panel, 6> panels{{
    {"energy", "Tev", 1.5, "mean electron energy 1.5 Te (eV)", false},
    {"electric_field", "E", 1.0, "electric field (V/m)", false},
    {"potential", "phi", 1.0, "potential (V)", false},
    {"plasma_density", "ne", 1.0, "plasma density (m^-3)", true},
    {"neutral_density", "nn", 1.0, "neutral density (m^-3)", true},
    {"ionization", "ionization_rate", 1.0, "ionization rate (m^-3 s^-1)", false},
}};

std::string quoted(const fs::path& p) {
  return "'" + p.string() + "'";
}

using Curve = std::vector<std::vector<double>>;  // [z_m, value]

// What one panel shows, all read and checked before anything is drawn.
struct PanelData {
  const Panel* panel;
  std::vector<double> values;
  std::vector<std::pair<std::string, Curve>> references;  // (code, curve)
};

// The simulation's status: a failed run's profiles are not a result to plot.
void require_finished_run(const fs::path& input) {
  hd::hdf5::require_hdf5_file(input, "hallsim output file");
  const auto [status, reason] = hd::hdf5::guarded(input, "read the status", [&] {
    const H5::H5File h5(input.string(), H5F_ACC_RDONLY);
    const H5::Group root = h5.openGroup("/");
    if (!root.attrExists("status"))
      throw hd::Error(input.string() + ": no `status` attribute (not a hallsim output?)");
    const std::string r =
        root.attrExists("status_reason") ? hd::hdf5::read_string(root, "status_reason") : "";
    return std::pair{hd::hdf5::read_string(root, "status"), r};
  });
  if (status != "ok")
    throw hd::Error(input.string() + ": the simulation failed (status " + status + ": " + reason +
                    "); nothing to plot");
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::App app("hallsim_plot", "Plot the time-averaged profiles of a hallsim HDF5 file with gnuplot");
  fs::path input, out_dir, reference;
  app.cli().add_option("input", input, "hallsim output (HDF5)")->required();
  app.cli().add_option("-o,--output", out_dir, "folder for the PNGs")->required();
  app.cli().add_option("--reference", reference, "LANDMARK case folder with <field>_<code>.csv curves");

  return app.run(argc, argv, [&] {
    require_finished_run(input);
    const std::vector<double> z = hd::hallsim::read_dataset(input, "/z");
    if (z.size() < 2)
      throw hd::Error(input.string() + ": /z has " + std::to_string(z.size()) + " cells; nothing to plot");
    for (std::size_t i = 1; i < z.size(); ++i)
      if (!(z[i] > z[i - 1])) throw hd::Error(input.string() + ": /z must increase");
    if (!reference.empty() && !fs::is_directory(reference))
      throw hd::Error(reference.string() + ": no such reference folder");

    std::vector<PanelData> data;
    for (const Panel& panel : panels) {
      const std::string name = std::string("/average/") + panel.dataset;
      PanelData d{&panel, hd::hallsim::read_dataset(input, name), {}};
      if (d.values.size() != z.size())
        throw hd::Error(input.string() + ": " + name + " has " + std::to_string(d.values.size()) +
                        " values but /z has " + std::to_string(z.size()));
      for (const char* code : {"fluid_1", "fluid_2", "hybrid"}) {
        const auto csv = reference / (std::string(panel.file_stem) + "_" + code + ".csv");
        if (reference.empty() || !fs::exists(csv)) continue;
        // Digitized curves need not have increasing z.
        d.references.emplace_back(
            code, hd::read_numeric_csv(
                      csv, {.increasing_first_column = false, .what = "reference curve ('z_m, value')"}));
      }
      data.push_back(std::move(d));
    }

    // A failed run leaves its staging folder (gnuplot's messages are there) and the output
    // folder untouched.
    const fs::path staging = hd::temporary_path_for(out_dir);
    fs::remove_all(staging);
    fs::create_directories(staging);
    for (const PanelData& d : data) {
      const Panel& panel = *d.panel;
      const auto dat = staging / (std::string(panel.file_stem) + ".dat");
      {
        std::ofstream out(dat);
        out << "# z_mm " << panel.dataset << "\n";
        for (std::size_t i = 0; i < z.size(); ++i)
          out << 1e3 * z[i] << " " << panel.scale * d.values[i] << "\n";
      }
      std::string plot = "plot " + quoted(dat) + " using 1:2 with lines lw 2 title 'hallsim'";
      for (const auto& [code, curve] : d.references) {
        const auto ref = staging / (std::string(panel.file_stem) + "_" + code + ".dat");
        std::ofstream out(ref);
        for (std::size_t i = 0; i < curve[0].size(); ++i)
          out << 1e3 * curve[0][i] << " " << curve[1][i] << "\n";
        plot += ", " + quoted(ref) + " using 1:2 with lines dt 2 title '" + code + "'";
      }
      const auto png = staging / (std::string(panel.file_stem) + ".png");
      hd::figures::run_gnuplot(staging, panel.file_stem,
                               "set terminal pngcairo size 800,500 noenhanced\nset output " + quoted(png) +
                                   "\nset xlabel 'z (mm)'\nset ylabel '" + panel.label +
                                   "'\nset key top right\nset grid\n" +
                                   (panel.log_scale ? "set logscale y\n" : "") + plot + "\n");
    }
    fs::create_directories(out_dir);
    for (const auto& entry : fs::directory_iterator(staging))
      fs::rename(entry.path(), out_dir / entry.path().filename());
    fs::remove_all(staging);
    for (const PanelData& d : data)
      spdlog::info("wrote {}", (out_dir / (std::string(d.panel->file_stem) + ".png")).string());
    return 0;
  });
}
