// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "hd/common/error.hpp"

namespace hd::config {

// Which keys of which table a reader has asked for. Keyed by table address: tables live
// inside the Document's tree, whose nodes never move once parsed (std::map storage).
struct Document::Usage {
  std::map<const toml::table*, std::set<std::string, std::less<>>> used;
  // Paths read with get_path, resolved against the config's folder: the serialized config
  // holds them absolute, so that it runs again from anywhere.
  std::map<const toml::node*, std::string> resolved_paths;
};

namespace {

std::string join_key(const std::string& prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : prefix + "." + std::string(key);
}

// Shortest text that reads back as exactly `v` (TOML has no hexadecimal floats).
std::string format_exact(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  std::string text(buffer, end);
  // A TOML float needs a fraction or an exponent; "3" would read back as an integer.
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::string format_toml(const toml::table& table) {
  std::ostringstream out;
  out << toml::toml_formatter(table, toml::format_flags::indentation |
                                         toml::format_flags::allow_literal_strings |
                                         toml::format_flags::allow_multi_line_strings |
                                         toml::format_flags::allow_real_tabs_in_strings);
  return out.str();
}

std::string describe_range(const Range& r) {
  auto bound = [](double v) {
    return std::isinf(v) ? (v > 0 ? std::string("inf") : std::string("-inf")) : format_number(v);
  };
  if (r.min == std::numeric_limits<double>::min()) return "(0, " + bound(r.max) + "]";
  return "[" + bound(r.min) + ", " + bound(r.max) + "]";
}

std::string type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Location prefix for messages: "file:line" when the node came from a file or a --set
// override, else the document's source.
std::string location(const Document& doc, const toml::node* node) {
  if (node != nullptr && node->source().path && node->source().begin.line > 0) {
    const std::string& path = *node->source().path;
    // An override's line number means nothing: its source is the override itself.
    if (doc.is_override_source(path)) return path;
    return path + ":" + std::to_string(node->source().begin.line);
  }
  return doc.source();
}

std::optional<double> as_double(const toml::node& n) {
  if (auto v = n.as_floating_point()) return v->get();
  if (auto v = n.as_integer()) return static_cast<double>(v->get());
  return std::nullopt;
}

}  // namespace

// ---------------------------------------------------------------- Table

Table::Table(const Document* doc, toml::table* table, std::string path)
    : doc_(doc), table_(table), path_(std::move(path)) {}

std::string Table::key_path(std::string_view key) const {
  return join_key(path_, key);
}

std::set<std::string, std::less<>>& Table::used_keys() const {
  return doc_->usage_->used[table_];
}

std::string Table::where(std::string_view key) const {
  const toml::node* node = table_->get(key);
  return location(*doc_, node ? node : static_cast<const toml::node*>(table_)) + ": " + key_path(key);
}

void Table::fail(std::string_view key, const std::string& problem) const {
  throw Error(where(key) + " " + problem);
}

bool Table::has(std::string_view key) const {
  return table_->contains(key);
}

std::vector<std::string> Table::keys() const {
  std::vector<std::string> out;
  for (auto&& [k, v] : *table_) out.emplace_back(k.str());
  return out;
}

// A required node: marks it used, throws if absent.
static toml::node& require(const Document& doc, toml::table* table, const std::string& path,
                           std::string_view key, std::set<std::string, std::less<>>& used) {
  used.insert(std::string(key));
  toml::node* node = table->get(key);
  if (node == nullptr) {
    throw Error(location(doc, table) + ": missing required key " + join_key(path, key));
  }
  return *node;
}

namespace {

// What is wrong with `v` for `r`, or "" when nothing is.
std::string range_problem(double v, const Range& r) {
  if (!std::isfinite(v)) return "= " + format_number(v) + " is not a finite number";
  if (v < r.min || v > r.max) return "= " + format_number(v) + " is out of range " + describe_range(r);
  return {};
}

}  // namespace

double Table::get_double(std::string_view key, Range range) const {
  const toml::node& n = require(*doc_, table_, path_, key, used_keys());
  auto v = as_double(n);
  if (!v) fail(key, "must be a number, not " + type_name(n.type()));
  if (auto problem = range_problem(*v, range); !problem.empty()) fail(key, problem);
  return *v;
}

long long Table::get_int(std::string_view key, Range range) const {
  const toml::node& n = require(*doc_, table_, path_, key, used_keys());
  auto v = n.as_integer();
  if (!v) fail(key, "must be an integer, not " + type_name(n.type()));
  if (auto problem = range_problem(static_cast<double>(v->get()), range); !problem.empty())
    fail(key, problem);
  return v->get();
}

bool Table::get_bool(std::string_view key) const {
  const toml::node& n = require(*doc_, table_, path_, key, used_keys());
  auto v = n.as_boolean();
  if (!v) fail(key, "must be true or false, not " + type_name(n.type()));
  return v->get();
}

std::string Table::get_string(std::string_view key) const {
  const toml::node& n = require(*doc_, table_, path_, key, used_keys());
  auto v = n.as_string();
  if (!v) fail(key, "must be a string, not " + type_name(n.type()));
  return v->get();
}

namespace {

// Reads an array element by element. `element(node, fail)` turns one element into a value;
// `fail(problem)` reports a problem at that element's own line, named "key[i]".
template <class T, class Element>
std::vector<T> read_array(const Table& t, const toml::node& n, std::string_view key, const char* what,
                          Element element) {
  const toml::array* a = n.as_array();
  if (!a) t.fail(key, std::string("must be an array of ") + what + ", not " + type_name(n.type()));
  std::vector<T> out;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size(); ++i) {
    const toml::node& e = *a->get(i);
    auto fail = [&](const std::string& problem) {
      throw Error(location(t.document(), &e) + ": " + join_key(t.path(), key) + "[" + std::to_string(i) +
                  "] " + problem);
    };
    out.push_back(element(e, fail));
  }
  return out;
}

}  // namespace

std::vector<double> Table::get_doubles(std::string_view key, Range range) const {
  const toml::node& n = require(*doc_, table_, path_, key, used_keys());
  return read_array<double>(*this, n, key, "numbers", [&](const toml::node& e, auto&& fail) {
    auto v = as_double(e);
    if (!v) fail("must be a number, not " + type_name(e.type()));
    if (auto problem = range_problem(*v, range); !problem.empty()) fail(problem);
    return *v;
  });
}

std::vector<long long> Table::get_ints(std::string_view key, Range range) const {
  const toml::node& n = require(*doc_, table_, path_, key, used_keys());
  return read_array<long long>(*this, n, key, "integers", [&](const toml::node& e, auto&& fail) {
    auto v = e.as_integer();
    if (!v) fail("must be an integer, not " + type_name(e.type()));
    if (auto problem = range_problem(static_cast<double>(v->get()), range); !problem.empty()) fail(problem);
    return static_cast<long long>(v->get());
  });
}

std::vector<std::string> Table::get_strings(std::string_view key) const {
  const toml::node& n = require(*doc_, table_, path_, key, used_keys());
  return read_array<std::string>(*this, n, key, "strings", [&](const toml::node& e, auto&& fail) {
    auto v = e.as_string();
    if (!v) fail("must be a string, not " + type_name(e.type()));
    return v->get();
  });
}

std::string Table::get_choice(std::string_view key, const std::vector<std::string>& choices) const {
  std::string v = get_string(key);
  for (const auto& c : choices) {
    if (c == v) return v;
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
  fail(key, "= \"" + v + "\" is not one of: " + list);
}

std::filesystem::path Table::get_path(std::string_view key) const {
  std::filesystem::path p = get_string(key);
  if (p.empty()) fail(key, "must not be empty");
  if (p.is_relative()) p = doc_->base_dir() / p;
  doc_->usage_->resolved_paths[table_->get(key)] = std::filesystem::absolute(p).lexically_normal().string();
  return p;
}

// Optional reads: write the fallback into the tree so the serialized config is complete,
// then read it back through the required path, so defaults pass the same checks.
double Table::get_double_or(std::string_view key, double fallback, Range range) const {
  if (!has(key)) table_->insert(key, fallback);
  return get_double(key, range);
}

long long Table::get_int_or(std::string_view key, long long fallback, Range range) const {
  if (!has(key)) table_->insert(key, static_cast<int64_t>(fallback));
  return get_int(key, range);
}

bool Table::get_bool_or(std::string_view key, bool fallback) const {
  if (!has(key)) table_->insert(key, fallback);
  return get_bool(key);
}

std::string Table::get_string_or(std::string_view key, std::string_view fallback) const {
  if (!has(key)) table_->insert(key, std::string(fallback));
  return get_string(key);
}

namespace {
template <class T>
toml::array to_array(const std::vector<T>& values) {
  toml::array a;
  for (const auto& v : values) {
    if constexpr (std::is_same_v<T, long long>) {
      a.push_back(static_cast<int64_t>(v));
    } else {
      a.push_back(v);
    }
  }
  return a;
}
}  // namespace

std::vector<double> Table::get_doubles_or(std::string_view key, const std::vector<double>& fallback,
                                          Range range) const {
  if (!has(key)) table_->insert(key, to_array(fallback));
  return get_doubles(key, range);
}

std::vector<long long> Table::get_ints_or(std::string_view key, const std::vector<long long>& fallback,
                                          Range range) const {
  if (!has(key)) table_->insert(key, to_array(fallback));
  return get_ints(key, range);
}

std::vector<std::string> Table::get_strings_or(std::string_view key,
                                               const std::vector<std::string>& fallback) const {
  if (!has(key)) table_->insert(key, to_array(fallback));
  return get_strings(key);
}

std::string Table::get_choice_or(std::string_view key, const std::vector<std::string>& choices,
                                 std::string_view fallback) const {
  if (!has(key)) table_->insert(key, std::string(fallback));
  return get_choice(key, choices);
}

std::filesystem::path Table::get_path_or(std::string_view key, const std::filesystem::path& fallback) const {
  if (!has(key)) table_->insert(key, fallback.string());
  return get_path(key);
}

Table Table::table(std::string_view key) const {
  toml::node& n = require(*doc_, table_, path_, key, used_keys());
  toml::table* t = n.as_table();
  if (!t) fail(key, "must be a table, not " + type_name(n.type()));
  return Table(doc_, t, key_path(key));
}

Table Table::table_or_empty(std::string_view key) const {
  if (!has(key)) table_->insert(key, toml::table{});
  return table(key);
}

std::optional<Table> Table::optional_table(std::string_view key) const {
  if (!has(key)) return std::nullopt;
  return table(key);
}

std::vector<Table> Table::tables(std::string_view key) const {
  toml::node& n = require(*doc_, table_, path_, key, used_keys());
  toml::array* a = n.as_array();
  if (!a) fail(key, "must be an array of tables ([[" + key_path(key) + "]]), not " + type_name(n.type()));
  std::vector<Table> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    toml::table* t = a->get(i)->as_table();
    const std::string item = std::string(key) + "[" + std::to_string(i) + "]";
    if (!t) fail(item, "must be a table, not " + type_name(a->get(i)->type()));
    out.push_back(Table(doc_, t, key_path(item)));
  }
  return out;
}

void Table::finish() const {
  const auto& used = used_keys();
  std::vector<std::string> unknown;
  for (auto&& [k, node] : *table_) {
    if (!used.contains(k.str())) {
      unknown.push_back(location(*doc_, &node) + ": unknown key " + key_path(k.str()));
      continue;
    }
    if (toml::table* sub = node.as_table()) {
      Table(doc_, sub, key_path(k.str())).finish();
    } else if (toml::array* arr = node.as_array()) {
      for (std::size_t i = 0; i < arr->size(); ++i) {
        if (toml::table* sub = arr->get(i)->as_table()) {
          Table(doc_, sub, key_path(std::string(k.str()) + "[" + std::to_string(i) + "]")).finish();
        }
      }
    }
  }
  if (unknown.empty()) return;
  std::string known;
  for (const auto& k : used) known += (known.empty() ? "" : ", ") + k;
  std::string message = unknown.front();
  if (unknown.size() > 1) message += " (and " + std::to_string(unknown.size() - 1) + " more)";
  message += known.empty() ? "; this table takes no keys" : "; known keys here: " + known;
  throw Error(message);
}

namespace {

// `copy` is a copy of `original`; paths read with get_path become their absolute form.
void apply_resolved_paths(const toml::table& original, toml::table& copy,
                          const std::map<const toml::node*, std::string>& resolved) {
  for (auto&& [key, node] : original) {
    if (const auto it = resolved.find(&node); it != resolved.end()) {
      copy.insert_or_assign(key.str(), it->second);
    } else if (const toml::table* t = node.as_table()) {
      apply_resolved_paths(*t, *copy.get(key.str())->as_table(), resolved);
    } else if (const toml::array* a = node.as_array()) {
      for (std::size_t i = 0; i < a->size(); ++i)
        if (const toml::table* t = a->get(i)->as_table())
          apply_resolved_paths(*t, *copy.get(key.str())->as_array()->get(i)->as_table(), resolved);
    }
  }
}

}  // namespace

std::string Table::to_toml() const {
  toml::table root;
  toml::table* parent = &root;
  std::string_view rest = path_;
  while (!rest.empty()) {
    const auto dot = rest.find('.');
    const std::string part(rest.substr(0, dot));
    parent = parent->insert_or_assign(part, toml::table{}).first->second.as_table();
    rest = dot == std::string_view::npos ? std::string_view{} : rest.substr(dot + 1);
  }
  *parent = *table_;
  apply_resolved_paths(*table_, *parent, doc_->usage_->resolved_paths);
  return format_toml(root);
}

// ---------------------------------------------------------------- Document

Document::Document() : root_(std::make_unique<toml::table>()), usage_(std::make_unique<Usage>()) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Table Document::root() const {
  return Table(this, root_.get(), "");
}

Document Document::parse(std::string_view text, std::string source,
                         const std::vector<std::string>& overrides) {
  Document doc;
  doc.source_ = source;
  try {
    *doc.root_ = toml::parse(text, std::move(source));
  } catch (const toml::parse_error& e) {
    throw Error(doc.source_ + ":" + std::to_string(e.source().begin.line) +
                ": malformed TOML: " + std::string(e.description()));
  }
  for (const auto& o : overrides) doc.set(o);
  return doc;
}

Document Document::load(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    throw Error(file.string() + ": config file not found");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open config file");
  std::ostringstream text;
  text << in.rdbuf();
  Document doc = parse(text.str(), file.string(), overrides);
  doc.base_dir_ = file.parent_path();
  return doc;
}

void Document::set(std::string_view assignment, std::string_view origin_label) {
  const std::string origin =
      origin_label.empty() ? "--set " + std::string(assignment) : std::string(origin_label);
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    throw Error(origin + ": expected key=value, e.g. --set domain.num_cells=400");
  }
  const std::string key(assignment.substr(0, eq));
  const std::string value(assignment.substr(eq + 1));

