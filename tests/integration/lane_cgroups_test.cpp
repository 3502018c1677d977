// SPDX-License-Identifier: Apache-2.0
// Lane cgroups: where the master starts in a cgroup v2 delegated to it (what systemd's
// Delegate=yes gives the shipped unit), each lane's workers run in a cgroup of their own with the
// lane's cpu.weight and cpu.max; where it is not delegated, or cgroup v2 is not there, the master
// says so once and serves as before. Each test plays systemd's part: it makes a cgroup below the
// cgroup2 root, marks it delegated (trusted.delegate, as systemd 251 and later do), starts the
// master in it, and removes it afterwards. They need root and a cgroup2 mount, and skip with a
// message without them. The cpu controller may belong to cgroup v1 (a hybrid layout, as on the
// machine these were written on): then the weights cannot be set and the test checks the warning
// that says so instead.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "integration_stack.h"
#include "temp_dir.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

// The first cgroup2 mount point in this mount namespace (its root must be "/").
std::optional<fs::path> cgroup2MountPoint() {
  std::ifstream mountinfo("/proc/self/mountinfo");
  for (std::string line; std::getline(mountinfo, line);) {
    const auto separator = line.find(" - ");
    if (separator == std::string::npos || line.compare(separator + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, separator));
    std::string id, parent, device, root, mount_point;
    if (fields >> id >> parent >> device >> root >> mount_point && root == "/") return fs::path(mount_point);
  }
  return std::nullopt;
}

bool offersCpu(const fs::path& cgroup) {
  std::istringstream words(readFile(cgroup / "cgroup.controllers"));
  for (std::string word; words >> word;) {
    if (word == "cpu") return true;
  }
  return false;
}

