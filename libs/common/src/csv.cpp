// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/csv.hpp"

#include <charconv>
#include <cmath>
#include <fstream>

#include "hd/common/error.hpp"

namespace hd {
namespace {

bool is_separator(char c) {
  return c == ',' || c == ' ' || c == '\t' || c == '\r';
}

// The numbers of one row; false when a field is not a number.
bool parse_row(const std::string& line, std::vector<double>& values) {
  values.clear();
  const char* p = line.data();
  const char* end = p + line.size();
  while (true) {
    while (p < end && is_separator(*p)) ++p;
    if (p == end) return true;
    // from_chars takes no leading '+'; numbers like "+1e3" appear in hand-written files.
    if (*p == '+') ++p;
    double v = 0.0;
    const auto [next, ec] = std::from_chars(p, end, v);
    if (ec != std::errc() || (next < end && !is_separator(*next))) return false;
    values.push_back(v);
    p = next;
  }
}

}  // namespace

std::vector<std::vector<double>> read_numeric_csv(const std::filesystem::path& file, const CsvOptions& o) {
  std::ifstream in(file);
  if (!in) throw Error(file.string() + ": cannot open " + o.what);
  std::vector<std::vector<double>> columns(o.columns);
  std::string line;
  std::vector<double> values;
  std::size_t line_no = 0;
  const auto fail = [&](const std::string& problem) {
    throw Error(file.string() + ":" + std::to_string(line_no) + ": " + problem);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no <= o.header_lines || line.find_first_not_of(" \t\r,") == std::string::npos) continue;
    if (!parse_row(line, values) || values.size() != o.columns) {
      fail("expected " + std::to_string(o.columns) + " numbers per row in this " + o.what);
    }
    for (double v : values) {
      if (!std::isfinite(v)) fail("non-finite value in " + o.what);
    }
    if (o.increasing_first_column && !columns[0].empty() && values[0] <= columns[0].back()) {
      fail("the first column must increase");
    }
    for (std::size_t c = 0; c < o.columns; ++c) columns[c].push_back(values[c]);
  }
  if (in.bad()) throw Error(file.string() + ": cannot read " + o.what);
  if (columns[0].size() < o.min_rows) {
    throw Error(file.string() + ": " + o.what + " needs at least " + std::to_string(o.min_rows) +
                " rows, has " + std::to_string(columns[0].size()));
  }
  return columns;
}

}  // namespace hd
