// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/inverse/metrics.hpp"
#include "hd/normalize/statistics.hpp"

namespace hd::inverse {

namespace {

constexpr const char* kCaseFormat = "hall_diffusion.evaluation_case/1";

// Samples [K, length] and the truth [length] as float64 tensors.
std::pair<torch::Tensor, torch::Tensor> tensors(const Quantity& q, const std::vector<double>& truth) {
  auto x = torch::tensor(q.values, torch::kFloat64).view({q.count(), q.length});
  return {x, torch::tensor(truth, torch::kFloat64)};
}

QuantityScore score_quantity(const Quantity& q, const std::vector<double>& truth) {
  const auto [x, y] = tensors(q, truth);
  const auto parts = spread_skill(x, y);
  const auto ranks = sbc_rank(x, y);
  // A log quantity's moments in ln x, where a sample can be zero or negative only if the
  // model produced something unphysical; then the physical moments are kept.
  const bool log_moments = q.log_scale && (x > 0).all().item<bool>() && (y > 0).all().item<bool>();
  const auto m = log_moments ? x.log() : x;
  const auto mean = m.mean(0).contiguous();
  const auto variance = m.size(0) > 1 ? m.var(0).contiguous() : torch::zeros_like(mean);
  return {.name = q.name,
          .units = q.units,
          .relative_l2 = relative_l2(x, y),
          .coverage_50 = interval_coverage(x, y, 0.5),
          .coverage_90 = interval_coverage(x, y, 0.9),
          .crps = crps(x, y),
          .spread_sq = parts.spread_sq,
          .error_sq = parts.error_sq,
          .ranks = {ranks.data_ptr<std::int64_t>(), ranks.data_ptr<std::int64_t>() + ranks.numel()},
          .truth = truth,
          .quantiles = quantiles(q),
          .mean = {mean.data_ptr<double>(), mean.data_ptr<double>() + mean.numel()},
          .variance = {variance.data_ptr<double>(), variance.data_ptr<double>() + variance.numel()},
          .log_moments = log_moments};
}

const Quantity* find(const std::vector<Quantity>& quantities, const std::string& name) {
  for (const auto& q : quantities)
    if (q.name == name) return &q;
  return nullptr;
}

// QuantitySummary's pooled moments of quantity i over the cases (see there).
void pool_moments(const std::vector<CaseScore>& cases, std::size_t i, QuantitySummary& q) {
  const std::size_t length = cases.front().quantities[i].truth.size();
  if (cases.size() < 2) return;
  // Every case's moments in the same space (ln x or x), and the truth in it too.
  const bool log = cases.front().quantities[i].log_moments;
  for (const auto& c : cases)
    if (c.quantities[i].mean.size() != length || c.quantities[i].variance.size() != length ||
        c.quantities[i].log_moments != log)
      return;
  const auto truth = [&](const CaseScore& c, std::size_t j) {
    return log ? std::log(c.quantities[i].truth[j]) : c.quantities[i].truth[j];
  };
  const auto n = static_cast<double>(cases.size());
  double bias = 0.0, log_ratio = 0.0;
  std::size_t cells = 0;
  for (std::size_t j = 0; j < length; ++j) {
    double truth_mean = 0.0, sample_mean = 0.0, within = 0.0;
    for (const auto& c : cases) {
      truth_mean += truth(c, j) / n;
      sample_mean += c.quantities[i].mean[j] / n;
      within += c.quantities[i].variance[j] / n;
    }
    double truth_var = 0.0, between = 0.0;
    for (const auto& c : cases) {
      truth_var += std::pow(truth(c, j) - truth_mean, 2) / (n - 1.0);
      between += std::pow(c.quantities[i].mean[j] - sample_mean, 2) / (n - 1.0);
    }
    if (!(truth_var > 0.0) || !(within + between > 0.0)) continue;  // a cell the data never varies
    bias += std::abs(sample_mean - truth_mean) / std::sqrt(truth_var);
    log_ratio += std::log((within + between) / truth_var);
    ++cells;
  }
  if (cells == 0) return;
  q.pooled_mean_bias = bias / static_cast<double>(cells);
  q.pooled_variance_ratio = std::exp(log_ratio / static_cast<double>(cells));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Standard error of the mean of the values a running accumulator has seen; 0 for one value.
double standard_error(const normalize::Welford& w) {
  return w.count < 2 ? 0.0 : std::sqrt(w.sample_variance() / static_cast<double>(w.count));
}

}  // namespace

double expected_coverage(double level, std::int64_t samples) {
  const auto s = static_cast<double>(samples);
  return level * (s - 1.0) / (s + 1.0);
}

double field_residual(const std::vector<double>& E, const std::vector<double>& phi, const std::vector<double>& z_m) {
  const std::size_t n = z_m.size();
  if (n < 2 || E.size() != n || phi.size() != n) throw Error("the field residual needs E, phi and z of one length >= 2");
  double residual = 0.0, norm = 0.0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t lo = j == 0 ? 0 : j - 1, hi = j + 1 == n ? j : j + 1;
    const double dphi_dz = (phi[hi] - phi[lo]) / (z_m[hi] - z_m[lo]);
    residual += (E[j] + dphi_dz) * (E[j] + dphi_dz);
    norm += E[j] * E[j];
  }
  return std::sqrt(residual / norm);
}

CaseScore score_case(const PhysicalSamples& samples, const TrueState& truth) {
  CaseScore c;
  for (const auto& q : samples.profiles) {
    const auto t = truth.profiles.find(q.name);
    if (t != truth.profiles.end()) c.quantities.push_back(score_quantity(q, t->second));
  }
  for (const auto& q : samples.scalars) {
    const auto t = truth.values.find(q.name);
    if (t != truth.values.end()) c.quantities.push_back(score_quantity(q, {t->second}));
  }
  if (!samples.profiles.empty()) c.samples = samples.profiles.front().count();
  const Quantity* E = find(samples.profiles, "E");
  const Quantity* phi = find(samples.profiles, "phi");
  if (E != nullptr && phi != nullptr && truth.profiles.count("E") && truth.profiles.count("phi")) {
    const auto length = static_cast<std::size_t>(E->length);
    std::vector<double> per_sample;
    for (std::int64_t k = 0; k < E->count(); ++k) {
      const auto from = [&](const Quantity& q) {
        const auto begin = q.values.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(k) * length);
        return std::vector<double>(begin, begin + static_cast<std::ptrdiff_t>(length));
      };
      per_sample.push_back(field_residual(from(*E), from(*phi), samples.z_m));
    }
    c.residual_samples = median(per_sample);
    c.residual_truth = field_residual(truth.profiles.at("E"), truth.profiles.at("phi"), truth.z_m);
  }
  return c;
}

