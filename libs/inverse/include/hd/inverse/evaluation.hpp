// SPDX-License-Identifier: GPL-3.0-or-later
// Calibration of posterior samples against held-out simulations (docs/inverse.md
// "Evaluation"): the scores of one case (posterior samples of one simulation given its
// synthetic measurements), the case files an interrupted evaluation resumes from, and the
// summary over cases per quantity: relative L2 of the posterior mean, coverage of the
// central 50 and 90 % intervals, CRPS, spread-skill ratio, SBC rank histogram, and the
// physics residual E vs -dphi/dz of samples and simulations.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "hd/figures/gnuplot.hpp"
#include "hd/inverse/sample_file.hpp"
#include "hd/inverse/synthetic.hpp"

namespace hd::inverse {

struct QuantityScore {
  std::string name;
  std::string units;
  double relative_l2 = 0.0;  // ||mean - truth|| / ||truth||
  double coverage_50 = 0.0;  // fraction of entries inside the central 50 % interval
  double coverage_90 = 0.0;
  double crps = 0.0;       // fair-ensemble CRPS, physical units, averaged over entries
  double spread_sq = 0.0;  // (S+1)/S x mean ensemble variance
  double error_sq = 0.0;   // mean squared error of the ensemble mean
  std::vector<std::int64_t> ranks;  // [L]: samples below the truth, 0..S
  std::vector<double> truth;        // [L]
  std::vector<double> quantiles;    // [5, L] at kQuantileLevels
  // [L] sample mean and unbiased variance, of ln x for a log quantity (ne, nu_an: their
  // physical-unit moments are those of a few samples decades above the rest).
  std::vector<double> mean;
  std::vector<double> variance;
  bool log_moments = false;
};

struct CaseScore {
  std::int64_t row = 0;         // row of the normalized dataset
  std::int64_t simulation = 0;  // gen_data's index
  std::int64_t samples = 0;     // S
  double seconds = 0.0;
  double forward_per_sample = 0.0;
  double backward_per_sample = 0.0;
  double effective_sample_size = 0.0;  // of the final weights: SIR and TDS only
  std::vector<QuantityScore> quantities;
  // Relative residual ||E + dphi/dz|| / ||E|| (central differences): the median over the
  // samples and the simulation's own (its discretization), when the model has E and phi.
  std::optional<double> residual_samples;
  std::optional<double> residual_truth;
  struct Observed {
    std::string channel;
    std::vector<figures::BandPlot::Point> points;
  };
  std::vector<Observed> observed;  // the synthetic measurements, physical units
};

// The coverage a calibrated posterior shows with S samples: the truth's rank is uniform on
// 0..S, and the central `level` interval between linearly interpolated sample quantiles
// (positions q (S - 1)) spans level (S - 1) of the S + 1 rank slots, so it covers
// level (S - 1)/(S + 1) on average (0.872 for 90 % with 64 samples), not `level`.
double expected_coverage(double level, std::int64_t samples);

// ||E + dphi/dz||_2 / ||E||_2 on the grid z (central differences inside, one-sided at the ends).
double field_residual(const std::vector<double>& E, const std::vector<double>& phi, const std::vector<double>& z_m);

// Scores every profile and scalar of `samples` whose name the truth has.
CaseScore score_case(const PhysicalSamples& samples, const TrueState& truth);

// Case files: JSON, written atomically, so a rerun skips what is done. Reading checks the
// format and names the file.
void write_case(const std::filesystem::path& path, const CaseScore& score);
CaseScore read_case(const std::filesystem::path& path);

struct QuantitySummary {
  std::string name;
  std::string units;
  std::int64_t cases = 0;
  double relative_l2_mean = 0.0;
  double relative_l2_median = 0.0;
  double coverage_50 = 0.0;
  double coverage_90 = 0.0;
  // Standard errors of the two coverages: the standard deviation of the cases' coverages
  // over sqrt(cases). The cells of one case are not independent (a profile is either inside
  // its band or out of it over long stretches), the cases are; 0 with one case.
  double coverage_50_se = 0.0;
  double coverage_90_se = 0.0;
  double crps = 0.0;
  double spread_skill = 0.0;               // sqrt(sum spread_sq / sum error_sq): 1 when calibrated
  std::vector<std::int64_t> rank_counts;  // [S+1] over cases and cells
  // The samples pooled over cases against the truths pooled over cases, per cell: the
  // samples of a calibrated method (and the prior given the known parameters) have the
  // data's distribution there. |mean difference| in truth standard deviations, averaged over
  // cells, and the geometric mean over cells of the variance ratio (law of total variance:
  // mean within-case variance plus the variance of the case means); of ln x for a log
  // quantity. Absent with fewer than 2 cases or case files written before these moments
  // were kept.
  std::optional<double> pooled_mean_bias;
  std::optional<double> pooled_variance_ratio;
};

struct Summary {
  std::vector<QuantitySummary> quantities;
  std::optional<double> residual_samples;  // means over cases
  std::optional<double> residual_truth;
  double seconds_per_case = 0.0;
  double forward_per_sample = 0.0;
  double backward_per_sample = 0.0;
  double effective_sample_size = 0.0;  // mean over cases (SIR, TDS)
};

// Every case must have the same quantities and sample count.
Summary summarize(const std::vector<CaseScore>& cases);

}  // namespace hd::inverse
