// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/unet.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace hd::edm2 {

namespace {
bool contains(const std::vector<int>& values, int value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}
}  // namespace

void UNetImpl::add_encoder(const std::string& name, const BlockOptions& options) {
  encoder_.push_back(register_module(name, Block(options)));
}

void UNetImpl::add_decoder(const std::string& name, const BlockOptions& options, bool takes_skip) {
  decoder_.push_back({register_module(name, Block(options)), takes_skip});
}

// Reads top to bottom as the architecture diagram (EDM2 fig. 21, 1D).
UNetImpl::UNetImpl(const ModelConfig& c) : config_(c) {
  std::vector<int> widths;
  for (int m : c.channel_mult) widths.push_back(c.base_channels * m);
  const int noise_channels = widths.front();
  const int emb_channels = *std::max_element(widths.begin(), widths.end());
  const int levels = static_cast<int>(widths.size());
  auto heads_at = [&](int resolution, int width, bool forced = false) {
    // As many heads of channels_per_head as fit, at least one.
    if (!forced && !contains(c.attention_resolutions, resolution)) return 0;
    return std::max(1, width / c.channels_per_head);
  };
  auto options = [&](int in, int out, Flavor flavor, Resample resample, int heads) {
    return BlockOptions{in,    out,       emb_channels,  flavor,         resample,
                        heads, c.dropout, c.res_balance, c.attn_balance, c.clip_act};
  };

  // Embedding: mp_silu(mp_sum(lin(Fourier(c_noise)), lin(labels sqrt(n)), 0.5)).
  emb_fourier = register_module("emb_fourier", MPFourier(noise_channels));
  emb_noise = register_module("emb_noise", MPConv(noise_channels, emb_channels, 0));
  if (c.label_dim > 0) emb_label = register_module("emb_label", MPConv(c.label_features(), emb_channels, 0));

  // Encoder: stem conv (input + ones channel), then per level [down], num_blocks blocks.
  std::vector<int> skip_widths;
  int width = widths.front();
  stem = register_module("enc_stem", MPConv(c.image_channels() + 1, width, 3));
  skip_widths.push_back(width);
  for (int level = 0; level < levels; ++level) {
    const int resolution = c.length >> level;
    const std::string prefix = "enc" + std::to_string(resolution) + "_";
    if (level > 0) {
      add_encoder(prefix + "down", options(width, width, Flavor::encoder, Resample::down, 0));
      skip_widths.push_back(width);
    }
    for (int i = 0; i < c.num_blocks; ++i) {
      add_encoder(prefix + "block" + std::to_string(i),
                  options(width, widths[level], Flavor::encoder, Resample::keep,
                          heads_at(resolution, widths[level])));
      width = widths[level];
      skip_widths.push_back(width);
    }
  }

  // Decoder: bottleneck in0 (always attention) and in1, or an up block; then
  // num_blocks + 1 blocks each fed mp_cat(x, skip).
  for (int level = levels - 1; level >= 0; --level) {
    const int resolution = c.length >> level;
    const std::string prefix = "dec" + std::to_string(resolution) + "_";
    if (level == levels - 1) {
      add_decoder(prefix + "in0",
                  options(width, width, Flavor::decoder, Resample::keep, heads_at(resolution, width, true)),
                  false);
      add_decoder(prefix + "in1", options(width, width, Flavor::decoder, Resample::keep, 0), false);
    } else {
      add_decoder(prefix + "up", options(width, width, Flavor::decoder, Resample::up, 0), false);
    }
    for (int i = 0; i <= c.num_blocks; ++i) {
      const int in = width + skip_widths.back();
      skip_widths.pop_back();
      add_decoder(
          prefix + "block" + std::to_string(i),
          options(in, widths[level], Flavor::decoder, Resample::keep, heads_at(resolution, widths[level])),
          true);
      width = widths[level];
    }
  }

  // Output conv with a learned gain initialised to 0, so that D = c_skip x at init.
  out_conv = register_module("out_conv", MPConv(width, c.image_channels(), 3));
  out_gain = register_parameter("out_gain", torch::zeros({}));
}

torch::Tensor UNetImpl::forward(const torch::Tensor& x_in, const torch::Tensor& c_noise,
                                const torch::Tensor& labels) {
  auto emb = emb_noise(emb_fourier(c_noise));
  if (emb_label) {
    const double scale = std::sqrt(static_cast<double>(labels.size(1)));
    emb = mp_sum(emb, emb_label(labels * scale), config_.label_balance);
  }
  emb = mp_silu(emb);

  auto x = stem(torch::cat({x_in, torch::ones_like(x_in.narrow(1, 0, 1))}, 1));
  std::vector<torch::Tensor> skips{x};
  for (auto& block : encoder_) {
    x = block(x, emb);
    skips.push_back(x);
  }
  for (auto& stage : decoder_) {
    if (stage.takes_skip) {
      x = mp_cat(x, skips.back(), config_.concat_balance);
      skips.pop_back();
    }
    x = stage.block(x, emb);
  }
  return out_conv(x, out_gain);
}

PrecondImpl::PrecondImpl(const ModelConfig& config) : config_(config) {
  net = register_module("net", UNet(config));
  logvar_fourier = register_module("logvar_fourier", MPFourier(config.logvar_channels));
  logvar_linear = register_module("logvar_linear", MPConv(config.logvar_channels, 1, 0));
}

torch::Tensor PrecondImpl::forward(const torch::Tensor& x, const torch::Tensor& sigma,
                                   const torch::Tensor& labels) {
  const double sd = config_.sigma_data;
  auto s = sigma.to(torch::kFloat32).reshape({-1, 1, 1});
  auto s2 = s * s + sd * sd;
  auto c_skip = (sd * sd) / s2;
  auto c_out = s * sd * torch::rsqrt(s2);
  auto c_in = torch::rsqrt(s2);
  auto c_noise = torch::log(sigma.to(torch::kFloat32)) * 0.25;
  auto f = net(c_in * x, c_noise, labels);
  return c_skip * x + c_out * f;
}

torch::Tensor PrecondImpl::logvar(const torch::Tensor& sigma) {
  auto c_noise = torch::log(sigma.to(torch::kFloat32)) * 0.25;
  return logvar_linear(logvar_fourier(c_noise)).reshape({-1});
}

torch::Tensor label_features(const ModelConfig& config, const torch::Tensor& params,
                             const torch::Tensor& mask) {
  if (config.label_dim == 0) return {};
  if (!config.label_mask) return params;
  auto known = mask.defined() ? mask : torch::ones_like(params);
  auto values = params.defined() ? params * known : torch::zeros_like(known);
  return torch::cat({values, known}, 1);
}

torch::Tensor model_image(const ModelConfig& config, const torch::Tensor& fields,
                          const torch::Tensor& params) {
  if (!config.joint_labels) return fields;
  auto constant = params.unsqueeze(2).expand({-1, -1, fields.size(2)});
  return torch::cat({fields, constant}, 1);
}

std::int64_t parameter_count(torch::nn::Module& module) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace hd::edm2
