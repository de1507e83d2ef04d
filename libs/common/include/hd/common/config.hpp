// SPDX-License-Identifier: GPL-3.0-or-later
// TOML configuration: load a file, apply `--set a.b=value` overrides, read it into typed
// structs with validation, and serialize the resolved result (with defaults filled in)
// back to TOML so that every output file records exactly what ran.
//
// Every read names its key; every error names the file, the line and the key:
//   configs/x.toml:12: simulation.num_cells = 0 is out of range [1, 100000]
// A key that no reader asked for is an error too (`Table::finish`), so a typo never
// silently falls back to a default.
#pragma once

#include <filesystem>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace hd::config {

// Closed interval [min, max] for numeric keys.
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  static Range positive() {
    return {std::numeric_limits<double>::min(), std::numeric_limits<double>::infinity()};
  }
  static Range non_negative() { return {0.0, std::numeric_limits<double>::infinity()}; }
  static Range unit() { return {0.0, 1.0}; }
};

class Document;

// A view of one TOML table inside a Document. Cheap to copy. Reads record which keys were
// used; `finish()` rejects the rest.
class Table {
 public:
  // Required values. Integers are accepted where a double is asked for.
  double get_double(std::string_view key, Range range = {}) const;
  long long get_int(std::string_view key, Range range = {}) const;
  bool get_bool(std::string_view key) const;
  std::string get_string(std::string_view key) const;
  std::vector<double> get_doubles(std::string_view key, Range range = {}) const;
  std::vector<long long> get_ints(std::string_view key, Range range = {}) const;
  std::vector<std::string> get_strings(std::string_view key) const;
  // One of a fixed set of names (model names, modes); the error lists the choices.
  std::string get_choice(std::string_view key, const std::vector<std::string>& choices) const;
  // A path; relative paths are resolved against the config file's folder (and serialized
  // absolute by to_toml(), so that a saved config runs again from anywhere).
  std::filesystem::path get_path(std::string_view key) const;

  // Optional values: when the key is absent, the default is written into the document so
  // that the serialized config shows the value that was used.
  double get_double_or(std::string_view key, double fallback, Range range = {}) const;
  long long get_int_or(std::string_view key, long long fallback, Range range = {}) const;
  bool get_bool_or(std::string_view key, bool fallback) const;
  std::string get_string_or(std::string_view key, std::string_view fallback) const;
  std::vector<double> get_doubles_or(std::string_view key, const std::vector<double>& fallback,
                                     Range range = {}) const;
  std::vector<long long> get_ints_or(std::string_view key, const std::vector<long long>& fallback,
                                     Range range = {}) const;
  std::vector<std::string> get_strings_or(std::string_view key,
                                          const std::vector<std::string>& fallback) const;
  std::string get_choice_or(std::string_view key, const std::vector<std::string>& choices,
                            std::string_view fallback) const;
  std::filesystem::path get_path_or(std::string_view key, const std::filesystem::path& fallback) const;

  bool has(std::string_view key) const;
  // Sub-tables. `table_or_empty` creates the table when absent (all its keys then default).
  Table table(std::string_view key) const;
  Table table_or_empty(std::string_view key) const;
  std::optional<Table> optional_table(std::string_view key) const;
  // Arrays of tables ([[name]] blocks).
  std::vector<Table> tables(std::string_view key) const;
  std::vector<std::string> keys() const;

  // Throws naming every key of this table (and of sub-tables already visited) that no
  // reader asked for.
  void finish() const;

  // "file:line: dotted.key" for messages about a value that parsed but is inconsistent
  // with another one.
  std::string where(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, const std::string& problem) const;

  // This table alone as a TOML document (under its own [dotted.path] header), with the
  // defaults that readers filled in.
  std::string to_toml() const;

  const std::string& path() const { return path_; }  // dotted path of this table, "" for root
  const Document& document() const { return *doc_; }

 private:
  friend class Document;
  Table(const Document* doc, toml::table* table, std::string path);
  std::string key_path(std::string_view key) const;
  std::set<std::string, std::less<>>& used_keys() const;
  const Document* doc_;
  toml::table* table_;
  std::string path_;
};

class Document {
 public:
  // Reads and parses a file; a missing file or malformed TOML is an hd::Error naming it.
  static Document load(const std::filesystem::path& file, const std::vector<std::string>& overrides = {});
  // Parses text; `source` names it in messages (e.g. the HDF5 file it was read back from).
  static Document parse(std::string_view text, std::string source,
                        const std::vector<std::string>& overrides = {});

  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  Table root() const;
  // Applies one `dotted.key=value` override. The value is TOML (`3`, `1e-5`, `"text"`,
  // `[1, 2]`, `true`); a bare word is taken as a string. It replaces an existing value of
  // the same type or adds a new key; either way the reader's checks then apply to it.
  // `name[i]` in the key selects table i of an array of tables ([[name]]). `origin` names
  // the override in messages (default "--set <assignment>").
  void set(std::string_view assignment, std::string_view origin = {});
  // The same for values computed by a program (gen_data's sampled parameters), written
  // with enough digits to read back exactly.
  void set(std::string_view key, double value, std::string_view origin);
  void set(std::string_view key, const std::vector<double>& values, std::string_view origin);

  // The resolved configuration as TOML text: defaults that were used are included, and
  // paths read by get_path are absolute.
  std::string to_toml() const;
  const std::string& source() const { return source_; }
  // Whether a node's source names an override (set()) rather than a file.
  bool is_override_source(const std::string& source) const { return override_sources_.contains(source); }
  const std::filesystem::path& base_dir() const { return base_dir_; }

 private:
  Document();
  friend class Table;
  struct Usage;
  std::unique_ptr<toml::table> root_;
  std::unique_ptr<Usage> usage_;
  std::string source_;
  std::filesystem::path base_dir_;
  std::set<std::string, std::less<>> override_sources_;
};

// A number in messages: 10 significant digits, "inf" for infinity.
std::string format_number(double value);

// TOML text of a value, for programs that write TOML (model descriptions): numbers with
// enough digits to read back exactly, strings quoted and escaped.
std::string to_toml_value(double value);
std::string to_toml_value(std::string_view text);
std::string to_toml_value(const std::vector<double>& values);
std::string to_toml_value(const std::vector<std::string>& values);

}  // namespace hd::config
