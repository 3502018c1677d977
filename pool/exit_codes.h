// SPDX-License-Identifier: Apache-2.0
// The exit-code contract between workers and the master, and of the twinlane command, and the
// one decision the master makes from a worker's end (judgeWorkerEnd): a worker that fails
// before it is ready, or crashes again and again right after, is respawned after a growing
// delay instead of in a tight loop; a worker that stopped, was recycled or was killed at its
// deadline is replaced at once.
#pragma once

#include <sysexits.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace twinlane::pool {

enum ExitCode : int {
  kExitOk = 0,             // clean stop (TERM, recycling)
  kExitFailure = 1,        // the master failed at run time; --check-config found an error
  kExitUsage = EX_USAGE,   // bad command line
  kExitConfig = EX_CONFIG, // bad config or data: respawning will not help
  kExitSoftware = EX_SOFTWARE,  // a worker failed (internal error), before or after it was ready
  kExitOrphaned = 3,         // a worker found its master gone
  kExitRecycleRequests = 4,  // a worker served max_requests and left to be replaced
  kExitRecycleMemory = 5,    // a worker passed max_private_memory and left to be replaced
};

// "clean stop", "recycled after max_requests", ... for an exit code of the contract.
std::string_view exitCodeMeaning(int code);
// "exited with 0 (clean stop)", "killed by SIGKILL", ... for the log.
std::string describeWaitStatus(int wait_status);

// A crash this soon after the worker started counts towards a crash loop.
inline constexpr std::int64_t kCrashLoopWindowMs = 2000;

enum class WorkerEnd {
  kStopped,           // asked to stop (reload, TTOU, shutdown): exited 0, or killed in a fast stop
  kRecycled,          // left after max_requests or max_private_memory
  kKilledAtDeadline,  // the master killed it, stuck past request_timeout
  kBootFailure,       // ended, however, before it ever became ready to serve
  kCrash,             // ended unasked after it was ready: a signal, or a failure exit
};
std::string_view workerEndName(WorkerEnd end);

// What the master knows when it reaps a worker.
struct WorkerEndFacts {
  int wait_status = 0;
  bool became_ready = false;        // it reached its accept loop (the scoreboard's ready_ms)
  bool told_to_stop = false;        // the master sent it TERM
  bool killed_at_deadline = false;  // the master sent it SIGKILL past its deadline
  std::int64_t lived_ms = 0;
};

struct WorkerEndVerdict {
  WorkerEnd end;
  bool back_off;  // respawn after a growing delay, not at once
  bool is_error;  // worth an operator's attention: logged as an error
};

WorkerEndVerdict judgeWorkerEnd(const WorkerEndFacts& facts);

}  // namespace twinlane::pool
