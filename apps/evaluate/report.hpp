// SPDX-License-Identifier: GPL-3.0-or-later
// evaluate's report (docs/inverse.md "Evaluation"): report.md with the tables per method,
// metrics.csv and sbc.csv for scripts, and PNG plots (posterior against truth for the first
// cases, SBC rank histograms), all replaced together.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "hd/inverse/evaluation.hpp"

namespace hd::evaluate {

struct MethodResult {
  std::string method;
  std::vector<inverse::CaseScore> cases;  // in case order
  inverse::Summary summary;
};

struct ReportContext {
  std::string model;
  std::string data;
  std::string observation_template;
  std::int64_t samples = 0;
  std::uint64_t seed = 0;
  std::vector<std::string> plot_channels;  // profiles drawn for the first cases and in the SBC plots
  std::int64_t plot_cases = 0;
  std::vector<double> z_m;
  std::vector<std::string> log_channels;  // drawn on a log axis
  std::vector<std::string> notes;
};

void write_report(const std::filesystem::path& out, const ReportContext& context,
                  const std::vector<MethodResult>& results);

}  // namespace hd::evaluate