// The cgroup v2 path of a process ("/twinlane-test-1-0/fast"), from /proc/PID/cgroup.
std::string cgroupOf(pid_t pid) {
  std::ifstream cgroups("/proc/" + std::to_string(pid) + "/cgroup");
  for (std::string line; std::getline(cgroups, line);) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return "";
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// A cgroup made for one test below the cgroup2 root, as systemd makes one per unit. Removed
// with whatever the master created in it once every process in it has ended.
class TestCgroup {
 public:
  static std::optional<TestCgroup> make(bool delegated, std::string& why_not) {
    if (::geteuid() != 0) {
      why_not = "needs root to make a cgroup";
      return std::nullopt;
    }
    const auto root = cgroup2MountPoint();
    if (!root) {
      why_not = "no cgroup2 mount in /proc/self/mountinfo";
      return std::nullopt;
    }
    static int counter = 0;
    const std::string name = "twinlane-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    TestCgroup cgroup(*root, name);
    if (::mkdir(cgroup.path().c_str(), 0755) != 0) {
      why_not = "mkdir " + cgroup.path().string() + ": " + std::strerror(errno);
      cgroup.made_ = false;
      return std::nullopt;
    }
    if (delegated && ::setxattr(cgroup.path().c_str(), "trusted.delegate", "1", 1, 0) != 0) {
      why_not = "setxattr trusted.delegate: " + std::string(std::strerror(errno));
      return std::nullopt;
    }
    // systemd enables the controllers a delegated unit may use in its parent; the cpu
    // controller is enabled in the root here only where cgroup v2 has it.
    if (delegated && offersCpu(*root)) {
      std::ofstream(*root / "cgroup.subtree_control") << "+cpu";
    }
    return cgroup;
  }

  TestCgroup(TestCgroup&& other) noexcept
      : root_(other.root_), name_(other.name_), made_(std::exchange(other.made_, false)) {}
  TestCgroup(const TestCgroup&) = delete;
  TestCgroup& operator=(const TestCgroup&) = delete;
  ~TestCgroup() {
    if (!made_) return;
    // Exited processes leave their cgroup once reaped; the workers' master reaps them.
    for (const char* child : {"master", "fast", "slow"}) {
      const fs::path directory = path() / child;
      waitFor([&] { return ::rmdir(directory.c_str()) == 0 || errno == ENOENT; }, 10s);
    }
    if (!waitFor([&] { return ::rmdir(path().c_str()) == 0 || errno == ENOENT; }, 10s)) {
      std::cerr << "cannot remove test cgroup " << path() << ": " << std::strerror(errno) << "\n";
    }
  }

  fs::path path() const { return root_ / name_; }
  std::string cgroupPath(const std::string& child = "") const {
    return "/" + name_ + (child.empty() ? "" : "/" + child);
  }
  bool cpuOffered() const { return offersCpu(path()); }

 private:
  TestCgroup(fs::path root, std::string name) : root_(std::move(root)), name_(std::move(name)) {}
  fs::path root_;
  std::string name_;
  bool made_ = true;
};

int countOf(const std::string& text, const std::string& part) {
  int count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

TEST(LaneCgroups, InADelegatedCgroupEachLaneRunsInACgroupOfItsOwnWithItsCpuShare) {
  std::string why_not;
  auto cgroup = TestCgroup::make(/*delegated=*/true, why_not);
  if (!cgroup) GTEST_SKIP() << why_not;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 2;
  options.cgroup = cgroup->path();
  options.slow_settings = {"cpu: { weight: 50, max: 0.5 }"};
  options.expected_log_errors = {"killed by SIGKILL"};
  TwinlaneStack stack(options);

  EXPECT_EQ(cgroupOf(stack.masterPid()), cgroup->cgroupPath("master"));
  const auto pool = stack.poolStatus();
  for (const char* lane : {"fast", "slow"}) {
    ASSERT_FALSE(pool.lane(lane).pids().empty()) << lane;
    for (const pid_t pid : pool.lane(lane).pids()) {
      EXPECT_EQ(cgroupOf(pid), cgroup->cgroupPath(lane)) << lane << " worker " << pid;
    }
  }
  // A worker started later (here: a replacement for a killed one) joins its lane's cgroup too.
  const pid_t killed = pool.lane("slow").pids().front();
  ASSERT_EQ(::kill(killed, SIGKILL), 0);
  std::vector<pid_t> slow_now;
  ASSERT_TRUE(waitFor(
      [&] {
        slow_now = stack.poolStatus().lane("slow").pids();
        return slow_now.size() == 2 && std::find(slow_now.begin(), slow_now.end(), killed) == slow_now.end();
      },
      20s));
  for (const pid_t pid : slow_now) EXPECT_EQ(cgroupOf(pid), cgroup->cgroupPath("slow")) << "slow worker " << pid;
  EXPECT_EQ(stack.get("/api/v1/test/pid").status, 200);

  const std::string log = stack.masterLog();
  if (cgroup->cpuOffered()) {
    EXPECT_EQ(trimmed(readFile(cgroup->path() / "fast" / "cpu.weight")), "1000");  // the fast lane's default
    EXPECT_EQ(trimmed(readFile(cgroup->path() / "slow" / "cpu.weight")), "50");
    EXPECT_EQ(trimmed(readFile(cgroup->path() / "slow" / "cpu.max")), "50000 100000");
    EXPECT_EQ(trimmed(readFile(cgroup->path() / "fast" / "cpu.max")), "max 100000");
  } else {
    // What an operator reads when the layout cannot give the lanes their shares.
    EXPECT_EQ(countOf(log, "the cpu controller is not offered to " + cgroup->path().string()), 1) << log;
    EXPECT_NE(log.find("not applied: lanes.fast.cpu.weight lanes.slow.cpu.weight lanes.slow.cpu.max"),
              std::string::npos) << log;
    std::cout << "[lane-cgroups] cgroup v2 here does not offer the cpu controller (hybrid layout?): the lanes' "
                 "cgroups were checked, their cpu.weight and cpu.max could not be\n";
  }
  stack.stop();
}

TEST(LaneCgroups, ACgroupNotDelegatedIsLeftAsItIsAndTheLogSaysSoOnce) {
  std::string why_not;
  auto cgroup = TestCgroup::make(/*delegated=*/false, why_not);
  if (!cgroup) GTEST_SKIP() << why_not;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.cgroup = cgroup->path();
  TwinlaneStack stack(options);

  EXPECT_FALSE(fs::exists(cgroup->path() / "master"));
  EXPECT_FALSE(fs::exists(cgroup->path() / "fast"));
  EXPECT_EQ(cgroupOf(stack.masterPid()), cgroup->cgroupPath());
  for (const pid_t pid : stack.workerPids("slow")) EXPECT_EQ(cgroupOf(pid), cgroup->cgroupPath()) << pid;
  EXPECT_EQ(stack.get("/api/v1/test/pid").status, 200);
  const std::string log = stack.masterLog();
  EXPECT_EQ(countOf(log, "is not delegated to twinlane (systemd: Delegate=yes)"), 1) << log;
  stack.stop();
}

// A delegated cgroup that already holds another process (a user's shell in their own scope,
// say) is not the master's alone: it creates nothing there and says so once.
TEST(LaneCgroups, ADelegatedCgroupWithAnotherProcessInItIsLeftAlone) {
  std::string why_not;
  auto cgroup = TestCgroup::make(/*delegated=*/true, why_not);
  if (!cgroup) GTEST_SKIP() << why_not;
  TempDir sleeper_dir("twinlane-sleeper");
  ChildProcess sleeper({{"/bin/sleep", "60"}, {}, sleeper_dir.file("sleep.out"), {}, cgroup->path()});
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.cgroup = cgroup->path();
  TwinlaneStack stack(options);
  EXPECT_FALSE(fs::exists(cgroup->path() / "master"));
  EXPECT_EQ(cgroupOf(stack.masterPid()), cgroup->cgroupPath());
  const std::string log = stack.masterLog();
  EXPECT_EQ(countOf(log, "holds other processes than the master (" + std::to_string(sleeper.pid()) + ")"), 1) << log;
  stack.stop();
}

// The master in a mount namespace without cgroup2 (unshare and umount, in a wrapper that execs
// it: the pid stays the master's).
TEST(LaneCgroups, WithoutCgroupV2TheMasterSaysSoOnceAndServes) {
  const auto root = cgroup2MountPoint();
  if (::geteuid() != 0 || !root) GTEST_SKIP() << "needs root and a cgroup2 mount to hide";
  TempDir wrapper_dir("twinlane-nocgroup");
  const fs::path wrapper = wrapper_dir.file("twinlane-without-cgroup2");
  wrapper_dir.write("twinlane-without-cgroup2",
                    "#!/bin/sh\nexec unshare --mount --propagation private /bin/sh -c 'umount -l " + root->string() +
                        " && exec \"$0\" \"$@\"' " + std::string(TWINLANE_TESTAPP_BIN) + " \"$@\"\n");
  fs::permissions(wrapper, fs::perms::owner_all);
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.binary = wrapper;
  options.slow_processes = 1;
  TwinlaneStack stack(options);
  EXPECT_EQ(stack.get("/api/v1/test/pid").status, 200);
  const std::string log = stack.masterLog();
  EXPECT_EQ(countOf(log, "cgroup v2 is not mounted where the master can see its cgroup"), 1) << log;
  stack.stop();
}

}  // namespace
}  // namespace twinlane::test
