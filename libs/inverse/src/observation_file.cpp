// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/inverse/observation_file.hpp"

#include <fstream>
#include <sstream>

#include "hd/common/error.hpp"

namespace hd::inverse {

namespace {

using config::Range;
using config::Table;

// A number or an array of numbers, each checked against `range`. hd::config::Table reads
// one type per key, so the array read is tried first and a value that is not an array is
// read again as a number (its own error, e.g. "= 0 is out of range", is the one to show).
std::vector<double> number_or_numbers(const Table& t, std::string_view key, Range range) {
  try {
    return t.get_doubles(key, range);
  } catch (const Error& array_error) {
    if (std::string(array_error.what()).find(t.where(key) + " must be an array") == std::string::npos) throw;
  }
  return {t.get_double(key, range)};
}

// x = "all" (every cell centre of the model) or an array of positions in metres.
bool reads_all_cells(const Table& t) {
  std::string word;
  try {
    word = t.get_string("x");
  } catch (const Error&) {
    return false;  // not a string: read as positions
  }
  if (word != "all")
    t.fail("x", "= \"" + word + "\": give positions in metres, or \"all\" for every cell centre");
  return true;
}

FieldMeasurement read_field(const Table& fields, const std::string& channel, double default_stddev,
                            bool has_default) {
  const Table t = fields.table(channel);
  FieldMeasurement f;
  f.channel = channel;
  f.origin = fields.where(channel);
  f.x_origin = t.where("x");
  f.all_cells = reads_all_cells(t);
  // Positions downstream of the anode; the model's grid decides the rest.
  if (!f.all_cells) f.x_m = t.get_doubles("x", Range::non_negative());
  f.y = t.get_doubles("y");
  if (f.y.empty()) t.fail("y", "is empty: give at least one value");
  if (!f.all_cells && f.x_m.size() != f.y.size())
    t.fail("y", "has " + std::to_string(f.y.size()) + " values but x has " + std::to_string(f.x_m.size()) +
                    " positions: give one value per position");
  f.normalized = t.get_bool_or("normalized", false);
  f.error_type = t.get_choice_or("error_type", {"absolute", "relative"}, "absolute") == "relative"
                     ? ErrorType::relative
                     : ErrorType::absolute;
  if (f.error_type == ErrorType::relative && f.normalized)
    t.fail("error_type", "= \"relative\" needs values in physical units (normalized = false)");
  if (t.has("stddev")) {
    f.stddev = number_or_numbers(t, "stddev", Range::positive());
    f.stddev_normalized = f.normalized;
  } else if (has_default) {
    if (f.error_type == ErrorType::relative)
      t.fail("error_type",
             "= \"relative\" needs the field's own stddev (the file's default stddev is absolute)");
    f.stddev = {default_stddev};
    f.stddev_normalized = true;
  } else {
    t.finish();  // a misspelled stddev is the likelier mistake: name it
    t.fail("stddev", "is missing: give the noise std of " + channel + " here or a top-level stddev");
  }
  if (f.stddev.size() == 1) f.stddev.assign(f.y.size(), f.stddev.front());
  if (f.stddev.size() != f.y.size())
    t.fail("stddev", "has " + std::to_string(f.stddev.size()) + " values but y has " +
                         std::to_string(f.y.size()) + ": give one stddev, or one per value");
  return f;
}

}  // namespace

ObservationFile read_observation_file(const config::Document& document) {
  const Table root = document.root();
  ObservationFile o;
  o.source = document.source();
  o.text = document.to_toml();
  if (root.has("base_sim"))
    o.notes.push_back(root.where("base_sim") + " = \"" + root.get_string("base_sim") +
                      "\" is ignored: it names the reference code's own simulation, and every value "
                      "sampled here comes from the model and this file");
  const bool has_default = root.has("stddev");
  const double default_stddev = has_default ? root.get_double("stddev", Range::positive()) : 0.0;

  if (const auto params = root.optional_table("params"))
    for (const auto& name : params->keys())
      o.params.push_back({name, params->get_double(name), params->where(name)});
  if (const auto fields = root.optional_table("fields")) {
    for (const auto& channel : fields->keys()) {
      o.fields.push_back(read_field(*fields, channel, default_stddev, has_default));
      if (o.fields.back().stddev_normalized && !o.fields.back().normalized)
        o.notes.push_back(o.fields.back().origin + ": no stddev of its own: the file's default stddev " +
                          config::format_number(default_stddev) +
                          " is taken in normalized units, as the reference code does");
    }
  }
  if (const auto scalars = root.optional_table("scalars")) {
    for (const auto& name : scalars->keys()) {
      const Table t = scalars->table(name);
      o.scalars.push_back(
          {name, t.get_double("value"), t.get_double("stddev", Range::positive()), scalars->where(name)});
    }
  }
  if (has_default && o.fields.empty())
    o.notes.push_back(root.where("stddev") + " is unused: no [fields] table takes its default");
  root.finish();
  return o;
}

ObservationFile load_observation_file(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec))
    throw Error(file.string() + ": observation file not found");
  auto o = read_observation_file(config::Document::load(file));
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  o.text = text.str();
  return o;
}

void check_observation_file(const config::Document& document) {
  read_observation_file(document);
}

}  // namespace hd::inverse
