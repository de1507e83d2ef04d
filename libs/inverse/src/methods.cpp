// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/methods.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "hd/common/error.hpp"

namespace hd::inverse {

namespace {

torch::Tensor checked_y(const Observation& observation, torch::Tensor y) {
  if (!y.defined() || y.dim() < 1 || y.dim() > 2 || y.size(-1) != observation.size())
    throw Error("the observed values must be [m] or [batch, m] with m = " +
                std::to_string(observation.size()) + " (one per observation)");
  return y.to(torch::kFloat64);
}

// The observation's Jacobian at a batch of states, as the products A v and A^T w per
// sample: H itself when A is linear (no per-sample copies), else one matrix per sample.
class Linearised {
 public:
  Linearised(const Observation& observation, const torch::Tensor& x)
      : matrix_(observation.is_linear() ? observation.matrix().to(x.device(), x.scalar_type())
                                        : observation.jacobian(x)) {}
  torch::Tensor times(const torch::Tensor& v) const {  // [B, n] -> [B, m]
    return matrix_.dim() == 2 ? torch::matmul(v, matrix_.t())
                              : torch::matmul(matrix_, v.unsqueeze(-1)).squeeze(-1);
  }
  torch::Tensor times_transposed(const torch::Tensor& w) const {  // [B, m] -> [B, n]
    return matrix_.dim() == 2 ? torch::matmul(w, matrix_)
                              : torch::matmul(matrix_.transpose(1, 2), w.unsqueeze(-1)).squeeze(-1);
  }

