// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "hd/common/error.hpp"

namespace hd {

namespace fs = std::filesystem;

fs::path temporary_path_for(const fs::path& target) {
  return fs::path(target.string() + ".tmp-" + std::to_string(::getpid()));
}

void fsync_path(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path.string() + ": cannot open to sync: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) throw Error(path.string() + ": fsync failed: " + std::strerror(err));
}

void write_file_atomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& write) {
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw Error(folder.string() + ": cannot create folder: " + ec.message());
  const fs::path tmp = temporary_path_for(target);
  try {
    write(tmp);
    fsync_path(tmp);
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw Error(target.string() + ": cannot replace file: " + ec.message());
  }
  // The rename is durable only once the folder entry is on disk.
  fsync_path(folder);
}

void write_folder_atomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& write) {
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  const fs::path tmp = temporary_path_for(target);
  const fs::path old = fs::path(target.string() + ".old-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) throw Error(tmp.string() + ": cannot create folder: " + ec.message());
  try {
    write(tmp);
    for (const auto& entry : fs::recursive_directory_iterator(tmp)) fsync_path(entry.path());
    fsync_path(tmp);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  const bool replacing = fs::exists(target);
  if (replacing) fs::rename(target, old, ec);
  if (!ec) fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw Error(target.string() + ": cannot replace folder: " + ec.message());
  }
  fsync_path(parent);
  if (replacing) fs::remove_all(old, ec);
}

void require_writable(const fs::path& target, const std::string& what) {
  if (target.empty() || target.filename().empty()) throw Error("the " + what + " needs a file name");
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw Error(target.string() + ": cannot create its folder for the " + what + ": " + ec.message());
  if (fs::is_directory(target, ec))
    throw Error(target.string() + ": is a folder, not a file name for the " + what);
  const fs::path probe = temporary_path_for(target);
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(target.string() + ": cannot write the " + what + " there: " + std::strerror(errno));
  ::close(fd);
  fs::remove(probe, ec);
}

void write_text_atomically(const fs::path& target, std::string_view contents) {
  write_file_atomically(target, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) throw Error(tmp.string() + ": write failed (disk full?)");
  });
}

ExclusiveLock::ExclusiveLock(const fs::path& path, const std::string& what) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(path.string() + ": cannot open lock file: " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw Error(path.parent_path().string() + ": this " + what +
                  " is in use by another process (wait for it to finish, or use another folder)");
    throw Error(path.string() + ": cannot lock: " + std::strerror(err));
  }
}

ExclusiveLock::~ExclusiveLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace hd
