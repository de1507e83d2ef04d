// SPDX-License-Identifier: GPL-3.0-or-later
// Crash-safe file replacement: write to a temporary name in the same folder, fsync it,
// rename it over the target, fsync the folder. A crash at any point leaves either the old
// file or the new one, never a torn mix; a stale temporary may remain and is ignored.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace hd {

// The temporary name used for `target`: "<target>.tmp-<pid>" in the same folder.
std::filesystem::path temporary_path_for(const std::filesystem::path& target);

// Calls `write(tmp)` to produce the file at a temporary path (any writer: HDF5, LibTorch,
// streams), then durably renames it onto `target`. If `write` throws, the temporary is
// removed and `target` is untouched.
void write_file_atomically(const std::filesystem::path& target,
                           const std::function<void(const std::filesystem::path& tmp)>& write);

// Convenience for text and small binary files.
void write_text_atomically(const std::filesystem::path& target, std::string_view contents);

// The same for a folder of files (an exported model): `write(tmp)` fills a fresh
// temporary folder beside `target`, whose files are then synced and which replaces
// `target` by renames. Readers see the old folder or the new one; a crash between the two
// renames leaves the old one as "<target>.old-<pid>".
void write_folder_atomically(const std::filesystem::path& target,
                             const std::function<void(const std::filesystem::path& tmp)>& write);

// Checks, before any work, that `target` can be written: a name is given, and its folder
// exists (or can be created) and accepts a new file. An hd::Error names the path
// otherwise, so a long run never ends unable to save its result.
void require_writable(const std::filesystem::path& target, const std::string& what);

// fsync a file or folder by path; throws hd::Error naming the path on failure.
void fsync_path(const std::filesystem::path& path);

// An exclusive advisory lock (flock) on `path`, created if absent, held until destruction:
// two runs writing one output folder would interleave their files. Taking a lock another
// process holds is an hd::Error naming `path` and `what` ("training run folder").
class ExclusiveLock {
 public:
  ExclusiveLock(const std::filesystem::path& path, const std::string& what);
  ~ExclusiveLock();
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace hd
