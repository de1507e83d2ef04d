// SPDX-License-Identifier: GPL-3.0-or-later
#include "report.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "hd/common/atomic_file.hpp"
#include "hd/figures/gnuplot.hpp"

namespace hd::evaluate {

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Ranks 0..S grouped into B bins of equal width (B the largest divisor of S + 1 up to 20),
// so that every bin expects the same count when the posterior is calibrated.
std::vector<double> rank_histogram(const std::vector<std::int64_t>& counts) {
  const auto ranks = static_cast<std::int64_t>(counts.size());
  std::int64_t bins = 1;
  for (std::int64_t b = 1; b <= std::min<std::int64_t>(20, ranks); ++b)
    if (ranks % b == 0) bins = b;
  std::vector<double> histogram(static_cast<std::size_t>(bins), 0.0);
  double total = 0.0;
  for (std::int64_t r = 0; r < ranks; ++r) {
    histogram[static_cast<std::size_t>(r * bins / ranks)] += static_cast<double>(counts[static_cast<std::size_t>(r)]);
    total += static_cast<double>(counts[static_cast<std::size_t>(r)]);
  }
  for (auto& h : histogram) h /= total / static_cast<double>(bins);  // 1 = the uniform expectation
  return histogram;
}

const inverse::QuantitySummary* find(const inverse::Summary& s, const std::string& name) {
  for (const auto& q : s.quantities)
    if (q.name == name) return &q;
  return nullptr;
}

// An optional score: in the Markdown table, or "-"; in the CSV, or empty.
std::string or_dash(const std::optional<double>& v) {
  return v ? fmt::format("{:.2f}", *v) : "-";
}
std::string or_empty(const std::optional<double>& v) {
  return v ? fmt::format("{:.9g}", *v) : "";
}

std::string method_table(const inverse::Summary& s) {
  std::string t =
      "| quantity | units | relative L2 (mean) | relative L2 (median) | 50 % coverage | 90 % coverage | CRPS | "
      "spread-skill | pooled mean bias (sd) | pooled variance ratio |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& q : s.quantities)
    t += fmt::format("| {} | {} | {:.3g} | {:.3g} | {:.3f} ± {:.3f} | {:.3f} ± {:.3f} | {:.3g} | {:.2f} | {} | {} |\n",
                     q.name, q.units, q.relative_l2_mean, q.relative_l2_median, q.coverage_50, q.coverage_50_se,
                     q.coverage_90, q.coverage_90_se, q.crps, q.spread_skill, or_dash(q.pooled_mean_bias),
                     or_dash(q.pooled_variance_ratio));
  return t;
}

void plot_sbc(const std::filesystem::path& folder, const MethodResult& r, const std::vector<std::string>& channels) {
  const std::string name = "sbc_" + r.method;
  std::vector<std::vector<double>> histograms;
  std::vector<std::string> drawn;
  for (const auto& channel : channels)
    if (const auto* q = find(r.summary, channel)) {
      histograms.push_back(rank_histogram(q->rank_counts));
      drawn.push_back(channel);
    }
  if (drawn.empty()) return;
  {
    std::ofstream data(folder / (name + ".dat"));
    data << "# rank_fraction";
    for (const auto& c : drawn) data << " " << c;
    data << "  (count / uniform expectation)\n";
    const std::size_t bins = histograms.front().size();
    for (std::size_t b = 0; b <= bins; ++b) {  // the last row repeats the last bin for `steps`
      data << static_cast<double>(b) / static_cast<double>(bins);
      for (const auto& h : histograms) data << " " << h[std::min(b, bins - 1)];
      data << "\n";
    }
  }
  std::string plot = "plot 1 with lines lc rgb 'gray' dt 2 title 'uniform'";
  for (std::size_t c = 0; c < drawn.size(); ++c)
    plot += fmt::format(", '{}.dat' using 1:{} with steps lw 2 title '{}'", name, c + 2, drawn[c]);
  figures::run_gnuplot(folder, name,
                       "set terminal pngcairo size 900,540 noenhanced\nset output '" + name +
                           ".png'\nset title 'SBC rank histogram, " + r.method +
                           " (flat = calibrated; U = too narrow; hump = too wide)'\nset xlabel 'rank of the truth "
                           "among the samples (fraction)'\nset ylabel 'count / uniform expectation'\nset "
                           "xrange [0:1]\nset yrange [0:*]\nset key top center horizontal\nset grid\n" +
                           plot + "\n");
}

void plot_case(const std::filesystem::path& folder, const ReportContext& context, const std::string& method,
               const inverse::CaseScore& c, std::int64_t index) {
  for (const auto& channel : context.plot_channels) {
    const auto q = std::find_if(c.quantities.begin(), c.quantities.end(),
                                [&](const inverse::QuantityScore& s) { return s.name == channel; });
    if (q == c.quantities.end()) continue;
    const std::size_t length = q->truth.size();
    figures::BandPlot plot{.name = fmt::format("{}_case{}_{}", method, index, channel),
                           .label = channel + " (" + q->units + ")",
                           .title = fmt::format("{}, held-out simulation {} ({} samples)", method, c.simulation,
                                                c.samples),
                           .z_m = context.z_m,
                           .quantiles = {},
                           .truth = q->truth,
                           .observed = {},
                           .log_scale = contains(context.log_channels, channel)};
    for (std::size_t level = 0; level < plot.quantiles.size(); ++level)
      plot.quantiles[level].assign(q->quantiles.begin() + static_cast<std::ptrdiff_t>(level * length),
                                   q->quantiles.begin() + static_cast<std::ptrdiff_t>((level + 1) * length));
    for (const auto& o : c.observed)
      if (o.channel == channel) plot.observed = o.points;
    figures::plot_bands(folder, plot);
  }
}

}  // namespace

