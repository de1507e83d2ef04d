// SPDX-License-Identifier: GPL-3.0-or-later
// normalization.json. nlohmann writes each double as its shortest decimal form that reads
// back to the same bits, so the file round-trips exactly and stays readable.
#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "hd/common/version.hpp"
#include "hd/common/atomic_file.hpp"
#include "hd/common/error.hpp"
#include "hd/normalize/metadata.hpp"

#include "number_text.hpp"

namespace hd::normalize {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kGroups[] = {"fields", "params", "scalars"};

template <class M>
auto& group_of(M& m, std::string_view name) {
  return name == "fields" ? m.fields : name == "params" ? m.params : m.scalars;
}

Json entries(const Normalization& n) {
  Json list = Json::array();
  for (std::size_t i = 0; i < n.size(); ++i) {
    list.push_back({{"name", n.names[i]},
                    {"mean", n.mean[i]},
                    {"std", n.std[i]},
                    {"log", bool(n.log[i])},
                    {"units", n.units[i]}});
  }
  return list;
}

// Reads members with type checks; every failure names the file and the entry.
class Reader {
 public:
  explicit Reader(const std::filesystem::path& path) : path_(path.string()) {}

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw Error(path_ + ": " + where + problem);
  }

  const Json& member(const Json& object, const char* key, Json::value_t kind,
                     const std::string& where) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(where, "has no `" + std::string(key) + "`");
    const bool number_wanted = kind == Json::value_t::number_float;
    if (number_wanted ? !it->is_number() : it->type() != kind) {
      std::string problem = "`";
      problem.append(key).append("` must be of type ").append(Json(kind).type_name());
      fail(where, problem.append(", not ").append(it->type_name()));
    }
    return *it;
  }

  Normalization group(const Json& root, const char* name) const {
    const Json& list = member(root, name, Json::value_t::array, "");
    Normalization n;
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string where = std::string(name) + "[" + std::to_string(i) + "] ";
      if (!list[i].is_object()) fail(where, "must be an object {name, mean, std, log, units}");
      n.names.push_back(member(list[i], "name", Json::value_t::string, where).get<std::string>());
      n.mean.push_back(member(list[i], "mean", Json::value_t::number_float, where).get<double>());
      n.std.push_back(member(list[i], "std", Json::value_t::number_float, where).get<double>());
      n.log.push_back(member(list[i], "log", Json::value_t::boolean, where).get<bool>());
      n.units.push_back(member(list[i], "units", Json::value_t::string, where).get<std::string>());
    }
    validate(n, path_ + ": " + name);
    return n;
  }

 private:
  std::string path_;
};

}  // namespace

void write_json(const std::filesystem::path& path, const Metadata& m) {
  if (!(std::isfinite(m.target_std) && m.target_std > 0.0)) {
    throw Error(path.string() + ": target_std = " + number_text(m.target_std) +
                " must be finite and positive");
  }
  Json root = {{"format", kMetadataFormat}, {"version", hd::version()}, {"target_std", m.target_std}};
  for (const char* name : kGroups) {
    const Normalization& n = group_of(m, name);
    validate(n, path.string() + ": " + name);
    root[name] = entries(n);
  }
  write_text_atomically(path, root.dump(2) + "\n");
}

Metadata read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw Error(path.string() + ": cannot open the normalization metadata (does the file exist?)");
  std::stringstream text;
  text << in.rdbuf();
  Json root;
  try {
    root = Json::parse(text.str());
  } catch (const Json::parse_error& e) {
    throw Error(path.string() + ": not valid JSON (" + e.what() + ")");
  }
  const Reader reader(path);
  if (!root.is_object()) reader.fail("", "must hold a JSON object");
  const std::string format = reader.member(root, "format", Json::value_t::string, "").get<std::string>();
  if (format != kMetadataFormat) {
    reader.fail("", "format is \"" + format + "\", expected \"" + std::string(kMetadataFormat) + "\"");
  }
  Metadata m;
  m.target_std = reader.member(root, "target_std", Json::value_t::number_float, "").get<double>();
  if (!(std::isfinite(m.target_std) && m.target_std > 0.0)) {
    reader.fail("", "target_std = " + number_text(m.target_std) + " must be finite and positive");
  }
  for (const char* name : kGroups) group_of(m, name) = reader.group(root, name);
  return m;
}

}  // namespace hd::normalize
