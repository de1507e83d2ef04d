// SPDX-License-Identifier: GPL-3.0-or-later
// The posterior predictive check of `sample --check-simulate n` (docs/inverse.md
// "Posterior predictive check"): hallsim reruns n sampled operating points and anomalous
// profiles, c(z) = nu_an(z) m_e / (e B(z)), and the check reports how well the simulations
// reproduce the measurements (chi^2 per measurement) and how far the sampled profiles lie
// from the simulated ones (relative L2 per channel).
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "hd/datagen/data_config.hpp"
#include "hd/inverse/model_space.hpp"
#include "hd/inverse/observation_file.hpp"
#include "hd/inverse/sample_file.hpp"

namespace hd::sample {

struct CheckReport {
  std::vector<std::string> status;  // per simulation: "ok" or how it failed
  // chi^2 per measurement (its mean over the measurement's points) of each field and
  // scalar measured, per simulation; NaN where the simulation failed.
  std::vector<inverse::Quantity> chi2;
  // ||sampled - simulated||_2 / ||simulated||_2 over the grid, per channel both have.
  std::vector<inverse::Quantity> relative_l2;
  std::vector<std::string> notes;
};

class PredictiveCheck {
 public:
  // Reads the data config and configures one simulation from the file's known parameters,
  // so that a data config that cannot serve (no nu_an channel in the model, a key hallsim
  // does not know) fails before any sampling.
  PredictiveCheck(const std::filesystem::path& data_config, const inverse::ModelSpace& space,
                  const inverse::ObservationFile& observations);

  // Simulates samples 0..n-1 on `threads` threads; parameters neither known nor inferred
  // are drawn from the data config's prior with stream (seed, i).
  CheckReport run(const inverse::PhysicalSamples& samples, std::int64_t n, int threads, std::uint64_t seed,
                  const std::function<void(std::int64_t done)>& progress) const;

 private:
  datagen::DataConfig config_;
  const inverse::ModelSpace& space_;
  const inverse::ObservationFile& observations_;
};

}  // namespace hd::sample