  // The value is TOML; a bare word that does not parse is a string, so that
  // `--set model=Mitchner` works without shell-escaped quotes. Either way the value is
  // parsed with the override as its source, so errors about it name the override.
  override_sources_.insert(origin);
  toml::table parsed;
  try {
    parsed = toml::parse("v = " + value, origin);
  } catch (const toml::parse_error&) {
    parsed = toml::parse("v = " + to_toml_value(std::string_view(value)), origin);
  }

  toml::table* table = root_.get();
  std::string_view rest = key;
  std::string walked;
  while (true) {
    const auto dot = rest.find('.');
    std::string part(rest.substr(0, dot));
    // `name[i]` selects table i of an array of tables ([[name]] blocks).
    std::optional<std::size_t> index;
    if (const auto bracket = part.find('['); bracket != std::string::npos) {
      std::size_t i = 0;
      const auto digits = std::string_view(part).substr(bracket + 1);
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), i);
      if (ec != std::errc() || end != digits.data() + digits.size() - 1 || *end != ']')
        throw Error(origin + ": malformed key '" + key + "' (an index is written name[0])");
      index = i;
      part.resize(bracket);
    }
    if (part.empty()) throw Error(origin + ": malformed key '" + key + "'");
    walked = join_key(walked, part);
    if (dot == std::string_view::npos && !index) {
      table->insert_or_assign(part, std::move(*parsed.get("v")));
      return;
    }
    if (dot == std::string_view::npos)
      throw Error(origin + ": " + key + " selects a table; name a key in it");
    toml::node* next = table->get(part);
    if (index) {
      toml::array* array = next != nullptr ? next->as_array() : nullptr;
      if (array == nullptr || *index >= array->size() || !array->get(*index)->is_table())
        throw Error(origin + ": " + walked + " has no table [" + std::to_string(*index) + "]");
      // Appended piecewise: GCC 12 misreads "[" + std::to_string(i) as an overlapping copy.
      walked.append(1, '[').append(std::to_string(*index)).append(1, ']');
      next = array->get(*index);
    } else if (next == nullptr) {
      // A table the override creates is parsed rather than default-constructed, so that it
      // carries the override as its source: an unknown key there names the --set.
      toml::table created = toml::parse("t = {}", origin);
      created.get("t")->as_table()->is_inline(false);
      table->insert(part, std::move(*created.get("t")));
      next = table->get(part);
    }
    if (!next->is_table()) throw Error(origin + ": " + walked + " is not a table");
    table = next->as_table();
    rest = rest.substr(dot + 1);
  }
}

void Document::set(std::string_view key, double value, std::string_view origin) {
  set(std::string(key) + "=" + to_toml_value(value), origin);
}

void Document::set(std::string_view key, const std::vector<double>& values, std::string_view origin) {
  set(std::string(key) + "=" + to_toml_value(values), origin);
}

// A TOML basic string holding `text` exactly.
std::string to_toml_value(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string format_number(double v) {
  std::ostringstream s;
  s.precision(10);
  s << v;
  return s.str();
}

std::string to_toml_value(double value) {
  return format_exact(value);
}

std::string to_toml_value(const std::vector<double>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i) text += (i > 0 ? ", " : "") + format_exact(values[i]);
  return text + "]";
}

std::string to_toml_value(const std::vector<std::string>& values) {
  std::string text = "[";
  for (std::size_t i = 0; i < values.size(); ++i)
    text += (i > 0 ? ", " : "") + to_toml_value(std::string_view(values[i]));
  return text + "]";
}

std::string Document::to_toml() const {
  toml::table copy = *root_;
  apply_resolved_paths(*root_, copy, usage_->resolved_paths);
  return format_toml(copy);
}

}  // namespace hd::config
