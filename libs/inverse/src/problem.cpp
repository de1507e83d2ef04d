// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/problem.hpp"

#include <algorithm>
#include <cmath>

namespace hd::inverse {

namespace {

double nearest_centre(const std::vector<double>& z, double position) {
  return *std::min_element(z.begin(), z.end(), [&](double a, double b) {
    return std::abs(a - position) < std::abs(b - position);
  });
}

// H [m, C_img L] of the point terms, in the terms' order.
torch::Tensor point_rows(const std::vector<PointTerm>& points, const ModelSpace& space, bool snap_to_cells) {
  const auto channels = static_cast<std::int64_t>(space.image_channels());
  const auto length = static_cast<std::int64_t>(space.z_m.size());
  const auto z = torch::tensor(space.z_m, torch::kFloat64);
  auto h = torch::zeros({static_cast<std::int64_t>(points.size()), channels * length}, torch::kFloat64);
  for (std::size_t k = 0; k < points.size(); ++k) {
    const auto& p = points[k];
    const auto c = static_cast<std::int64_t>(p.channel);
    if (p.channel_mean) {
      h[k].slice(0, c * length, (c + 1) * length).fill_(1.0 / static_cast<double>(length));
      continue;
    }
    const double at = snap_to_cells ? nearest_centre(space.z_m, p.z_m) : p.z_m;
    h[k] = point_observation(z, channels, {{.channel = c, .z = at, .noise_std = p.noise_std}}).matrix()[0];
  }
  return h;
}

}  // namespace

PosteriorProblem build_problem(const MappedObservation& mapped, const ModelSpace& space,
                               const ThrusterConstants& constants, bool snap_to_cells) {
  PosteriorProblem problem;
  problem.label_values = torch::tensor(mapped.label_values, torch::kFloat32);
  std::vector<float> mask(mapped.label_known.begin(), mapped.label_known.end());
  problem.label_mask = torch::tensor(mask, torch::kFloat32);

  std::vector<double> y, noise;
  for (const auto& p : mapped.points) {
    y.push_back(p.value);
    noise.push_back(p.noise_std);
  }
  for (const auto& f : mapped.functionals) {
    y.push_back(f.value);
    noise.push_back(f.noise_std);
  }
  problem.y = torch::tensor(y, torch::kFloat64);
  if (y.empty()) return problem;
  const auto h = point_rows(mapped.points, space, snap_to_cells);
  const auto noise_std = torch::tensor(noise, torch::kFloat64);
  if (mapped.functionals.empty()) {
    problem.observation = Observation::linear(h, noise_std);
    return problem;
  }
  std::vector<std::string> needed;
  for (const auto& f : mapped.functionals)
    for (const auto& name : functional_channels(f.functional, space))
      if (std::find(needed.begin(), needed.end(), name) == needed.end()) needed.push_back(name);
  auto apply = [h, needed, space, constants, functionals = mapped.functionals](const torch::Tensor& x) {
    std::vector<torch::Tensor> columns;
    if (h.size(0) > 0) columns.push_back(torch::matmul(x.flatten(1), h.to(x.device(), x.scalar_type()).t()));
    const auto profiles = physical_profiles(x, space, needed);
    for (const auto& f : functionals)
      columns.push_back(evaluate(f.functional, profiles, constants).to(x.scalar_type()).unsqueeze(1));
    return torch::cat(columns, 1);
  };
  problem.observation = Observation::differentiable(std::move(apply), noise_std);
  return problem;
}

sampler::Denoiser conditional_denoiser(edm2::Precond net, const PosteriorProblem& problem) {
  const auto config = net->config();
  return [net, config, values = problem.label_values, mask = problem.label_mask](
             const torch::Tensor& x, const torch::Tensor& sigma) mutable {
    const auto batch = x.size(0);
    torch::Tensor labels;
    if (config.label_dim > 0)
      labels = edm2::label_features(config, values.to(x.device()).expand({batch, -1}),
                                    mask.to(x.device()).expand({batch, -1}));
    return net->forward(x, sigma, labels);
  };
}

}  // namespace hd::inverse
