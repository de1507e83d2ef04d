// SPDX-License-Identifier: GPL-3.0-or-later
// PNG plots of posterior samples (docs/inverse.md "Output file"): per profile channel the
// 5-95 % and 25-75 % bands, the median and the measurements with their error bars, drawn
// by gnuplot (hd/figures/gnuplot.hpp).
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "hd/figures/gnuplot.hpp"
#include "hd/inverse/model_space.hpp"
#include "hd/inverse/observation_file.hpp"
#include "hd/inverse/sample_file.hpp"

namespace hd::inverse {

// The bands of a profile's samples, named after it.
figures::BandPlot band_plot(const Quantity& profile, const std::vector<double>& z_m, bool log_scale);

// The measurements of `channel` in physical units (normalized ones mapped back).
std::vector<figures::BandPlot::Point> observed_points(const ObservationFile& observations,
                                                      const ModelSpace& space, const std::string& channel);

// <channel>.png (with its .dat and .gp) for every profile channel, into a fresh folder that
// replaces `folder` only when every plot succeeded.
void write_posterior_plots(const std::filesystem::path& folder, const PhysicalSamples& samples,
                           const ObservationFile& observations, const ModelSpace& space);

}  // namespace hd::inverse
