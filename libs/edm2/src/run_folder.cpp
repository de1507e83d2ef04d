// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/edm2/run_folder.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string>

namespace hd::edm2 {

namespace fs = std::filesystem;

namespace {
constexpr std::string_view kSnapshotPrefix = "snapshot-", kSnapshotSuffix = ".pt";
}  // namespace

fs::path RunFolder::snapshot(std::int64_t step) const {
  char name[40];
  std::snprintf(name, sizeof name, "snapshot-%010lld.pt", static_cast<long long>(step));
  return snapshot_folder() / name;
}

std::vector<RunFolder::Snapshot> RunFolder::snapshots() const {
  std::vector<Snapshot> found;
  std::error_code ec;
  if (!fs::is_directory(snapshot_folder(), ec)) return found;
  for (const auto& entry : fs::directory_iterator(snapshot_folder())) {
    const std::string name = entry.path().filename().string();
    if (!name.starts_with(kSnapshotPrefix) || !name.ends_with(kSnapshotSuffix)) continue;
    const std::string_view digits(name.data() + kSnapshotPrefix.size(),
                                  name.size() - kSnapshotPrefix.size() - kSnapshotSuffix.size());
    std::int64_t step = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), step);
    if (error != std::errc() || end != digits.data() + digits.size() || step < 0) continue;
    found.push_back({step, entry.path()});
  }
  std::sort(found.begin(), found.end(), [](const Snapshot& a, const Snapshot& b) { return a.step < b.step; });
  return found;
}

}  // namespace hd::edm2
