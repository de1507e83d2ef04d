// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/sample_config.hpp"

#include <algorithm>

#include "hd/common/error.hpp"

namespace hd::inverse {

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names{"mmps", "dps", "replacement", "sir", "tds", "prior"};
  return names;
}

Method parse_method(const std::string& name) {
  const auto& names = method_names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end())
    throw Error("unknown posterior method '" + name + "' (one of: mmps, dps, replacement, sir, tds, prior)");
  return static_cast<Method>(it - names.begin());
}

const char* method_name(Method method) {
  return method_names()[static_cast<std::size_t>(method)].c_str();
}

SampleConfig read_sample_config(const config::Document& document) {
  using config::Range;
  const auto root = document.root();
  SampleConfig c;
  c.method = parse_method(root.get_choice_or("method", method_names(), "mmps"));
  c.batch_size = root.get_int_or("batch_size", c.batch_size, Range{1, 1e6});
  {
    const auto t = root.table_or_empty("sampler");
    c.integrator = t.get_choice_or("integrator", {"heun", "midpoint", "euler_maruyama"}, c.integrator);
    c.steps = static_cast<int>(t.get_int_or("steps", c.steps, Range{2, 1e6}));
    c.sigma_min = t.get_double_or("sigma_min", c.sigma_min, Range::positive());
    c.sigma_max = t.get_double_or("sigma_max", c.sigma_max, Range::positive());
    if (!(c.sigma_max > c.sigma_min)) t.fail("sigma_max", "must exceed sigma_min");
    c.rho = t.get_double_or("rho", c.rho, Range::positive());
    c.s_churn = t.get_double_or("s_churn", c.s_churn, Range::non_negative());
    c.s_min = t.get_double_or("s_min", c.s_min, Range::non_negative());
    c.s_max = t.get_double_or("s_max", c.s_max, Range::non_negative());
    c.s_noise = t.get_double_or("s_noise", c.s_noise, Range::positive());
    if (c.s_churn > 0.0 && c.integrator == "euler_maruyama")
      t.fail("s_churn", "applies to heun and midpoint; euler_maruyama is stochastic already: set it to 0");
    t.finish();
  }
  {
    const auto t = root.table_or_empty("mmps");
    c.cg_iterations = static_cast<int>(t.get_int_or("cg_iterations", c.cg_iterations, Range{1, 5}));
    t.finish();
  }
  {
    const auto t = root.table_or_empty("dps");
    c.dps_scale = t.get_double_or("scale", c.dps_scale, Range::non_negative());
    c.dps_weighting = t.get_choice_or("weighting", {"constant", "step_variance"}, c.dps_weighting);
    t.finish();
  }
  {
    const auto t = root.table_or_empty("sir");
    c.sir_prior_samples = t.get_int_or("prior_samples", c.sir_prior_samples, Range{1, 1e9});
    c.sir_resampling = t.get_choice_or("resampling", {"systematic", "multinomial"}, c.sir_resampling);
    t.finish();
  }
  {
    const auto t = root.table_or_empty("tds");
    c.tds_particles = static_cast<int>(t.get_int_or("particles", c.tds_particles, Range{1, 4096}));
    c.tds_resample_threshold = t.get_double_or("resample_threshold", c.tds_resample_threshold, Range{0.0, 1.0});
    t.finish();
  }
  {
    const auto t = root.table_or_empty("physics");
    c.channel_area_m2 = t.get_double_or("channel_area_m2", c.channel_area_m2, Range::positive());
    c.ion_mass_kg = t.get_double_or("ion_mass_kg", c.ion_mass_kg, Range::positive());
    t.finish();
  }
  root.finish();
  c.resolved_toml = document.to_toml();
  return c;
}

void check_sample_config(const config::Document& document) {
  read_sample_config(document);
}

}  // namespace hd::inverse
