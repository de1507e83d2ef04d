// SPDX-License-Identifier: GPL-3.0-or-later
// PNG plots of the posterior (docs/inverse.md "Output file"): per profile channel the
// 5-95 % and 25-75 % bands, the median and the measurements with their error bars, drawn
// by gnuplot into a fresh folder that replaces the old one only when every plot succeeded.
#pragma once
#include <filesystem>

#include "hd/inverse/model_space.hpp"
#include "hd/inverse/observation_file.hpp"
#include "hd/inverse/sample_file.hpp"

namespace hd::sample {

// Writes <channel>.png (and the plotted columns, <channel>.dat, <channel>_observed.dat)
// for every profile channel into `folder`.
void write_plots(const std::filesystem::path& folder, const inverse::PhysicalSamples& samples,
                 const inverse::ObservationFile& observations, const inverse::ModelSpace& space);

}  // namespace hd::sample
