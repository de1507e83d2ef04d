// SPDX-License-Identifier: GPL-3.0-or-later
// A family of models that a config selects by name (anomalous transport, wall losses,
// conductivities, rate models, ...). One table lists each model's config name and how to
// read its keys; the accepted names, the error that lists them and the dispatch all come
// from it, so a new model is one struct and one row:
//
//   const hd::config::ModelFamily<WallLoss, Geometry> wall_models{
//       {"none", [](const Table&, const Geometry&) { return WallLoss{NoWallLosses{}}; }},
//       {"wall_sheath", read_wall_sheath}};
//   config.wall_loss = wall_models.read(table, "model", "wall_sheath", geometry);
#pragma once
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "hd/common/config.hpp"

namespace hd::config {

template <class Model, class... Context>
class ModelFamily {
 public:
  using Reader = std::function<Model(const Table&, const Context&...)>;
  struct Entry {
    std::string name;
    Reader read;
  };

  ModelFamily(std::initializer_list<Entry> entries) : entries_(entries) {}

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Entry& e : entries_) out.push_back(e.name);
    return out;
  }

  // Reads the model named by `key` (`fallback` when the key is absent; an empty fallback
  // makes the key required), then the model's own keys from the same table.
  Model read(const Table& table, std::string_view key, std::string_view fallback,
             const Context&... context) const {
    const std::string name =
        fallback.empty() ? table.get_choice(key, names()) : table.get_choice_or(key, names(), fallback);
    for (const Entry& e : entries_) {
      if (e.name == name) return e.read(table, context...);
    }
    table.fail(key, "has no reader");  // unreachable: get_choice accepted only listed names
  }

 private:
  std::vector<Entry> entries_;
};

}  // namespace hd::config
