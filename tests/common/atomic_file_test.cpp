// SPDX-License-Identifier: GPL-3.0-or-later
#include "hd/common/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hd/common/error.hpp"

namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

class AtomicFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hd_atomic_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(AtomicFile, ReplacesTheTargetAndLeavesNoTemporary) {
  const fs::path target = dir_ / "out.txt";
  hd::write_text_atomically(target, "first");
  hd::write_text_atomically(target, "second");
  EXPECT_EQ(read(target), "second");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator{}), 1);
}

TEST_F(AtomicFile, CreatesMissingFolders) {
  const fs::path target = dir_ / "a" / "b" / "out.txt";
  hd::write_text_atomically(target, "x");
  EXPECT_EQ(read(target), "x");
}

TEST_F(AtomicFile, FailingWriterLeavesTargetIntactAndRemovesTemporary) {
  const fs::path target = dir_ / "out.txt";
  hd::write_text_atomically(target, "good");
  EXPECT_THROW(hd::write_file_atomically(target,
                                         [](const fs::path& tmp) {
                                           std::ofstream(tmp) << "half";
                                           throw hd::Error("writer failed");
                                         }),
               hd::Error);
  EXPECT_EQ(read(target), "good");
  EXPECT_FALSE(fs::exists(hd::temporary_path_for(target)));
}

// A process killed in the middle of writing (no destructors, no cleanup) must leave the
// previous file whole; the stale temporary it leaves behind does not disturb the next write.
TEST_F(AtomicFile, CrashMidWriteLeavesTargetIntact) {
  const fs::path target = dir_ / "checkpoint.bin";
  hd::write_text_atomically(target, "previous checkpoint");

  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    hd::write_file_atomically(target, [](const fs::path& tmp) {
      std::ofstream out(tmp);
      out << "torn new chec";
      out.flush();
      ::_exit(9);  // the crash: nothing after this point runs
    });
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 9);

  EXPECT_EQ(read(target), "previous checkpoint");
  bool stale_temporary = false;
  for (const auto& e : fs::directory_iterator(dir_)) {
    stale_temporary |= e.path().filename().string().rfind("checkpoint.bin.tmp-", 0) == 0;
  }
  EXPECT_TRUE(stale_temporary) << "the simulated crash should have left its temporary";

  hd::write_text_atomically(target, "next checkpoint");
  EXPECT_EQ(read(target), "next checkpoint");
}

TEST_F(AtomicFile, UnwritableFolderIsAnErrorNamingIt) {
  const fs::path blocker = dir_ / "file";
  hd::write_text_atomically(blocker, "x");
  try {
    hd::write_text_atomically(blocker / "sub" / "out.txt", "y");
    FAIL() << "expected hd::Error";
  } catch (const hd::Error& e) {
    EXPECT_NE(std::string(e.what()).find((blocker / "sub").string()), std::string::npos) << e.what();
  }
}

}  // namespace
