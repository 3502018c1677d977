// SPDX-License-Identifier: Apache-2.0
// Worker processes, as mechanics, as nginx keeps ngx_process.c apart from its cycle: fork a
// worker into runWorker, signal it or one of its threads, reap the ones that ended. Which
// worker to start, stop or kill, and when, is the master loop's business (master.cpp).
// Master only.
#pragma once

#include <sys/types.h>

#include <optional>

#include "pool/worker.h"

namespace twinlane::pool {

// Forks a worker that runs `plan` (the child never returns from here). Returns the child's
// pid; throws std::system_error naming the lane when fork fails.
pid_t forkWorker(const WorkerPlan& plan);

struct EndedChild {
  pid_t pid = 0;
  int wait_status = 0;  // decode with the W* macros (describeWaitStatus, judgeWorkerEnd)
};
// One child that has ended, without waiting; nullopt when none has.
std::optional<EndedChild> reapEndedChild();

void signalProcess(pid_t pid, int signal_number);
// Sends `signal_number` to one thread (`tid`) of process `pid`: the stack dump of a stuck
// request must come from the thread that runs it.
void signalThread(pid_t pid, pid_t tid, int signal_number);

}  // namespace twinlane::pool
