// SPDX-License-Identifier: GPL-3.0-or-later
// hd_config: validate any of the suite's TOML configs and print the resolved values.
//
//   hd_config check configs/hallsim/landmark_case1.toml [--set domain.num_cells=400]
//   hd_config check my_run.toml --kind hallsim
//   hd_config show FILE        (parse and apply overrides only, no schema)
//
// The kind (which reader validates the file) is the name of the folder the file is in,
// as in configs/<kind>/, unless --kind says otherwise.
#include <functional>
#include <iostream>
#include <map>
#include <string>

#include "hd/app/app.hpp"
#include "hd/common/error.hpp"
#include "hd/hallsim/config.hpp"
#ifdef HD_CONFIG_WITH_TORCH
#include "hd/edm2/model_config.hpp"
#include "hd/edm2/training.hpp"
#endif

namespace {

// Each kind reads the whole document through its library's typed reader (the same code
// the app runs), which throws hd::Error on the first problem and rejects unknown keys.
using Reader = std::function<void(const hd::config::Document& doc)>;

const std::map<std::string, Reader>& readers() {
  static const std::map<std::string, Reader> kinds = {
      {"hallsim", [](const hd::config::Document& doc) { hd::hallsim::read_config(doc.root()); }},
#ifdef HD_CONFIG_WITH_TORCH
      {"model",
       [](const hd::config::Document& doc) { hd::edm2::read_model_config(doc.root().table("model")); }},
      {"train", [](const hd::config::Document& doc) { hd::edm2::read_train_config(doc); }},
#endif
  };
  return kinds;
}

std::string kind_list() {
  std::string list;
  for (const auto& [name, reader] : readers()) list += (list.empty() ? "" : ", ") + name;
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
      it->second(doc);
      doc.root().finish();
    }
    std::cout << doc.to_toml() << "\n";
    return 0;
  });
}