void write_case(const std::filesystem::path& path, const CaseScore& c) {
  nlohmann::json j;
  j["format"] = kCaseFormat;
  j["row"] = c.row;
  j["simulation"] = c.simulation;
  j["samples"] = c.samples;
  j["seconds"] = c.seconds;
  j["forward_per_sample"] = c.forward_per_sample;
  j["backward_per_sample"] = c.backward_per_sample;
  j["effective_sample_size"] = c.effective_sample_size;
  if (c.residual_samples) j["residual_samples"] = *c.residual_samples;
  if (c.residual_truth) j["residual_truth"] = *c.residual_truth;
  for (const auto& q : c.quantities)
    j["quantities"].push_back({{"name", q.name},
                               {"units", q.units},
                               {"relative_l2", q.relative_l2},
                               {"coverage_50", q.coverage_50},
                               {"coverage_90", q.coverage_90},
                               {"crps", q.crps},
                               {"spread_sq", q.spread_sq},
                               {"error_sq", q.error_sq},
                               {"ranks", q.ranks},
                               {"truth", q.truth},
                               {"quantiles", q.quantiles},
                               {"mean", q.mean},
                               {"variance", q.variance},
                               {"log_moments", q.log_moments}});
  for (const auto& o : c.observed) {
    nlohmann::json points = nlohmann::json::array();
    for (const auto& p : o.points) points.push_back({p.z_m, p.value, p.stddev});
    j["observed"].push_back({{"channel", o.channel}, {"points", points}});
  }
  // 17 significant digits: a resumed evaluation summarizes the same numbers.
  write_text_atomically(path, j.dump(1) + "\n");
}

