// SPDX-License-Identifier: Apache-2.0
// Worker processes: see process.h.
#include "pool/process.h"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>

namespace twinlane::pool {

pid_t forkWorker(const WorkerPlan& plan) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::string what = "cannot fork a ";
    what += laneName(plan.lane);
    what += " worker";
    throw std::system_error(errno, std::generic_category(), what);
  }
  if (pid == 0) runWorker(plan);  // never returns
  return pid;
}

std::optional<EndedChild> reapEndedChild() {
  EndedChild ended;
  ended.pid = ::waitpid(-1, &ended.wait_status, WNOHANG);
  if (ended.pid <= 0) return std::nullopt;
  return ended;
}

void signalProcess(pid_t pid, int signal_number) { ::kill(pid, signal_number); }

void signalThread(pid_t pid, pid_t tid, int signal_number) { ::syscall(SYS_tgkill, pid, tid, signal_number); }

}  // namespace twinlane::pool
