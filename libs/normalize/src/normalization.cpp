// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/normalize/normalization.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "hd/common/error.hpp"

#include "entry_problem.hpp"
#include "number_text.hpp"
#include "transform.hpp"

namespace hd::normalize {

double Normalization::forward(std::size_t i, double v) const {
  return (log_or_identity(log[i], v, names[i]) - mean[i]) / std[i];
}

double Normalization::inverse(std::size_t i, double stored) const {
  const double t = stored * std[i] + mean[i];
  return log[i] ? std::exp(t) : t;
}

namespace {

// The cells per quantity of a [C, L] array; a size that is not a multiple of C is a
// caller's layout error.
std::size_t length_of(const Normalization& n, std::size_t values) {
  if (n.size() == 0 || values % n.size() != 0) {
    throw Error("normalization: " + std::to_string(values) + " values do not form [" +
                std::to_string(n.size()) + ", L] for its " + std::to_string(n.size()) + " quantities");
  }
  return values / n.size();
}

template <class F>
void apply(const Normalization& n, std::span<float> values, F&& f) {
  const std::size_t length = length_of(n, values.size());
  for (std::size_t c = 0; c < n.size(); ++c) {
    for (float& v : values.subspan(c * length, length)) v = static_cast<float>(f(c, static_cast<double>(v)));
  }
}

}  // namespace

void Normalization::forward(std::span<float> values) const {
  apply(*this, values, [this](std::size_t c, double v) { return forward(c, v); });
}

void Normalization::inverse(std::span<float> values) const {
  apply(*this, values, [this](std::size_t c, double s) { return inverse(c, s); });
}

std::string entry_problem(double mean, double std) {
  if (!std::isfinite(mean)) return "mean = " + number_text(mean) + " is not finite";
  if (!(std::isfinite(std) && std > 0.0)) return "std = " + number_text(std) + " must be finite and positive";
  return {};
}

void validate(const Normalization& n, const std::string& context) {
  const std::size_t size = n.size();
  if (n.mean.size() != size || n.std.size() != size || n.log.size() != size || n.units.size() != size) {
    throw Error(context + ": " + std::to_string(size) + " names but " + std::to_string(n.mean.size()) +
                " means, " + std::to_string(n.std.size()) + " stds, " + std::to_string(n.log.size()) +
                " log flags and " + std::to_string(n.units.size()) + " units");
  }
  std::set<std::string, std::less<>> seen;
  for (std::size_t i = 0; i < size; ++i) {
    const std::string entry = context + ": entry " + std::to_string(i);
    if (n.names[i].empty()) throw Error(entry + " has an empty name");
    const std::string named = entry + " (" + n.names[i] + ")";
    if (!seen.insert(n.names[i]).second) throw Error(named + " repeats the name " + n.names[i]);
    if (const std::string problem = entry_problem(n.mean[i], n.std[i]); !problem.empty()) {
      throw Error(named + ": " + problem);
    }
  }
}

const std::vector<std::string>& default_log_quantities() {
  static const std::vector<std::string> names{"B",        "nu_e",
                                              "nu_an",    "nn",
                                              "ne",       "ni_1",
                                              "ni_2",     "ni_3",
                                              "pe",       "discharge_current_a",
                                              "thrust_n", "background_pressure_torr"};
  return names;
}

bool is_log_by_default(std::string_view name) {
  const auto& names = default_log_quantities();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace hd::normalize