CaseScore read_case(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open the case file");
  try {
    const auto j = nlohmann::json::parse(in);
    if (j.value("format", "") != kCaseFormat)
      throw Error(path.string() + ": not an evaluation case file (format is not " + kCaseFormat + ")");
    CaseScore c;
    c.row = j.at("row").get<std::int64_t>();
    c.simulation = j.at("simulation").get<std::int64_t>();
    c.samples = j.at("samples").get<std::int64_t>();
    c.seconds = j.at("seconds").get<double>();
    c.forward_per_sample = j.at("forward_per_sample").get<double>();
    c.backward_per_sample = j.at("backward_per_sample").get<double>();
    c.effective_sample_size = j.at("effective_sample_size").get<double>();
    if (j.contains("residual_samples")) c.residual_samples = j["residual_samples"].get<double>();
    if (j.contains("residual_truth")) c.residual_truth = j["residual_truth"].get<double>();
    for (const auto& q : j.at("quantities"))
      c.quantities.push_back({.name = q.at("name").get<std::string>(),
                              .units = q.at("units").get<std::string>(),
                              .relative_l2 = q.at("relative_l2").get<double>(),
                              .coverage_50 = q.at("coverage_50").get<double>(),
                              .coverage_90 = q.at("coverage_90").get<double>(),
                              .crps = q.at("crps").get<double>(),
                              .spread_sq = q.at("spread_sq").get<double>(),
                              .error_sq = q.at("error_sq").get<double>(),
                              .ranks = q.at("ranks").get<std::vector<std::int64_t>>(),
                              .truth = q.at("truth").get<std::vector<double>>(),
                              .quantiles = q.at("quantiles").get<std::vector<double>>(),
                              .mean = q.value("mean", std::vector<double>{}),
                              .variance = q.value("variance", std::vector<double>{}),
                              .log_moments = q.value("log_moments", false)});
    if (j.contains("observed"))
      for (const auto& o : j["observed"]) {
        CaseScore::Observed observed{o.at("channel").get<std::string>(), {}};
        for (const auto& p : o.at("points"))
          observed.points.push_back({p.at(0).get<double>(), p.at(1).get<double>(), p.at(2).get<double>()});
        c.observed.push_back(std::move(observed));
      }
    return c;
  } catch (const nlohmann::json::exception& e) {
    throw Error(path.string() + ": damaged case file (" + e.what() + "); delete it to score the case again");
  }
}

Summary summarize(const std::vector<CaseScore>& cases) {
  Summary s;
  if (cases.empty()) return s;
  const auto& first = cases.front();
  const auto n = static_cast<double>(cases.size());
  for (std::size_t i = 0; i < first.quantities.size(); ++i) {
    QuantitySummary q;
    q.name = first.quantities[i].name;
    q.units = first.quantities[i].units;
    q.cases = static_cast<std::int64_t>(cases.size());
    q.rank_counts.assign(static_cast<std::size_t>(first.samples) + 1, 0);
    std::vector<double> l2;
    double spread_sq = 0.0, error_sq = 0.0;
    normalize::Welford coverage_50, coverage_90;  // over cases, for the standard errors
    for (const auto& c : cases) {
      if (c.quantities.size() != first.quantities.size() || c.quantities[i].name != q.name ||
          c.samples != first.samples)
        throw Error("the cases of one evaluation must score the same quantities with the same sample count");
      const auto& score = c.quantities[i];
      l2.push_back(score.relative_l2);
      q.coverage_50 += score.coverage_50 / n;
      q.coverage_90 += score.coverage_90 / n;
      coverage_50.add(score.coverage_50);
      coverage_90.add(score.coverage_90);
      q.crps += score.crps / n;
      spread_sq += score.spread_sq;
      error_sq += score.error_sq;
      for (const auto rank : score.ranks) ++q.rank_counts.at(static_cast<std::size_t>(rank));
    }
    q.coverage_50_se = standard_error(coverage_50);
    q.coverage_90_se = standard_error(coverage_90);
    for (const double v : l2) q.relative_l2_mean += v / n;
    q.relative_l2_median = median(l2);
    q.spread_skill = std::sqrt(spread_sq / error_sq);
    pool_moments(cases, i, q);
    s.quantities.push_back(std::move(q));
  }
  for (const auto& c : cases) {
    s.seconds_per_case += c.seconds / n;
    s.forward_per_sample += c.forward_per_sample / n;
    s.backward_per_sample += c.backward_per_sample / n;
    s.effective_sample_size += c.effective_sample_size / n;
    if (c.residual_samples) s.residual_samples = s.residual_samples.value_or(0.0) + *c.residual_samples / n;
    if (c.residual_truth) s.residual_truth = s.residual_truth.value_or(0.0) + *c.residual_truth / n;
  }
  return s;
}

}  // namespace hd::inverse
