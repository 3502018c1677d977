// SPDX-License-Identifier: Apache-2.0
// Privileges: started as root with `user`/`group` (and per-lane `socket` owner, group, mode),
// the master binds the sockets with that ownership and mode, then drops to the unprivileged
// user before loading data or forking, so every worker runs as that user; nginx still reaches
// the sockets. Skipped unless the tests run as root.
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child_process.h"
#include "integration_stack.h"
#include "temp_dir.h"
#include "proc_info.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kUser = "nobody";
constexpr const char* kGroup = "nogroup";

TEST(PoolPrivileges, AsRootTheMasterBindsForTheConfiguredOwnerAndRunsEveryProcessAsTheUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the master drops privileges only when started as root";
  const passwd* user = ::getpwnam(kUser);
  const group* grp = ::getgrnam(kGroup);
  if (user == nullptr || grp == nullptr) GTEST_SKIP() << "this system has no user " << kUser << " or group " << kGroup;
  const uid_t uid = user->pw_uid;
  const gid_t gid = grp->gr_gid;

  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 2;
  const std::string socket = std::string("socket: { owner: ") + kUser + ", group: " + kGroup + ", mode: \"0660\" }";
  options.fast_settings = {socket};
  options.slow_settings = {socket};
  options.extra_yaml = std::string("user: ") + kUser + "\ngroup: " + kGroup + "\n";
  TwinlaneStack stack(options);
  // The test's mkdtemp directory is root's (0700): let the unprivileged master remove its
  // socket files there when it stops, as it could in a /run directory it may write to.
  std::filesystem::permissions(stack.dir().path(), std::filesystem::perms(01777));

  for (const std::string lane : {"fast", "slow"}) {
    struct stat info {};
    ASSERT_EQ(::stat(stack.socketPath(lane).c_str(), &info), 0) << stack.socketPath(lane);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_uid, uid) << lane << " socket owner";
    EXPECT_EQ(info.st_gid, gid) << lane << " socket group";
    EXPECT_EQ(info.st_mode & 07777, 0660u) << lane << " socket mode " << std::oct << (info.st_mode & 07777);
  }

  const auto master_ids = processIds(stack.masterPid());
  ASSERT_TRUE(master_ids.has_value());
  EXPECT_EQ(master_ids->real_uid, uid) << "the master kept root";
  EXPECT_EQ(master_ids->effective_uid, uid);
  const auto pool = stack.poolStatus();
  for (const auto& [lane, status] : pool.lanes) {
    for (const pid_t pid : status.pids()) {
      const auto ids = processIds(pid);
      ASSERT_TRUE(ids.has_value()) << lane << " worker " << pid;
      EXPECT_EQ(ids->real_uid, uid) << lane << " worker " << pid;
      EXPECT_EQ(ids->effective_uid, uid) << lane << " worker " << pid;
      EXPECT_EQ(ids->real_gid, gid) << lane << " worker " << pid;
      EXPECT_EQ(ids->effective_gid, gid) << lane << " worker " << pid;
    }
  }
  EXPECT_NE(stack.masterLog().find(std::string("dropped privileges to user ") + kUser), std::string::npos);

  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/test/pid")));
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/test/sleep?ms=1")));
}

// The service checks its files as the user it will run as: a file only root may read stops the
// start with the key's FILE:LINE, before any worker is forked.
TEST(PoolPrivileges, TheServiceChecksItsFilesAfterPrivilegesAreDropped) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: the master drops privileges only when started as root";
  if (::getpwnam(kUser) == nullptr || ::getgrnam(kGroup) == nullptr) GTEST_SKIP() << "no user " << kUser;
  TempDir dir("twinlane-it");
  const auto secret = dir.write("secret.txt", "for root only\n");
  ASSERT_EQ(::chmod(secret.c_str(), 0600), 0);
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.extra_yaml = std::string("user: ") + kUser + "\ngroup: " + kGroup + "\ntestapp: { data: " + secret.string() + " }\n";
  const auto config = dir.write("twinlane.yaml", renderConfig(options, dir.path()));
  ASSERT_EQ(::chmod(dir.path().c_str(), 0755), 0);  // nobody may look in; only the file is closed

  ChildProcess master({{options.binary.string(), "--config", config.string()}, options.env, dir.file("master.log"), {}});
  const auto exit = master.waitExit(30s);

  // --check-config, as root, checks as the user too, and says so before the start is tried.
  const auto checked = runToCompletion({options.binary.string(), "--check-config", config.string()}, dir.path(), "check", 30s);
  EXPECT_EQ(checked.status.describe(), "exit 1") << checked.out << checked.err;
  EXPECT_NE(checked.err.find(": testapp.data: cannot read " + secret.string() + ": Permission denied"), std::string::npos)
      << checked.err;

  ASSERT_TRUE(exit.has_value()) << "the master runs although its data cannot be read as " << kUser;
  EXPECT_FALSE(exit->success()) << exit->describe();
  const std::string log = master.readLog();
  EXPECT_NE(log.find("cannot start: " + config.string() + ":"), std::string::npos) << log;
  EXPECT_NE(log.find(": testapp.data: cannot read " + secret.string() + ": Permission denied"), std::string::npos) << log;
  EXPECT_EQ(log.find(" worker "), std::string::npos) << "a worker was forked: " << log;
}

}  // namespace
}  // namespace twinlane::test
