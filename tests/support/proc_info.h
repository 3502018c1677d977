// SPDX-License-Identifier: Apache-2.0
// What /proc says about a process the tests did not start themselves (a worker): its nice
// value, its user ids, its private memory, its parent. Owns nothing; every reader returns
// nullopt when the process is gone or the file cannot be parsed.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace twinlane::test {

// Field 19 of /proc/PID/stat.
std::optional<int> processNice(pid_t pid);
// Field 4 of /proc/PID/stat.
std::optional<pid_t> processParent(pid_t pid);

struct ProcessIds {
  uid_t real_uid = 0;
  uid_t effective_uid = 0;
  gid_t real_gid = 0;
  gid_t effective_gid = 0;
};
// The "Uid:" and "Gid:" lines of /proc/PID/status.
std::optional<ProcessIds> processIds(pid_t pid);

// Private_Clean + Private_Dirty of /proc/PID/smaps_rollup, in bytes (what max_private_memory
// measures).
std::optional<std::uint64_t> processPrivateBytes(pid_t pid);

}  // namespace twinlane::test
