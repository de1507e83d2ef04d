// SPDX-License-Identifier: GPL-3.0-or-later
// Observation files: what was measured on a thruster, in TOML (docs/inverse.md
// "Observation files"), compatible with the reference code's files as they are:
//
//   stddev = 0.025                  # default noise std, normalized units (the reference's use)
//   base_sim = "..."                # the reference code's own path: ignored, with a note
//   [params]                        # known operating point, physical units, by label name
//   discharge_voltage_v = 300.0
//   [fields.ui_1]                   # a profile channel of the model
//   x = [0.017, ...]                # axial positions (m), or "all" for every cell centre
//   y = [508.8, ...]                # values
//   stddev = 500.0                  # one, or one per value
//   error_type = "absolute"         # or "relative" (stddev is then a fraction of |y|)
//   normalized = false              # true: y and stddev are in the model's normalized units
//   [scalars.discharge_current_a]   # a scalar measurement, physical units
//   value = 4.24
//   stddev = 0.1
//
// Reading checks everything that needs no model (numbers finite, noise positive, x and y
// of one length, positions downstream of the anode); whether the names and positions fit a
// model is checked where the file meets one (hd/inverse/model_space.hpp). Torch-free, so
// that `hd_config check` reads observation files in any build.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "hd/common/config.hpp"

namespace hd::inverse {

enum class ErrorType {
  absolute,  // stddev in the value's units
  relative,  // stddev as a fraction of |y|, physical values only
};

struct FieldMeasurement {
  std::string channel;         // profile name (docs/formats.md), e.g. "ui_1"
  std::vector<double> x_m;     // axial positions (m); empty when all_cells
  bool all_cells = false;      // x = "all": y holds one value per cell centre of the model
  std::vector<double> y;       // physical units, or normalized when `normalized`
  std::vector<double> stddev;  // one per value of y
  ErrorType error_type = ErrorType::absolute;
  bool normalized = false;         // y is in the model's normalized units
  bool stddev_normalized = false;  // stddev is in normalized units (normalized, or the file default)
  std::string origin;              // "file:line: fields.ui_1", for messages
  std::string x_origin;            // "file:line: fields.ui_1.x"
};

struct ScalarMeasurement {
  std::string name;  // e.g. discharge_current_a, thrust_n, or a label the model generates
  double value = 0.0;
  double stddev = 0.0;
  std::string origin;  // "file:line: scalars.discharge_current_a"
};

struct KnownParameter {
  std::string name;  // a label of the model, e.g. discharge_voltage_v
  double value = 0.0;
  std::string origin;  // "file:line: params.discharge_voltage_v"
};

struct ObservationFile {
  std::filesystem::path source;
  std::string text;  // the file as written (comments included)
  std::vector<KnownParameter> params;
  std::vector<FieldMeasurement> fields;
  std::vector<ScalarMeasurement> scalars;
  std::vector<std::string> notes;  // what was read differently from how it is written, for the log
};

// Reads an observation file; every problem is a one-line hd::Error naming the file, the
// line and the key, and unknown keys are errors.
ObservationFile read_observation_file(const config::Document& document);
ObservationFile load_observation_file(const std::filesystem::path& file);

// hd_config's check of an observation file (kind "observations").
void check_observation_file(const config::Document& document);

}  // namespace hd::inverse