 private:
  torch::Tensor matrix_;  // [m, n] or [B, m, n]
};

// Conjugate gradients for K_b u_b = b_b with K = diag(floor) + M, M symmetric positive
// semi-definite, one small system per sample b, from u = 0 for a fixed number of
// iterations (each one application of K). A trained network's Jacobian is neither
// symmetric nor PSD: along a direction p with p^T M p < 0 the curvature p^T K p can come
// arbitrarily close to 0 and alpha = r^T r / p^T K p blow one sample up. Such a direction
// is not taken (truncated CG stops at negative curvature, as Steihaug's does), which
// changes nothing where M is PSD (e.g. the exact Gaussian denoiser).
torch::Tensor conjugate_gradient(const std::function<torch::Tensor(const torch::Tensor&)>& apply,
                                 const torch::Tensor& b, const torch::Tensor& floor, int iterations) {
  auto u = torch::zeros_like(b);
  auto residual = b.clone();
  auto direction = residual.clone();
  auto rr = residual.square().sum(1, true);
  torch::Tensor active;  // samples still iterating
  for (int it = 0; it < iterations; ++it) {
    const auto m_direction = apply(direction);
    const auto curvature = (direction * m_direction).sum(1, true);
    // A sample whose residual is already zero has a zero direction: it takes no step;
    // nor does one whose M has negative curvature along the direction.
    auto positive = (curvature > (floor * direction.square()).sum(1, true)) & (curvature > 0);
    if (it > 0) positive = positive & active;
    active = positive;
    const auto alpha = torch::where(positive, rr / curvature, torch::zeros_like(rr));
    u = u + alpha * direction;
    residual = residual - alpha * m_direction;
    const auto rr_next = residual.square().sum(1, true);
    direction = residual + torch::where(rr > 0, rr_next / rr, torch::zeros_like(rr)) * direction;
    rr = rr_next;
  }
  return u;
}

}  // namespace

Dps::Dps(Observation observation, torch::Tensor y, DpsOptions options)
    : observation_(std::move(observation)), y_(checked_y(observation_, std::move(y))), options_(options) {
  if (!(options_.scale >= 0.0) || !(options_.sigma_data > 0.0))
    throw Error("DPS needs scale >= 0 and sigma_data > 0");
}

torch::Tensor Dps::denoise(const sampler::LevelDenoiser& denoiser, const torch::Tensor& x, double sigma,
                           bool start, const sampler::Step& step) {
  if (!start) return denoiser(x, sigma);
  torch::AutoGradMode enable(true);
  auto input = x.detach().requires_grad_(true);
  auto denoised = denoiser(input, sigma);
  const double sd2 = options_.sigma_data * options_.sigma_data;
  const double r2 = sigma * sigma * sd2 / (sigma * sigma + sd2);
  const auto variance = (observation_.noise_std().square() + r2).to(x.device(), x.scalar_type());
  const auto misfit =
      ((y_.to(x.device(), x.scalar_type()) - observation_(denoised)).square() / variance).sum();
  gradient_ = torch::autograd::grad({misfit}, {input})[0];
  ++step.evaluations->backward;
  return denoised.detach();
}

torch::Tensor Dps::after_step(const torch::Tensor& x_next, const sampler::Step& step) {
  const double zeta =
      options_.weighting == DpsWeighting::constant
          ? options_.scale
          : options_.scale * 0.5 * (step.sigma_hat * step.sigma_hat - step.sigma_next * step.sigma_next);
  return x_next - zeta * gradient_;
}

Mmps::Mmps(Observation observation, torch::Tensor y, MmpsOptions options)
    : observation_(std::move(observation)), y_(checked_y(observation_, std::move(y))), options_(options) {
  if (options_.cg_iterations < 1 || options_.cg_iterations > 5)
    throw Error("MMPS cg_iterations must be in [1, 5] (got " + std::to_string(options_.cg_iterations) + ")");
}

torch::Tensor Mmps::denoise(const sampler::LevelDenoiser& denoiser, const torch::Tensor& x, double sigma,
                            bool, const sampler::Step& step) {
  torch::AutoGradMode enable(true);
  auto input = x.detach().requires_grad_(true);
  auto denoised = denoiser(input, sigma);
  const auto d = denoised.detach();
  // J^T w by one reverse pass through the network; the graph is kept for the next one.
  auto vjp = [&](const torch::Tensor& w) {
    ++step.evaluations->backward;
    return torch::autograd::grad({denoised}, {input}, {w.view_as(d)}, /*retain_graph=*/true)[0].flatten(1);
  };
  const Linearised a(observation_, d);
  const auto residual = y_.to(x.device(), x.scalar_type()) - observation_(d);
  const auto noise_var = observation_.noise_std().square().to(x.device(), x.scalar_type());
  const double s2 = sigma * sigma;
  // (Sigma_y + sigma^2 A J A^T) v, with J applied as J^T.
  auto system = [&](const torch::Tensor& v) {
    return noise_var * v + s2 * a.times(vjp(a.times_transposed(v)));
  };
  const auto u = conjugate_gradient(system, residual, noise_var, options_.cg_iterations);
  return d + s2 * vjp(a.times_transposed(u)).view_as(d);
}

Replacement::Replacement(const Observation& observation, torch::Tensor y)
    : y_(checked_y(observation, std::move(y))), noise_var_(observation.noise_std().square()) {
  const auto& h = observation.matrix();
  if (!observation.is_linear() || !(h.ne(0).sum(1) == 1).all().item<bool>() ||
      !(h.sum(1) == 1.0).all().item<bool>())
    throw Error(
        "replacement needs observations of grid values (each row of the observation one 1); give probe "
        "positions at cell centres or use MMPS or DPS");
  index_ = h.argmax(1);
  if (std::get<0>(torch::_unique(index_)).numel() != index_.numel())
    throw Error("replacement needs each grid value observed at most once");
}

torch::Tensor Replacement::after_step(const torch::Tensor& x_next, const sampler::Step& step) {
  const double s2 = step.sigma_next * step.sigma_next;
  const auto device = x_next.device();
  const auto dtype = x_next.scalar_type();
  const auto index = index_.to(device);
  const auto noise_var = noise_var_.to(device);
  auto flat = x_next.flatten(1).clone();
  const auto current = flat.index_select(1, index);
  const auto eps = torch::randn(current.sizes(), step.generator, current.options());
  // y + sqrt(sigma'^2 - gamma^2) eps ~ x + sigma' eps given the truth x, possible while sigma' >= gamma.
  const auto matched = y_.to(device, dtype) + (s2 - noise_var).clamp_min(0.0).sqrt().to(dtype) * eps;
  flat.index_copy_(1, index, torch::where(noise_var.le(s2), matched, current));
  return flat.view_as(x_next);
}

Resampled importance_resample(const torch::Tensor& prior_samples, const Observation& observation,
                              const torch::Tensor& y, std::int64_t count, Resampling scheme, RngStream& rng) {
  const auto k = prior_samples.size(0);
  if (k < 1 || count < 1) throw Error("importance resampling needs prior samples and a count >= 1");
  torch::NoGradGuard no_grad;
  const auto log_weights = observation.log_likelihood(checked_y(observation, y), prior_samples);
  if (!std::isfinite(log_weights.max().item<double>()))
    throw Error("importance resampling: no prior sample has a finite likelihood");
  Resampled out;
  out.weights = torch::softmax(log_weights, 0);
  out.effective_sample_size = 1.0 / out.weights.square().sum().item<double>();
  const auto cumulative = out.weights.cumsum(0).cpu().contiguous();
  const double* cdf = cumulative.data_ptr<double>();
  // Systematic: one uniform u and the positions (u + j)/count; multinomial: count uniforms.
  std::vector<double> positions(static_cast<std::size_t>(count));
  const double u = rng.uniform();
  for (std::int64_t j = 0; j < count; ++j)
    positions[j] = scheme == Resampling::systematic
                       ? (u + static_cast<double>(j)) / static_cast<double>(count)
                       : (j == 0 ? u : rng.uniform());
  out.indices = torch::empty({count}, torch::kInt64);
  auto* index = out.indices.data_ptr<std::int64_t>();
  for (std::int64_t j = 0; j < count; ++j)
    index[j] = std::min<std::int64_t>(std::upper_bound(cdf, cdf + k, positions[j]) - cdf, k - 1);
  out.samples = prior_samples.index_select(0, out.indices.to(prior_samples.device()));
  return out;
}

}  // namespace hd::inverse
