// SPDX-License-Identifier: GPL-3.0-or-later
// The reference code's normalization table, so its users can read our statistics and we
// can read theirs. 17 significant digits make every double read back to the same bits.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <set>

#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/normalize/metadata.hpp"

#include "entry_problem.hpp"

namespace hd::normalize {

namespace {

constexpr std::string_view kHeader = "Field,Mean,Std,Log";

std::string number_17(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

std::vector<std::string_view> split(std::string_view line) {
  std::vector<std::string_view> cells;
  for (std::size_t start = 0;;) {
    const std::size_t comma = line.find(',', start);
    cells.push_back(line.substr(start, comma - start));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

}  // namespace

void write_csv(const std::filesystem::path& path, const Normalization& n) {
  validate(n, path.string());
  std::string text = std::string(kHeader) + "\n";
  for (std::size_t i = 0; i < n.size(); ++i) {
    // The format has no quoting, so a name with a separator could not be read back.
    if (n.names[i].find_first_of(",\"\r\n") != std::string::npos) {
      throw Error(path.string() + ": the name \"" + n.names[i] +
                  "\" cannot be written to CSV (it has a comma, quote or newline)");
    }
    text += n.names[i] + "," + number_17(n.mean[i]) + "," + number_17(n.std[i]) + "," +
            (n.log[i] ? "true" : "false") + "\n";
  }
  write_text_atomically(path, text);
}

Normalization read_csv(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open the normalization table (does the file exist?)");
  Normalization n;
  std::set<std::string, std::less<>> seen;
  // Lines written on Windows end in "\r\n".
  const auto next_line = [&in](std::string& line) {
    if (!std::getline(in, line)) return false;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return true;
  };
  std::string line;
  if (!next_line(line) || line != kHeader) {
    throw Error(path.string() + ":1: the header must be " + std::string(kHeader) + ", got \"" + line + "\"");
  }
  for (int number = 2; next_line(line); ++number) {
    if (line.empty()) continue;
    const std::string where = path.string() + ":" + std::to_string(number) + ": ";
    const auto cells = split(line);
    if (cells.size() != 4) {
      throw Error(where + "expected 4 columns (" + std::string(kHeader) + "), got " +
                  std::to_string(cells.size()));
    }
    const std::string name(cells[0]);
    if (name.empty()) throw Error(where + "the Field column is empty");
    if (!seen.insert(name).second) throw Error(where + name + " appears twice");
    double values[2];
    for (int k = 0; k < 2; ++k) {
      const std::string_view cell = cells[1 + k];
      const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), values[k]);
      if (error != std::errc() || end != cell.data() + cell.size()) {
        throw Error(where + (k == 0 ? "Mean" : "Std") + " of " + name + " is \"" + std::string(cell) +
                    "\", not a number");
      }
    }
    if (const std::string problem = entry_problem(values[0], values[1]); !problem.empty()) {
      throw Error(where + name + ": " + problem);
    }
    if (cells[3] != "true" && cells[3] != "false") {
      throw Error(where + "Log of " + name + " is \"" + std::string(cells[3]) + "\", expected true or false");
    }
    n.names.push_back(name);
    n.mean.push_back(values[0]);
    n.std.push_back(values[1]);
    n.log.push_back(cells[3] == "true");
    n.units.emplace_back();
  }
  return n;
}

}  // namespace hd::normalize
