// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/plots.hpp"

#include <cmath>

#include "hd/common/atomic_file.hpp"

namespace hd::inverse {

std::vector<figures::BandPlot::Point> observed_points(const ObservationFile& observations,
                                                      const ModelSpace& space, const std::string& channel) {
  std::vector<figures::BandPlot::Point> points;
  const std::size_t c = space.channel(channel);
  for (const auto& f : observations.fields) {
    if (f.channel != channel) continue;
    const auto& x = f.all_cells ? space.z_m : f.x_m;
    for (std::size_t k = 0; k < f.y.size(); ++k) {
      double y = f.y[k];
      double s = f.error_type == ErrorType::relative ? f.stddev[k] * std::abs(y) : f.stddev[k];
      if (f.normalized || f.stddev_normalized) {
        const double y_n = f.normalized ? y : space.fields.forward(c, y);
        const auto physical = physical_measurement(space.fields, c, y_n, s);
        y = physical.value;
        s = physical.noise_std;
      }
      points.push_back({x[k], y, s});
    }
  }
  return points;
}

figures::BandPlot band_plot(const Quantity& profile, const std::vector<double>& z_m, bool log_scale) {
  figures::BandPlot plot{.name = profile.name,
                         .label = profile.name + " (" + profile.units + ")",
                         .title = "",
                         .z_m = z_m,
                         .quantiles = {},
                         .truth = {},
                         .observed = {},
                         .log_scale = log_scale};
  const auto bands = quantiles(profile);
  const auto length = static_cast<std::size_t>(profile.length);
  for (std::size_t level = 0; level < plot.quantiles.size(); ++level)
    plot.quantiles[level].assign(bands.begin() + static_cast<std::ptrdiff_t>(level * length),
                                 bands.begin() + static_cast<std::ptrdiff_t>((level + 1) * length));
  return plot;
}

void write_posterior_plots(const std::filesystem::path& folder, const PhysicalSamples& samples,
                           const ObservationFile& observations, const ModelSpace& space) {
  write_folder_atomically(folder, [&](const std::filesystem::path& tmp) {
    for (std::size_t c = 0; c < samples.profiles.size(); ++c) {
      auto plot = band_plot(samples.profiles[c], samples.z_m, space.fields.log[c]);
      plot.observed = observed_points(observations, space, space.channels[c]);
      figures::plot_bands(tmp, plot);
    }
  });
}

}  // namespace hd::inverse
