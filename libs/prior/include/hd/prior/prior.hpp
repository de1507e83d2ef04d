// SPDX-License-Identifier: GPL-3.0-or-later
// The parameter prior of a dataset: a named distribution per simulation parameter, read from
// a `[params.<name>]` table per parameter (docs/prior.md). Simulation k's values depend only
// on (master seed, k, parameter name): not on thread count, shard, restart, visiting order,
// or which other parameters the prior has.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hd/common/config.hpp"
#include "hd/prior/distributions.hpp"

namespace hd::prior {

struct Parameter {
  std::string name;
  Distribution distribution;
};

// Parameters ordered by name (byte order), whatever their order in the file: the column
// order of the dataset's `params` is then a function of the names alone.
struct Prior {
  std::vector<Parameter> parameters;
  std::optional<std::size_t> index_of(std::string_view name) const;
};

// Reads every sub-table of `params` as one parameter (`read_distribution`); other keys of
// those tables (e.g. where gen_data sets the value) are left for the caller's finish().
Prior read_prior(const config::Table& params);

// Stream of parameter `name` for simulation `index`: purpose "prior.params.<name>".
RngStream parameter_stream(std::uint64_t master_seed, std::uint64_t index, std::string_view name);

// The values of simulation `index`, in the prior's order.
std::vector<double> draw_parameters(const Prior& prior, std::uint64_t master_seed, std::uint64_t index);

}  // namespace hd::prior
