// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/posterior.hpp"

#include <algorithm>
#include <memory>

#include "hd/common/error.hpp"
#include "hd/common/rng.hpp"

namespace hd::inverse {

namespace {

sampler::Integrator integrator_of(const std::string& name) {
  if (name == "midpoint") return sampler::Integrator::midpoint;
  if (name == "euler_maruyama") return sampler::Integrator::euler_maruyama;
  return sampler::Integrator::heun;
}

std::unique_ptr<sampler::Guidance> guidance_of(const PosteriorProblem& problem, const PosteriorSettings& s) {
  if (!problem.observation) return nullptr;
  switch (s.method) {
    case Method::mmps:
      return std::make_unique<Mmps>(*problem.observation, problem.y, s.mmps);
    case Method::dps:
      return std::make_unique<Dps>(*problem.observation, problem.y, s.dps);
    case Method::replacement:
      return std::make_unique<Replacement>(*problem.observation, problem.y);
    case Method::sir:
    case Method::tds:
    case Method::prior:
      break;
  }
  return nullptr;
}

}  // namespace

PosedProblem pose_problem(const MappedObservation& mapped, const ModelSpace& space, const SampleConfig& config,
                          bool label_mask, const std::string& source) {
  PosedProblem posed;
  auto& notes = posed.notes;
  notes = mapped.notes;
  if (!label_mask) {
    std::string unknown;
    for (std::size_t l = 0; l < space.labels.size(); ++l)
      if (!mapped.label_known[l]) unknown += (unknown.empty() ? "" : ", ") + space.labels[l];
    if (!unknown.empty())
      notes.push_back("the model takes every label (label_mask = false): " + unknown +
                      " not given, so set to the training mean");
  }
  const ThrusterConstants constants{.channel_area_m2 = config.channel_area_m2, .ion_mass_kg = config.ion_mass_kg};
  const bool replacement = config.method == Method::replacement;
  if (replacement) {
    for (const auto& p : mapped.points)
      if (p.channel_mean || !mapped.functionals.empty())
        throw Error(source +
                    ": replacement observes profile values only; for its [scalars] use --method mmps, dps or sir");
    notes.push_back("replacement observes each position at its nearest cell centre");
    if (config.integrator != "euler_maruyama" && config.s_churn == 0.0)
      notes.push_back(
          "replacement with a deterministic sampler is strongly biased: use "
          "sampler.integrator = \"euler_maruyama\" or churn (docs/inverse.md)");
  }
  posed.problem = build_problem(mapped, space, constants, replacement);
  if (config.method == Method::tds && posed.problem.observation)
    notes.push_back(
        "tds moves its particles by guided Euler-Maruyama steps over the sampler's noise levels "
        "(sampler.integrator and churn do not apply); first order, so it wants more steps than heun "
        "(docs/inverse.md \"Twisted SMC\")");
  if (config.method == Method::prior && posed.problem.observation) {
    notes.push_back("method prior: the measurements are not used, only the known parameters");
    posed.problem.observation.reset();
  } else if (!posed.problem.observation) {
    notes.push_back("nothing is measured: the samples are the prior given the known parameters");
  }
  return posed;
}

PosteriorSettings posterior_settings(const SampleConfig& c, double sigma_data) {
  PosteriorSettings s;
  s.method = c.method;
  s.sampler.schedule = {.steps = c.steps, .sigma_min = c.sigma_min, .sigma_max = c.sigma_max, .rho = c.rho};
  s.sampler.integrator = integrator_of(c.integrator);
  s.sampler.churn = {.s_churn = c.s_churn, .s_min = c.s_min, .s_max = c.s_max, .s_noise = c.s_noise};
  s.mmps.cg_iterations = c.cg_iterations;
  s.dps = {.scale = c.dps_scale,
           .weighting = c.dps_weighting == "constant" ? DpsWeighting::constant : DpsWeighting::step_variance,
           .sigma_data = sigma_data};
  s.sir_prior_samples = c.sir_prior_samples;
  s.resampling = c.sir_resampling == "multinomial" ? Resampling::multinomial : Resampling::systematic;
  s.tds = {.particles = c.tds_particles, .resample_threshold = c.tds_resample_threshold, .sigma_data = sigma_data};
  s.batch_size = c.batch_size;
  return s;
}

PosteriorDraw draw_posterior(const sampler::Denoiser& denoiser, const PosteriorProblem& problem,
                             std::int64_t channels, std::int64_t length, const PosteriorSettings& s,
                             std::int64_t count, std::uint64_t seed, const DrawProgress& progress) {
  if (count < 1) throw Error("posterior sampling needs at least one sample");
  const bool observed = problem.observation.has_value();
  const bool resample = s.method == Method::sir && observed;
  const bool twisted = s.method == Method::tds && observed;
  const std::int64_t total = resample ? s.sir_prior_samples : count;
  // A batch holds batch_size network inputs: TDS's are the K particles of each population.
  const std::int64_t particles = twisted ? s.tds.particles : 1;
  const std::int64_t batch = std::max<std::int64_t>(1, s.batch_size / particles);
  const auto guidance = guidance_of(problem, s);

  std::vector<torch::Tensor> batches;
  double forward = 0.0, backward = 0.0, effective = 0.0;
  for (std::int64_t done = 0, b = 0; done < total; ++b) {
    const std::int64_t size = std::min(batch, total - done);
    auto generator = at::detail::createCPUGenerator(
        stream_seed(seed, static_cast<std::uint64_t>(b), purpose_tag("inverse.posterior.batch")));
    const auto noise = torch::randn({size * particles, channels, length}, generator, torch::kFloat32);
    sampler::Evaluations evaluations;
    if (twisted) {
      const auto result = twisted_smc(denoiser, *problem.observation, problem.y, noise, s.sampler.schedule, s.tds,
                                      s.sampler.dtype, generator);
      batches.push_back(result.x.to(torch::kFloat32));
      evaluations = result.evaluations;
      effective += result.final_effective_sample_size * static_cast<double>(size);
    } else {
      const auto result = sampler::sample(denoiser, noise, s.sampler, guidance.get(), generator);
      batches.push_back(result.x.to(torch::kFloat32));
      evaluations = result.evaluations;
    }
    forward += static_cast<double>(evaluations.forward * size * particles);
    backward += static_cast<double>(evaluations.backward * size * particles);
    done += size;
    if (progress) progress(done, total);
  }
  PosteriorDraw out;
  out.samples = torch::cat(batches, 0);
  if (resample) {
    RngStream rng(seed, 0, purpose_tag("inverse.posterior.resample"));
    const auto r =
        importance_resample(out.samples, *problem.observation, problem.y, count, s.resampling, rng);
    out.samples = r.samples.to(torch::kFloat32);
    out.effective_sample_size = r.effective_sample_size;
  }
  if (twisted) out.effective_sample_size = effective / static_cast<double>(count);
  out.forward_per_sample = forward / static_cast<double>(count);
  out.backward_per_sample = backward / static_cast<double>(count);
  return out;
}

}  // namespace hd::inverse
