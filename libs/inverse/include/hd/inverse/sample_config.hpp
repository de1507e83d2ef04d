// SPDX-License-Identifier: GPL-3.0-or-later
// How `sample` draws posterior samples (configs/sample/default.toml, docs/inverse.md
// "Settings"): the posterior method, the EDM sampler, each method's settings, the batch
// size, and the physical constants of the scalar functionals. Torch-free, so that
// `hd_config check` reads sample configs in any build.
#pragma once
#include <cstdint>
#include <string>

#include "hd/common/config.hpp"

namespace hd::inverse {

enum class Method {
  mmps,         // moment-matching posterior sampling (the default)
  dps,          // diffusion posterior sampling, the reference code's form
  replacement,  // noise-matched replacement of the observed cells
  sir,          // sampling-importance-resampling of prior samples
  tds,          // twisted sequential Monte Carlo over populations of particles
  prior,        // the prior given the known parameters: no measurement is used
};
Method parse_method(const std::string& name);  // one of method_names()
const char* method_name(Method method);
const std::vector<std::string>& method_names();

struct SampleConfig {
  Method method = Method::mmps;
  std::int64_t batch_size = 64;  // samples integrated together
  // [sampler]: the EDM schedule and integrator (docs/inverse.md "Samplers")
  std::string integrator = "heun";  // heun | midpoint | euler_maruyama
  int steps = 16;
  double sigma_min = 0.002, sigma_max = 80.0, rho = 7.0;
  double s_churn = 0.0, s_min = 0.0, s_max = 1000.0, s_noise = 1.0;  // churn over [s_min, s_max]
  // [mmps]
  int cg_iterations = 2;
  // [dps]
  double dps_scale = 1.0;
  std::string dps_weighting = "step_variance";  // constant | step_variance
  // [sir]
  std::int64_t sir_prior_samples = 4096;
  std::string sir_resampling = "systematic";  // systematic | multinomial
  // [tds]
  int tds_particles = 16;
  double tds_resample_threshold = 0.5;
  // [physics]: what the profiles alone do not say, for the discharge current and thrust
  double channel_area_m2 = 4.115e-3;   // SPT-100: pi (0.05^2 - 0.0345^2) m^2
  double ion_mass_kg = 2.1801716e-25;  // xenon, 131.293 u
  std::string resolved_toml;           // the config with every default filled in
};

// Reads a sample config; every key is checked, unknown keys are errors naming the file,
// line and key.
SampleConfig read_sample_config(const config::Document& document);

// hd_config's check of a sample config (kind "sample").
void check_sample_config(const config::Document& document);

}  // namespace hd::inverse
