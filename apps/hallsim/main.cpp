// SPDX-License-Identifier: GPL-3.0-or-later
// hallsim: run one 1D Hall thruster simulation from a TOML config and write HDF5.
//
//   hallsim configs/hallsim/landmark_case1.toml -o case1.h5 [--set domain.num_cells=100]
//
// Exit status: 0 when the run finished, 2 when the simulation failed (the file is still
// written, with its status attribute saying why), 1 for bad input.
#include <cmath>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/common/progress.hpp"
#include "hd/common/version.hpp"
#include "hd/hallsim/config.hpp"
#include "hd/hallsim/output.hpp"
#include "hd/hallsim/simulation/simulation.hpp"

int main(int argc, char** argv) {
  hd::app::App app("hallsim", "Run a 1D quasineutral fluid Hall thruster simulation");
  app.add_config_positional();
  std::filesystem::path output;
  app.cli().add_option("-o,--output", output, "HDF5 file to write")->required();

  return app.run(argc, argv, [&] {
    hd::config::Document doc = app.load_config();
    const hd::hallsim::Config config = hd::hallsim::read_config(doc.root());
    hd::hallsim::Simulation simulation(config);
    const auto to_us = [](double t_s) { return static_cast<std::int64_t>(std::llround(t_s * 1e6)); };
    hd::Progress progress("hallsim", to_us(config.duration_s), "us simulated", app.progress_options());
    const hd::hallsim::Result result = simulation.run([&](double t_s) { progress.update(to_us(t_s)); });
    progress.finish();
    hd::hallsim::write_result(output, result, doc.to_toml(), hd::version());
    spdlog::info("{}: status {}, {} steps in {:.1f} s; Id = {:.3f} A (std {:.3f}), thrust = {:.2f} mN",
                 output.string(), hd::hallsim::to_string(result.status), result.steps, result.wall_time_s,
                 result.scalars.at("discharge_current_a").value,
                 result.scalars.at("discharge_current_std_a").value,
                 1e3 * result.scalars.at("thrust_n").value);
    if (result.status != hd::hallsim::Status::ok) {
      spdlog::error("simulation failed: {}", result.reason);
      return 2;
    }
    return 0;
  });
}
