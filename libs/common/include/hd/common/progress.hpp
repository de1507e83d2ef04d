// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace hd {

// Progress of a long job with a known total: count, rate and ETA. On a terminal it redraws
// one status line; otherwise (logs, CI) it writes a plain line every `log_interval`.
// Not thread-safe: one owner calls update().
struct ProgressOptions {
  std::chrono::seconds log_interval{30};  // between plain lines when stderr is not a terminal
  bool quiet = false;                     // print nothing (an app's --quiet)
};

class Progress {
 public:
  Progress(std::string label, std::int64_t total, std::string unit = "it", ProgressOptions options = {});
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  // Sets the absolute count done so far (resumed jobs start above zero).
  void update(std::int64_t done);
  void advance(std::int64_t n = 1) { update(done_ + n); }
  // Extra words after the count, e.g. "3 failed"; shown from the next line drawn.
  void set_detail(std::string detail) { detail_ = std::move(detail); }
  // Prints the final line (also done by the destructor if not called).
  void finish();

  // The status text without terminal control codes, e.g.
  // "train 1200/5000 steps (24.0%) 3.10 steps/s ETA 20m25s", with the detail after the
  // percentage when there is one.
  std::string status() const;

 private:
  void print(bool final_line);
  std::string label_;
  std::int64_t total_;
  std::string unit_;
  std::string detail_;
  std::chrono::seconds log_interval_;
  std::int64_t done_ = 0;
  std::int64_t start_count_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  bool tty_;
  bool finished_ = false;
  std::FILE* out_;
};

// "1h02m03s", "4m05s", "6.2s".
std::string format_duration(double seconds);

}  // namespace hd
