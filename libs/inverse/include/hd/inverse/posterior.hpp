// SPDX-License-Identifier: GPL-3.0-or-later
// Posterior samples of a problem by any method (docs/inverse.md "Methods"), in batches,
// reproducibly: batch b draws every random number from the stream (seed, b), so the
// samples do not depend on the thread count or on how many batches ran before.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "hd/inverse/methods.hpp"
#include "hd/inverse/problem.hpp"
#include "hd/inverse/sample_config.hpp"
#include "hd/inverse/twisted_smc.hpp"
#include "hd/sampler/edm.hpp"

namespace hd::inverse {

struct PosteriorSettings {
  Method method = Method::mmps;
  sampler::SamplerOptions sampler{};
  MmpsOptions mmps{};
  DpsOptions dps{};
  std::int64_t sir_prior_samples = 4096;
  Resampling resampling = Resampling::systematic;
  TwistedSmcOptions tds{};
  std::int64_t batch_size = 64;  // network inputs integrated together (TDS: particles)
};

// The problem a sample config poses on an observation file mapped onto a model, with the
// notes a user should read: replacement's operator snaps to cell centres (and refuses
// scalars), the prior method drops the measurements, and a model without a label mask
// (`label_mask` false) sees the unknown labels at their training mean. `source` names
// the observation file in errors.
struct PosedProblem {
  PosteriorProblem problem;
  std::vector<std::string> notes;
};
PosedProblem pose_problem(const MappedObservation& mapped, const ModelSpace& space, const SampleConfig& config,
                          bool label_mask, const std::string& source);

// The settings of a sample config for a model of data std `sigma_data`.
PosteriorSettings posterior_settings(const SampleConfig& config, double sigma_data);

struct PosteriorDraw {
  torch::Tensor samples;  // [count, C_img, L], normalized, float32
  // Network evaluations (each of one sample) spent per returned sample: SIR's count
  // includes every prior sample it weighed, TDS's every particle.
  double forward_per_sample = 0.0;
  double backward_per_sample = 0.0;    // vector-Jacobian products
  // 1/sum w^2 of the final weights: SIR's over its prior samples, TDS's per population of
  // K particles (mean); 0 for the other methods.
  double effective_sample_size = 0.0;
};

// Called after each batch with the samples done (prior samples for SIR) and the total.
using DrawProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// `count` posterior samples of images [channels, length]. Without an observation every
// method draws from the prior given the known labels.
PosteriorDraw draw_posterior(const sampler::Denoiser& denoiser, const PosteriorProblem& problem,
                             std::int64_t channels, std::int64_t length, const PosteriorSettings& settings,
                             std::int64_t count, std::uint64_t seed, const DrawProgress& progress = {});

}  // namespace hd::inverse
