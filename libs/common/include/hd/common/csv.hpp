// SPDX-License-Identifier: GPL-3.0-or-later
// Numeric tables in text files (rate tables, magnetic field profiles, reference curves,
// anomalous-transport profiles): rows of numbers separated by commas or whitespace.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace hd {

struct CsvOptions {
  std::size_t columns = 2;              // numbers per row, exactly
  std::size_t header_lines = 0;         // lines skipped before the data
  std::size_t min_rows = 2;             // fewer rows is an error
  bool increasing_first_column = true;  // the abscissa of a table must increase strictly
  std::string what = "table";           // what the file is, in messages ("magnetic field file")
};

// The table's columns (columns[c][row]). Blank lines are skipped. A missing file, a row
// with another number of values, a non-numeric or non-finite value, a first column that
// does not increase, or too few rows is an hd::Error naming the file and line.
std::vector<std::vector<double>> read_numeric_csv(const std::filesystem::path& file,
                                                  const CsvOptions& options);

}  // namespace hd
