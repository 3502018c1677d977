// SPDX-License-Identifier: Apache-2.0
// Reading a process's memory from /proc/PID/smaps_rollup. Private memory (pages no other
// process maps) is what recycling watches: RSS would count the data every worker shares.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace twinlane::pool {

struct ProcessMemory {
  std::uint64_t rss = 0;      // bytes
  std::uint64_t pss = 0;      // proportional share of shared pages
  std::uint64_t private_bytes = 0;  // Private_Clean + Private_Dirty
};

// nullopt when the file cannot be read (the process is gone, or no smaps_rollup).
std::optional<ProcessMemory> readProcessMemory(pid_t pid);

}  // namespace twinlane::pool
