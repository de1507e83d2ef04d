// SPDX-License-Identifier: GPL-3.0-or-later
// split_data: divide the ok simulations of a raw dataset into train / val_small / val_large
// (docs/data.md, "Splits"). Writes three files of simulation indices; no data is copied.
//
//   split_data --in raw/ [--seed 0] [--val-small 0.002] [--val-large 0.1]
//   split_data --in raw/ --config configs/data/tiny.toml     the config's [split] table
//   split_data --in raw/ --out elsewhere/                    default: raw/splits/
//   split_data --in raw/ --completed-shards --out part/      the shards gen_data has completed so far
//
// Options given on the command line override the config's [split] table. The result is a
// function of the seed, the fractions and the ok simulations alone, so rerunning it gives
// the same files. Exit status: 0, 1 for bad input or I/O errors, 2 for usage errors.
#include <optional>
#include <string>

#include "hd/app/app.hpp"
#include "hd/app/logging.hpp"
#include "hd/common/error.hpp"
#include "hd/datagen/data_config.hpp"
#include "hd/dataset/split.hpp"

int main(int argc, char** argv) {
  hd::app::App app("split_data", "Split a raw dataset's simulations into train, val_small and val_large");
  app.add_config_option(false);
  app.add_seed_option(0);
  std::filesystem::path raw, out;
  std::optional<double> val_small, val_large;
  bool completed_shards = false;
  auto& cli = app.cli();
  cli.add_option("-i,--in", raw, "Raw dataset folder (gen_data --out)")->required();
  cli.add_option("-o,--out", out, "Folder of the split files (default: IN/splits)");
  cli.add_option("--val-small", val_small, "Fraction of the simulations in val_small (default 0.002)")
      ->check(hd::app::finite_in(0.0, 1.0));
  cli.add_option("--val-large", val_large, "Fraction of the simulations in val_large (default 0.1)")
      ->check(hd::app::finite_in(0.0, 1.0));
  cli.add_flag("--completed-shards", completed_shards,
               "Split the shards gen_data has completed so far instead of requiring it to have finished");

  return app.run(argc, argv, [&] {
    hd::dataset::SplitOptions options;
    if (!app.config_path().empty()) {
      options = hd::datagen::read_data_config(app.load_config()).split;
    } else if (!app.overrides().empty()) {
      throw hd::Error("--set needs --config (the data config whose [split] table it changes)");
    }
    if (app.seed_given()) options.seed = app.seed();
    if (val_small) options.val_small = *val_small;
    if (val_large) options.val_large = *val_large;
    hd::dataset::validate(options, "split_data: --val-small and --val-large");
    if (out.empty()) out = hd::dataset::default_split_folder(raw);

    const auto simulations = hd::dataset::ok_simulations(
        raw, completed_shards ? hd::dataset::RawShards::completed : hd::dataset::RawShards::all);
    const auto splits = hd::dataset::split_simulations(simulations, options);
    hd::dataset::write_simulation_splits(out, splits, options);
    using hd::dataset::Split;
    spdlog::info(
        "split_data: {} ok simulations of {} into {}: train {}, val_small {}, val_large {} (seed {}, "
        "val_small {}, val_large {})",
        simulations.size(), raw.string(), out.string(), splits[Split::train].size(),
        splits[Split::val_small].size(), splits[Split::val_large].size(), options.seed, options.val_small,
        options.val_large);
    for (const Split s : {Split::val_small, Split::val_large})
      if (splits[s].empty())
        spdlog::warn("split_data: {} is empty (too few simulations, or its fraction is 0)",
                     hd::dataset::split_name(s));
    return 0;
  });
}