void write_report(const std::filesystem::path& out, const ReportContext& context,
                  const std::vector<MethodResult>& results) {
  std::ostringstream md, metrics, sbc;
  const auto cases = results.empty() ? 0 : results.front().cases.size();
  md << "# Posterior calibration on held-out simulations\n\n"
     << "- model: `" << context.model << "`\n- held-out data: `" << context.data << "`, first " << cases
     << " simulations\n- observation template: `" << context.observation_template
     << "` (its positions, noise and known parameters; values synthesized from each simulation)\n"
     << "- posterior samples per case: " << context.samples << ", seed " << context.seed << "\n\n"
     << fmt::format("Coverage: the fraction of true values (every cell of every case) inside the central 50 % "
                    "and 90 % intervals of the samples. With {} samples per case a calibrated posterior covers "
                    "{:.3f} and {:.3f} (level x (S-1)/(S+1): the interval between sample quantiles is narrower "
                    "than the distribution's). ",
                    context.samples, inverse::expected_coverage(0.5, context.samples),
                    inverse::expected_coverage(0.9, context.samples))
     << "± one standard error over cases (the cells of a case are not independent, the cases are). "
     << "Spread-skill: ensemble "
        "spread over the error of the posterior mean, 1 when calibrated, below 1 when overconfident. "
        "CRPS in the quantity's units, lower is better. docs/inverse.md \"Evaluation\" explains each "
        "score.\n\n";
  for (const auto& note : context.notes) md << "Note: " << note << "\n\n";
  metrics << "method,quantity,units,cases,samples,relative_l2_mean,relative_l2_median,coverage_50,coverage_90,crps,"
             "spread_skill,pooled_mean_bias,pooled_variance_ratio,coverage_50_se,coverage_90_se\n";
  sbc << "method,quantity,rank,count\n";
  for (const auto& r : results) {
    const auto& s = r.summary;
    md << "## " << r.method << "\n\n"
       << fmt::format("{:.3g} s per case ({} samples), {:.0f} network evaluations and {:.0f} vector-Jacobian "
                      "products per sample",
                      s.seconds_per_case, context.samples, s.forward_per_sample, s.backward_per_sample);
    if (s.effective_sample_size > 0.0)
      md << fmt::format("; effective sample size of the final weights {:.1f} on average ({})", s.effective_sample_size,
                        r.method == "tds" ? "per population of particles" : "of the prior samples");
    md << ".\n\n" << method_table(s) << "\n";
    if (s.residual_samples && s.residual_truth)
      md << fmt::format(
          "Physics residual ||E + dphi/dz|| / ||E|| (central differences): {:.3g} for the samples (median per "
          "case, mean over cases), {:.3g} for the simulations themselves.\n\n",
          *s.residual_samples, *s.residual_truth);
    md << "![SBC rank histogram](plots/sbc_" << r.method << ".png)\n\n";
    for (std::int64_t k = 0; k < std::min<std::int64_t>(context.plot_cases, static_cast<std::int64_t>(r.cases.size()));
         ++k)
      for (const auto& channel : context.plot_channels)
        md << fmt::format("![{} case {} {}](plots/{}_case{}_{}.png)\n", r.method, k, channel, r.method, k, channel);
    md << "\n";
    for (const auto& q : s.quantities) {
      metrics << fmt::format("{},{},{},{},{},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{:.9g},{},{},{:.9g},{:.9g}\n", r.method,
                             q.name, q.units, q.cases, context.samples, q.relative_l2_mean, q.relative_l2_median,
                             q.coverage_50, q.coverage_90, q.crps, q.spread_skill, or_empty(q.pooled_mean_bias),
                             or_empty(q.pooled_variance_ratio), q.coverage_50_se, q.coverage_90_se);
      for (std::size_t rank = 0; rank < q.rank_counts.size(); ++rank)
        sbc << r.method << "," << q.name << "," << rank << "," << q.rank_counts[rank] << "\n";
    }
  }
  write_folder_atomically(out / "plots", [&](const std::filesystem::path& tmp) {
    for (const auto& r : results) {
      plot_sbc(tmp, r, context.plot_channels);
      for (std::int64_t k = 0;
           k < std::min<std::int64_t>(context.plot_cases, static_cast<std::int64_t>(r.cases.size())); ++k)
        plot_case(tmp, context, r.method, r.cases[static_cast<std::size_t>(k)], k);
    }
  });
  write_text_atomically(out / "metrics.csv", metrics.str());
  write_text_atomically(out / "sbc.csv", sbc.str());
  write_text_atomically(out / "report.md", md.str());
}

}  // namespace hd::evaluate
