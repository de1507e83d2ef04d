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
class Progress {
 public:
  Progress(std::string label, std::int64_t total, std::string unit = "it",
           std::chrono::seconds log_interval = std::chrono::seconds(30));
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  // Sets the absolute count done so far (resumed jobs start above zero).
  void update(std::int64_t done);
  void advance(std::int64_t n = 1) { update(done_ + n); }
  // Prints the final line (also done by the destructor if not called).
  void finish();

  // The status text without terminal control codes, e.g.
  // "train 1200/5000 steps (24.0%) 3.10 steps/s ETA 20m25s".
  std::string status() const;

 private:
  void print(bool final_line);
  std::string label_;
  std::int64_t total_;
  std::string unit_;
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
