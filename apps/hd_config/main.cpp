// SPDX-License-Identifier: GPL-3.0-or-later
// hd_config: validate any of the suite's TOML configs and print the resolved values.
//
//   hd_config check configs/hallsim/landmark_case1.toml [--set simulation.num_cells=400]
//   hd_config check my_run.toml --kind hallsim
//   hd_config show FILE        (parse and apply overrides only, no schema)
//
// The kind (which reader validates the file) is the name of the folder the file is in,
// as in configs/<kind>/, unless --kind says otherwise.
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include "hd/common/app.hpp"
#include "hd/common/error.hpp"

namespace {

// Each kind reads the whole document through its library's typed reader, which throws
// hd::Error on the first problem, then rejects keys nobody read.
using Reader = std::function<void(const hd::config::Table& root)>;

const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> kinds = {};
  return kinds;
}

std::string kind_list() {
  std::string list;
  for (const auto& [name, reader] : readers()) list += (list.empty() ? "" : ", ") + name;
  return list.empty() ? "(none built)" : list;
}

}  // namespace

int main(int argc, char** argv) {
  hd::App app("hd_config", "Validate a hall_diffusion TOML config and print the resolved values");
  auto& cli = app.cli();
  cli.require_subcommand(1);
  std::string kind;
  auto* check =
      cli.add_subcommand("check", "Validate FILE against its kind's schema; print the resolved config");
  check->add_option("--kind", kind, "Config kind (default: the name of FILE's folder)");
  auto* show = cli.add_subcommand("show", "Parse FILE, apply --set overrides, print the result (no schema)");
  std::filesystem::path file;
  for (auto* sub : {check, show}) {
    sub->add_option("file", file, "TOML file")->required();
  }

  return app.run(argc, argv, [&] {
    hd::config::Document doc = hd::config::Document::load(file, app.overrides());
    if (*check) {
      if (kind.empty()) kind = file.parent_path().filename().string();
      const auto it = readers().find(kind);
      if (it == readers().end()) {
        throw hd::Error(file.string() + ": unknown config kind '" + kind +
                        "' (pass --kind; known kinds: " + kind_list() + ")");
      }
      it->second(doc.root());
      doc.root().finish();
    }
    std::cout << doc.to_toml() << "\n";
    return 0;
  });
}
