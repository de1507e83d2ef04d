// SPDX-License-Identifier: GPL-3.0-or-later
// Apps as child processes, for the tests that run them as a user would and stop or kill
// them in the middle (gen_data, prepare_data).
#pragma once
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hd::testing {

// Starts `args` (the program first) with stdout and stderr appended to `log`.
inline pid_t start_process(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Exit status, or 128 + the signal that ended it.
inline int exit_status(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return exit_status(status);
}

// The exit status if the process has ended (it is then reaped), nothing while it runs.
inline std::optional<int> poll_exit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, WNOHANG) != pid) return std::nullopt;
  return exit_status(status);
}

inline int run_process(const std::vector<std::string>& args, const std::filesystem::path& log) {
  return wait_for(start_process(args, log));
}

}  // namespace hd::testing
