// SPDX-License-Identifier: GPL-3.0-or-later
// The normalization metadata files (docs/normalization.md), written atomically and read
// back bit-exactly:
//   normalization.json  format, version, target_std and, per group (fields, params,
//                       scalars), a list of {name, mean, std, log, units};
//   <group>.csv         the reference code's table: header Field,Mean,Std,Log, one row
//                       per quantity, 17 significant digits, true/false; no units.
// Reading validates everything (missing keys, wrong types, non-finite numbers, std <= 0,
// repeated names) and reports one line naming the file and the entry.
#pragma once
#include <filesystem>
#include <string_view>

#include "hd/normalize/normalization.hpp"

namespace hd::normalize {

inline constexpr std::string_view kMetadataFormat = "hall_diffusion.normalization/1";

struct Metadata {
  double target_std = 0.5;
  Normalization fields;   // one entry per channel
  Normalization params;   // one entry per sampled parameter
  Normalization scalars;  // one entry per scalar output
};

void write_json(const std::filesystem::path& path, const Metadata& metadata);
Metadata read_json(const std::filesystem::path& path);

void write_csv(const std::filesystem::path& path, const Normalization& normalization);
// Units are not in the CSV: they read back as "".
Normalization read_csv(const std::filesystem::path& path);

}  // namespace hd::normalize
