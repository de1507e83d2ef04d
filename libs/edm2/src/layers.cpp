// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/layers.hpp"

#include <array>
#include <cmath>
#include <numbers>

namespace hd::edm2 {

namespace {
constexpr double kSiluGain = 1.0 / 0.596;  // mp_silu's constant
// mp_sum(a, b, t) = a * skip_weight(t) + b * branch_weight(t).
double skip_weight(double t) {
  return (1.0 - t) / std::sqrt((1.0 - t) * (1.0 - t) + t * t);
}
double branch_weight(double t) {
  return t / std::sqrt((1.0 - t) * (1.0 - t) + t * t);
}
}  // namespace

torch::Tensor normalize(const torch::Tensor& x, torch::IntArrayRef dims, double eps) {
  return x * normalize_factor(x, dims, eps);
}

namespace {
// Whether autograd records an operation on x.
bool records_gradient(const torch::Tensor& x) {
  return torch::GradMode::is_enabled() && x.requires_grad();
}

// ||x||_2 over dims, kept for broadcasting. Without autograd, sqrt(sum x^2): 10-20x faster
// than linalg_vector_norm when the summed dimension is not the innermost one (channels of
// an activation). With autograd, linalg_vector_norm: its one-pass backward made forward +
// backward faster on the largest activations and on the weights.
torch::Tensor l2_norm(const torch::Tensor& x, torch::IntArrayRef dims) {
  if (records_gradient(x)) return torch::linalg_vector_norm(x, 2, dims, /*keepdim=*/true);
  return x.square().sum(dims, /*keepdim=*/true).sqrt_();
}
}  // namespace

// 1 / (eps + ||x|| / sqrt(N)), shaped to broadcast against x: computed on the small
// tensor of norms so that scaling x costs one pass.
torch::Tensor normalize_factor(const torch::Tensor& x, torch::IntArrayRef dims, double eps) {
  std::int64_t n = 1;
  for (auto d : dims) n *= x.size(d);
  return 1.0 / (l2_norm(x, dims) * (1.0 / std::sqrt(static_cast<double>(n))) + eps);
}

namespace {
std::vector<std::int64_t> all_but_first(const torch::Tensor& w) {
  std::vector<std::int64_t> dims;
  for (std::int64_t d = 1; d < w.dim(); ++d) dims.push_back(d);
  return dims;
}
}  // namespace

torch::Tensor normalize_rows(const torch::Tensor& w) {
  return normalize(w, all_but_first(w));
}

torch::Tensor pixel_norm(const torch::Tensor& x) {
  return normalize(x, {1});
}

torch::Tensor mp_silu(const torch::Tensor& x) {
  return torch::silu(x) * kSiluGain;
}

torch::Tensor mp_sum(const torch::Tensor& a, const torch::Tensor& b, double t) {
  return torch::add(a * skip_weight(t), b, branch_weight(t));
}

torch::Tensor mp_cat(const torch::Tensor& a, const torch::Tensor& b, double t) {
  const double na = static_cast<double>(a.size(1));
  const double nb = static_cast<double>(b.size(1));
  const double c = std::sqrt((na + nb) / ((1.0 - t) * (1.0 - t) + t * t));
  // One pass to concatenate, one to scale each part by its own factor.
  auto scale = torch::cat({torch::full({a.size(1)}, c * (1.0 - t) / std::sqrt(na), a.options()),
                           torch::full({b.size(1)}, c * t / std::sqrt(nb), b.options())});
  return torch::cat({a, b}, 1).mul_(scale.reshape({1, -1, 1}));
}

// Clipping is the identity, with gradient 1, unless an activation exceeds the bound: one
// min/max reduction first saves clamp's pass and its backward mask in the usual case.
torch::Tensor clip(const torch::Tensor& x, double bound) {
  auto [low, high] = torch::aminmax(x);
  if (low.item<double>() >= -bound && high.item<double>() <= bound) return x;
  return torch::clamp(x, -bound, bound);
}

// Strided views and LibTorch's upsampling kernel: avg_pool1d and repeat_interleave took
// 3-15x longer forward and 3-6x longer forward + backward.
torch::Tensor downsample(const torch::Tensor& x) {
  const auto length = x.size(2);
  return (x.slice(2, 0, length, 2) + x.slice(2, 1, length, 2)) * 0.5;  // (x[2i] + x[2i+1]) / 2
}

torch::Tensor upsample(const torch::Tensor& x) {
  const std::array<std::int64_t, 1> length{2 * x.size(2)};
  return torch::upsample_nearest1d(x, length);  // y[i] = x[i / 2]
}

MPConvImpl::MPConvImpl(int in_channels, int out_channels, int kernel, double fixed_gain)
    : kernel_(kernel), fixed_gain_(fixed_gain) {
  auto shape = kernel > 0 ? std::vector<std::int64_t>{out_channels, in_channels, kernel}
                          : std::vector<std::int64_t>{out_channels, in_channels};
  weight = register_parameter("weight", torch::randn(shape));
}

torch::Tensor MPConvImpl::effective_weight() {
  const double scale = fixed_gain_ / std::sqrt(static_cast<double>(weight.numel() / weight.size(0)));
  const auto dims = all_but_first(weight);
  if (is_training()) {
    {
      torch::NoGradGuard no_grad;
      weight.mul_(normalize_factor(weight, dims));
    }
    return weight * (normalize_factor(weight, dims) * scale);
  }
  // Stale when W changed, or when the module moved (to() replaces W with a new tensor on
  // another device or of another dtype).
  const bool stale = !cached_.defined() || cached_version_ != weight._version() ||
                     cached_.device() != weight.device() || cached_.scalar_type() != weight.scalar_type();
  if (stale) {
    torch::NoGradGuard no_grad;
    cached_ = normalize_rows(weight) * scale;
    cached_version_ = weight._version();
    cached_blocked_ = torch::Tensor();
    // oneDNN runs CPU convolutions on weights in its blocked layout, and conv1d reorders
    // them into it on every call (with conv1d's dispatch, ~4 % of the convolution time
    // here). The cached weight is constant, so it is reordered once, as a 2D kernel of
    // unit height.
    if (kernel_ > 0 && cached_.is_cpu() && cached_.scalar_type() == torch::kFloat32 && at::hasMKLDNN()) {
      cached_blocked_ =
          at::mkldnn_reorder_conv2d_weight(cached_.unsqueeze(2).to_mkldnn(), {0, kernel_ / 2},
                                           /*stride=*/{1, 1}, /*dilation=*/{1, 1}, /*groups=*/1);
    }
  }
  return cached_;
}

torch::Tensor MPConvImpl::apply(const torch::Tensor& x, const torch::Tensor& w) const {
  if (kernel_ == 0) return torch::linear(x, w);
  // A blocked weight has no backward: used only where autograd does not record.
  if (!is_training() && cached_blocked_.defined() && !records_gradient(x)) {
    return at::mkldnn_convolution(x.unsqueeze(2), cached_blocked_, /*bias=*/{}, {0, kernel_ / 2},
                                  /*stride=*/{1, 1}, /*dilation=*/{1, 1}, /*groups=*/1)
        .squeeze(2);
  }
  return torch::conv1d(x, w, {}, 1, kernel_ / 2);
}

torch::Tensor MPConvImpl::forward(const torch::Tensor& x, const torch::Tensor& gain) {
  auto y = apply(x, effective_weight());
  return gain.defined() ? y * gain : y;
}

MPFourierImpl::MPFourierImpl(int num_channels) {
  freqs = register_buffer("freqs", torch::randn({num_channels}));
  phases = register_buffer("phases", torch::rand({num_channels}));
}

torch::Tensor MPFourierImpl::forward(const torch::Tensor& c) {
  constexpr double two_pi = 2.0 * std::numbers::pi;
  auto arg = torch::outer(c.to(torch::kFloat32), freqs) + phases.unsqueeze(0);
  return torch::cos(arg * two_pi) * std::numbers::sqrt2;
}

// The constants of mp_silu and of the mp_sum that closes each branch are folded into the
// branch's convolutions (MPConv fixed_gain); forward() says where.
BlockImpl::BlockImpl(const BlockOptions& o) : options_(o) {
  const int res0_in = o.flavor == Flavor::encoder ? o.out_channels : o.in_channels;
  emb_linear = register_module("emb_linear", MPConv(o.emb_channels, o.out_channels, 0));
  conv_res0 = register_module("conv_res0", MPConv(res0_in, o.out_channels, 3, kSiluGain));
  conv_res1 = register_module(
      "conv_res1", MPConv(o.out_channels, o.out_channels, 3, kSiluGain * branch_weight(o.res_balance)));
  if (o.in_channels != o.out_channels)
    conv_skip = register_module("conv_skip", MPConv(o.in_channels, o.out_channels, 1));
  if (o.attention_heads > 0) {
    attn_qkv = register_module("attn_qkv", MPConv(o.out_channels, 3 * o.out_channels, 1));
    attn_proj = register_module("attn_proj",
                                MPConv(o.out_channels, o.out_channels, 1, branch_weight(o.attn_balance)));
  }
  // g_emb = 0 at init: every block starts unmodulated by the noise level.
  emb_gain = register_parameter("emb_gain", torch::zeros({}));
}

torch::Tensor BlockImpl::forward(torch::Tensor x, const torch::Tensor& emb) {
  const auto& o = options_;
  if (o.resample == Resample::down) x = downsample(x);
  if (o.resample == Resample::up) x = upsample(x);
  if (o.flavor == Flavor::encoder) {
    if (conv_skip) x = conv_skip(x);
    x = pixel_norm(x);
  }
  auto y = conv_res0(torch::silu(x));  // conv(mp_silu(x))
  auto modulation = emb_linear(emb, emb_gain).unsqueeze(2) + 1.0;
  y = torch::silu(y * modulation);  // mp_silu(y (1 + g lin(emb))), 1/0.596 in conv_res1
  if (o.dropout > 0.0) y = torch::dropout(y, o.dropout, is_training());
  y = conv_res1(y);  // carries mp_sum's branch weight
  if (o.flavor == Flavor::decoder && conv_skip) x = conv_skip(x);
  x = torch::add(y, x, skip_weight(o.res_balance));  // mp_sum(x, y, res_balance)
  if (o.attention_heads > 0)
    x = torch::add(attention(x), x, skip_weight(o.attn_balance));  // mp_sum(x, attn, attn_balance)
  return clip(x, o.clip_act);
}

// Cosine self-attention over axial positions: q, k, v pixel-normalized per head, so the
// logits q.k/sqrt(c) stay bounded whatever the activations' magnitude.
torch::Tensor BlockImpl::attention(const torch::Tensor& x) {
  const auto batch = x.size(0), length = x.size(2);
  const std::int64_t heads = options_.attention_heads;
  const std::int64_t head_channels = options_.out_channels / heads;
  // unbind, not select: its backward stacks three gradients instead of scattering each
  // into a zero tensor of the full size.
  auto qkv = normalize(attn_qkv(x).reshape({batch, 3, heads, head_channels, length}), {3}).unbind(1);
  const auto& q = qkv[0];
  const auto& k = qkv[1];
  const auto& v = qkv[2];
  auto logits = torch::matmul(q.transpose(-1, -2), k) * (1.0 / std::sqrt(double(head_channels)));
  auto weights = torch::softmax(logits, -1);             // [B, H, Lq, Lk]
  auto y = torch::matmul(v, weights.transpose(-1, -2));  // [B, H, c, Lq]
  return attn_proj(y.reshape({batch, options_.out_channels, length}));
}

}  // namespace hd::edm2
