// SPDX-License-Identifier: GPL-3.0-or-later
// hd_config: validate any of the suite's TOML configs and print the resolved values.
//
//   hd_config check configs/hallsim/landmark_case1.toml [--set domain.num_cells=400]
//   hd_config check my_run.toml --kind hallsim
//   hd_config show FILE        (parse and apply overrides only, no schema)
//
// The kind (which reader validates the file) is the name of the folder the file is in,
// as in configs/<kind>/, unless --kind says otherwise. The kinds are those the libraries
// registered (config_kinds.hpp); `hd_config kinds` lists them.
#include <algorithm>
#include <iostream>
#include <string>

#include "hd/app/app.hpp"
#include "hd/common/error.hpp"

#include "config_kinds.hpp"

namespace {

std::string kind_list() {
  std::string list;
  for (const auto& kind : config_kinds()) list += (list.empty() ? "" : ", ") + kind.name;
  return list.empty() ? "(none built)" : list;
}

}  // namespace

int main(int argc, char** argv) {
  hd::app::App app("hd_config", "Validate a hall_diffusion TOML config and print the resolved values");
  app.add_overrides_option();
  auto& cli = app.cli();
  cli.require_subcommand(1);
  std::string kind;
  auto* check =
      cli.add_subcommand("check", "Validate FILE against its kind's schema; print the resolved config");
  check->add_option("--kind", kind, "Config kind (default: the name of FILE's folder)");
  auto* show = cli.add_subcommand("show", "Parse FILE, apply --set overrides, print the result (no schema)");
  auto* kinds = cli.add_subcommand("kinds", "List the kinds of config this build can check");
  std::filesystem::path file;
  for (auto* sub : {check, show}) sub->add_option("file", file, "TOML file")->required();

  return app.run(argc, argv, [&] {
    if (*kinds) {
      for (const auto& k : config_kinds()) std::cout << k.name << "\t" << k.description << "\n";
      return 0;
    }
    hd::config::Document doc = hd::config::Document::load(file, app.overrides());
    if (*check) {
      if (kind.empty()) kind = file.parent_path().filename().string();
      const auto& all = config_kinds();
      const auto it =
          std::find_if(all.begin(), all.end(), [&](const ConfigKind& k) { return k.name == kind; });
      if (it == all.end()) {
        throw hd::Error(file.string() + ": unknown config kind '" + kind +
                        "' (pass --kind; known kinds: " + kind_list() + ")");
      }
      // The library's reader reads the whole document (the same code its app runs), throws
      // on the first problem and rejects unknown keys.
      it->check(doc);
      doc.root().finish();
    }
    std::cout << doc.to_toml() << "\n";
    return 0;
  });
}
