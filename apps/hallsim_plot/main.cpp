// SPDX-License-Identifier: GPL-3.0-or-later
// hallsim_plot: gnuplot PNGs of the time-averaged profiles of a hallsim output file,
// optionally against LANDMARK reference curves.
//
//   hallsim_plot case1.h5 -o plots/ [--reference data/hallthruster/landmark/case_1]
//
// Writes <field>.png (and the plotted columns as <field>.dat) for the mean electron energy,
// electric field, potential, plasma and neutral density and ionization rate.
#include <array>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/common/csv.hpp"
#include "hd/common/error.hpp"
#include "hd/hallsim/output.hpp"

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

std::string quoted(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

// A reference curve "z_m, value" rewritten as "z_mm value" for gnuplot. Digitized
// curves need not have increasing z.
void write_reference(const std::filesystem::path& csv, const std::filesystem::path& dat) {
  const auto columns =
      hd::read_numeric_csv(csv, {.increasing_first_column = false, .what = "reference curve ('z_m, value')"});
  std::ofstream out(dat);
  for (std::size_t i = 0; i < columns[0].size(); ++i)
    out << 1e3 * columns[0][i] << " " << columns[1][i] << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::App app("hallsim_plot", "Plot the time-averaged profiles of a hallsim HDF5 file with gnuplot");
  std::filesystem::path input, out_dir, reference;
  app.cli().add_option("input", input, "hallsim output (HDF5)")->required()->check(CLI::ExistingFile);
  app.cli().add_option("-o,--output", out_dir, "folder for the PNGs")->required();
  app.cli()
      .add_option("--reference", reference, "LANDMARK case folder with <field>_<code>.csv curves")
      ->check(CLI::ExistingDirectory);

  return app.run(argc, argv, [&] {
    std::filesystem::create_directories(out_dir);
    const std::vector<double> z = hd::hallsim::read_dataset(input, "/z");
    for (const Panel& panel : panels) {
      const std::vector<double> v =
          hd::hallsim::read_dataset(input, std::string("/average/") + panel.dataset);
      const auto data = out_dir / (std::string(panel.file_stem) + ".dat");
      {
        std::ofstream out(data);
        out << "# z_mm " << panel.dataset << "\n";
        for (std::size_t i = 0; i < z.size(); ++i) out << 1e3 * z[i] << " " << panel.scale * v[i] << "\n";
      }
      const auto png = out_dir / (std::string(panel.file_stem) + ".png");
      std::string plot = "plot " + quoted(data) + " using 1:2 with lines lw 2 title 'hallsim'";
      for (const char* code : {"fluid_1", "fluid_2", "hybrid"}) {
        const auto csv = reference / (std::string(panel.file_stem) + "_" + code + ".csv");
        if (reference.empty() || !std::filesystem::exists(csv)) continue;
        const auto ref = out_dir / (std::string(panel.file_stem) + "_" + code + ".dat");
        write_reference(csv, ref);
        plot += ", " + quoted(ref) + " using 1:2 with lines dt 2 title '" + code + "'";
      }
      const auto script = out_dir / (std::string(panel.file_stem) + ".gp");
      {
        std::ofstream gp(script);
        gp << "set terminal pngcairo size 800,500 noenhanced\nset output " << quoted(png)
           << "\nset xlabel 'z (mm)'\nset ylabel '" << panel.label << "'\nset key top right\nset grid\n"
           << (panel.log_scale ? "set logscale y\n" : "") << plot << "\n";
      }
      const std::string command = "gnuplot " + quoted(script);
      if (std::system(command.c_str()) != 0) throw hd::Error("gnuplot failed on " + script.string());
      spdlog::info("wrote {}", png.string());
    }
    return 0;
  });
}
