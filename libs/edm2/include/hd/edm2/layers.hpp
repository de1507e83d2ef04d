// SPDX-License-Identifier: GPL-3.0-or-later
// Magnitude-preserving building blocks of EDM2 (Karras et al. 2024, arXiv 2312.02696,
// section 3 and appendix B), in 1D: tensors are [batch, channels, length].
// Each primitive keeps unit-variance inputs at unit variance, so the network needs no
// biases and no group norm.
#pragma once
#include <torch/torch.h>

namespace hd::edm2 {

// normalize(w) = w / (eps + ||w|| / sqrt(N)), per slice along `dim` (eq. 40 area; eps = 1e-4).
torch::Tensor normalize(const torch::Tensor& x, torch::IntArrayRef dims, double eps = 1e-4);
// The factor 1 / (eps + ||x||/sqrt(N)) alone, broadcastable against x.
torch::Tensor normalize_factor(const torch::Tensor& x, torch::IntArrayRef dims, double eps = 1e-4);
// Per output unit: all dimensions but the first (EDM2 weight normalization).
torch::Tensor normalize_rows(const torch::Tensor& w);
// Pixel norm: normalize over channels at every position.
torch::Tensor pixel_norm(const torch::Tensor& x);
// mp_silu(x) = silu(x) / 0.596, the SiLU's output magnitude for unit-normal input.
torch::Tensor mp_silu(const torch::Tensor& x);
// mp_sum(a, b, t) = ((1 - t) a + t b) / sqrt((1 - t)^2 + t^2).
torch::Tensor mp_sum(const torch::Tensor& a, const torch::Tensor& b, double t);
// mp_cat(a, b, t) = cat(a C (1-t)/sqrt(Na), b C t/sqrt(Nb)), C = sqrt((Na+Nb)/((1-t)^2+t^2)).
torch::Tensor mp_cat(const torch::Tensor& a, const torch::Tensor& b, double t);
// clip(x) = clamp(x, -bound, bound): EDM2's guard against activation blow-up.
torch::Tensor clip(const torch::Tensor& x, double bound);
// Down: 2-tap box filter, stride 2. Up: nearest neighbour x2 (magnitude preserving).
torch::Tensor downsample(const torch::Tensor& x);
torch::Tensor upsample(const torch::Tensor& x);

// Magnitude-preserving convolution (kernel > 0) or linear layer (kernel == 0):
// w_hat = normalize(W) * fixed_gain / sqrt(fan_in); y = gain * (w_hat * x).
// `fixed_gain` is a constant of the surrounding equation (1/0.596 of an mp_silu before
// it, the residual weight of an mp_sum after it) folded into the weight: exact by
// linearity, and it saves a pass over the activations.
// Forced weight normalization: in training mode each forward first projects W back onto
// the sphere (under no-grad), so Adam's step is a relative one. In evaluation mode the
// normalized weight is computed once and cached until W changes (W's version counter);
// it is then a constant, so no gradient reaches W in evaluation mode. On CPU it is also
// cached in oneDNN's blocked layout, used wherever autograd does not record.
class MPConvImpl : public torch::nn::Module {
 public:
  MPConvImpl(int in_channels, int out_channels, int kernel, double fixed_gain = 1.0);
  // `gain` (a learned scalar, undefined = 1) scales the output rather than the weight:
  // the same by linearity, and the cached weight stays valid while the gain trains.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& gain = {});
  // The effective weight w_hat (for export and tests).
  torch::Tensor effective_weight();
  int kernel() const { return kernel_; }

  torch::Tensor weight;

 private:
  torch::Tensor apply(const torch::Tensor& x, const torch::Tensor& w) const;
  int kernel_;
  double fixed_gain_;
  torch::Tensor cached_;
  torch::Tensor cached_blocked_;  // cached_ in oneDNN's layout (CPU convolutions), or undefined
  std::int64_t cached_version_ = -1;
};
TORCH_MODULE(MPConv);

// Random Fourier features of a scalar: sqrt(2) cos(2 pi (f c + phi)), f ~ N(0,1),
// phi ~ U(0,1). f and phi are buffers: they are part of the trained model and saved.
class MPFourierImpl : public torch::nn::Module {
 public:
  explicit MPFourierImpl(int num_channels);
  torch::Tensor forward(const torch::Tensor& c);  // [B] -> [B, num_channels]

  torch::Tensor freqs;
  torch::Tensor phases;
};
TORCH_MODULE(MPFourier);

enum class Flavor { encoder, decoder };
enum class Resample { keep, down, up };

struct BlockOptions {
  int in_channels;
  int out_channels;
  int emb_channels;
  Flavor flavor;
  Resample resample = Resample::keep;
  int attention_heads = 0;  // 0 = no self-attention
  double dropout = 0.0;
  double res_balance = 0.3;
  double attn_balance = 0.3;
  double clip_act = 256.0;
};

// EDM2 residual block (paper fig. 21): resample; encoder: 1x1 conv if the width changes,
// pixel norm; residual branch conv3(mp_silu(x)) modulated by (1 + g_emb * lin(emb)),
// mp_silu, dropout, conv3; decoder: 1x1 conv on the skip path; mp_sum; optional cosine
// self-attention; clip.
class BlockImpl : public torch::nn::Module {
 public:
  explicit BlockImpl(const BlockOptions& options);
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& emb);
  int out_channels() const { return options_.out_channels; }

 private:
  torch::Tensor attention(const torch::Tensor& x);
  BlockOptions options_;
  MPConv conv_res0{nullptr}, conv_res1{nullptr}, emb_linear{nullptr};
  MPConv conv_skip{nullptr}, attn_qkv{nullptr}, attn_proj{nullptr};
  torch::Tensor emb_gain;
};
TORCH_MODULE(Block);

}  // namespace hd::edm2
