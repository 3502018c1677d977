// SPDX-License-Identifier: Apache-2.0
// The exit-code contract between workers and the master, and of the twinlane command.
// A worker that fails before it is ready exits with kConfig or kSoftware: the master then
// backs off instead of respawning in a tight loop. Any other exit, a signal included, is
// logged and respawned at once.
#pragma once

#include <sysexits.h>

#include <string>
#include <string_view>

namespace twinlane::pool {

enum ExitCode : int {
  kExitOk = 0,             // clean stop (TERM, recycling)
  kExitFailure = 1,        // the master failed at run time; --check-config found an error
  kExitUsage = EX_USAGE,   // bad command line
  kExitConfig = EX_CONFIG, // bad config or data: respawning will not help
  kExitSoftware = EX_SOFTWARE,  // a worker could not start (internal error before ready)
  kExitOrphaned = 3,         // a worker found its master gone
  kExitRecycleRequests = 4,  // a worker served max_requests and left to be replaced
  kExitRecycleMemory = 5,    // a worker passed max_private_memory and left to be replaced
};

// "clean stop", "recycled after max_requests", ... for an exit code of the contract.
std::string_view exitCodeMeaning(int code);
// "exited with 0 (clean stop)", "killed by SIGKILL", ... for the log.
std::string describeWaitStatus(int wait_status);

}  // namespace twinlane::pool
