// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace hd {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  char buf[32];
  if (seconds < 60) {
    std::snprintf(buf, sizeof buf, "%.1fs", seconds);
  } else {
    const auto s = static_cast<long long>(std::llround(seconds));
    if (s < 3600) {
      std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
    } else {
      std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", s / 3600, (s / 60) % 60, s % 60);
    }
  }
  return buf;
}

Progress::Progress(std::string label, std::int64_t total, std::string unit, ProgressOptions options)
    : label_(std::move(label)),
      total_(total),
      unit_(std::move(unit)),
      log_interval_(options.log_interval),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_),
      tty_(isatty(fileno(stderr)) != 0),
      out_(options.quiet ? nullptr : stderr) {}

Progress::~Progress() {
  if (!finished_) finish();
}

void Progress::update(std::int64_t done) {
  if (start_count_ < 0) start_count_ = done;  // a resumed job's rate counts only new work
  done_ = done;
  const auto now = std::chrono::steady_clock::now();
  // A terminal line is cheap to redraw; log lines are not, so they are rate limited harder.
  const auto interval =
      tty_ ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::milliseconds(200))
           : std::chrono::duration_cast<std::chrono::steady_clock::duration>(log_interval_);
  if (now - last_print_ >= interval) {
    last_print_ = now;
    print(false);
  }
}

std::string Progress::status() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double new_work = static_cast<double>(done_ - std::max<std::int64_t>(start_count_, 0));
  const double rate = elapsed > 0 ? new_work / elapsed : 0.0;
  char buf[256];
  const double percent = total_ > 0 ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 0.0;
  const std::string eta =
      rate > 0 && total_ > done_ ? " ETA " + format_duration(static_cast<double>(total_ - done_) / rate) : "";
  const std::string detail = detail_.empty() ? "" : ", " + detail_ + ",";
  std::snprintf(buf, sizeof buf, "%s %lld/%lld %s (%.1f%%)%s %.3g %s/s%s", label_.c_str(),
                static_cast<long long>(done_), static_cast<long long>(total_), unit_.c_str(), percent,
                detail.c_str(), rate, unit_.c_str(), eta.c_str());
  return buf;
}

void Progress::print(bool final_line) {
  if (out_ == nullptr) return;
  if (tty_) {
    std::fprintf(out_, "\r\033[K%s%s", status().c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(out_, "%s\n", status().c_str());
  }
  std::fflush(out_);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  print(true);
}

}  // namespace hd
