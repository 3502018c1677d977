// SPDX-License-Identifier: Apache-2.0
// The pure parts of lane cgroups: finding the master's cgroup v2 directory from the kernel's
// own texts, and the cpu.max value for a number of CPUs.
#include "pool/lane_cgroups.h"

#include <gtest/gtest.h>

namespace twinlane::pool {
namespace {

TEST(LaneCgroupsText, TheUnifiedPathIsTheZeroLineOfProcCgroup) {
  EXPECT_EQ(unifiedCgroupPath("12:cpu:/\n1:name=systemd:/system.slice/x.service\n0::/system.slice/twinlane.service\n"),
            "/system.slice/twinlane.service");
  EXPECT_EQ(unifiedCgroupPath("0::/\n"), "/");
  EXPECT_EQ(unifiedCgroupPath("4:memory:/a\n1:cpu:/\n"), std::nullopt);  // cgroup v1 only
  EXPECT_EQ(unifiedCgroupPath(""), std::nullopt);
}

constexpr const char* kHybridMountinfo =
    "24 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
    "25 24 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec shared:9 - cgroup2 cgroup2 rw,nsdelegate\n"
    "27 24 0:25 / /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu\n";

TEST(LaneCgroupsText, TheDirectoryIsBelowTheCgroup2MountOnAHybridLayout) {
  EXPECT_EQ(cgroupDirectory(kHybridMountinfo, "/system.slice/twinlane.service"),
            "/sys/fs/cgroup/unified/system.slice/twinlane.service");
  EXPECT_EQ(cgroupDirectory(kHybridMountinfo, "/"), "/sys/fs/cgroup/unified");
}

TEST(LaneCgroupsText, AMountOfASubtreeCountsFromItsRoot) {
  // A container sees its own subtree mounted at /sys/fs/cgroup.
  const char* mountinfo = "40 30 0:30 /machine.slice/c1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n";
  EXPECT_EQ(cgroupDirectory(mountinfo, "/machine.slice/c1/app"), "/sys/fs/cgroup/app");
  EXPECT_EQ(cgroupDirectory(mountinfo, "/machine.slice/c1"), "/sys/fs/cgroup");
  EXPECT_EQ(cgroupDirectory(mountinfo, "/machine.slice/c10"), std::nullopt);  // a sibling, not below
  EXPECT_EQ(cgroupDirectory(mountinfo, "/other"), std::nullopt);
}

TEST(LaneCgroupsText, NoCgroup2MountMeansNoDirectory) {
  EXPECT_EQ(cgroupDirectory("27 24 0:25 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n", "/"), std::nullopt);
  EXPECT_EQ(cgroupDirectory("garbage without separator\n", "/"), std::nullopt);
}

TEST(LaneCgroupsText, CpuMaxIsAQuotaPerHundredMillisecondPeriod) {
  EXPECT_EQ(cpuMaxValue(1.5), "150000 100000");
  EXPECT_EQ(cpuMaxValue(0.01), "1000 100000");
  EXPECT_EQ(cpuMaxValue(0), "max 100000");
}

TEST(LaneCgroupsText, ControllersAreWholeWords) {
  EXPECT_TRUE(offersController("cpuset cpu io memory pids\n", "cpu"));
  EXPECT_FALSE(offersController("cpuset hugetlb\n", "cpu"));
  EXPECT_FALSE(offersController("", "cpu"));
}

}  // namespace
}  // namespace twinlane::pool
