// SPDX-License-Identifier: Apache-2.0
// Naming how a child ended: see exit_codes.h.
#include "pool/exit_codes.h"

#include <signal.h>
#include <sys/wait.h>

#include <cstring>

namespace twinlane::pool {
std::string_view exitCodeMeaning(int code) {
  switch (code) {
    case kExitOk: return "clean stop";
    case kExitConfig: return "configuration or data error";
    case kExitSoftware: return "internal error";
    case kExitOrphaned: return "master gone";
    case kExitRecycleRequests: return "recycled after max_requests";
    case kExitRecycleMemory: return "recycled after max_private_memory";
    default: return "failure";
  }
}

std::string describeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) {
    const int code = WEXITSTATUS(wait_status);
    return "exited with " + std::to_string(code) + " (" + std::string(exitCodeMeaning(code)) + ")";
  }
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* abbrev = ::sigabbrev_np(sig);
    return std::string("killed by SIG") + (abbrev ? abbrev : std::to_string(sig).c_str()) +
           (WCOREDUMP(wait_status) ? " (core dumped)" : "");
  }
  return "changed state " + std::to_string(wait_status);
}

std::string_view workerEndName(WorkerEnd end) {
  switch (end) {
    case WorkerEnd::kStopped: return "stopped";
    case WorkerEnd::kRecycled: return "recycled";
    case WorkerEnd::kKilledAtDeadline: return "killed at its deadline";
    case WorkerEnd::kBootFailure: return "failed before it was ready";
    case WorkerEnd::kCrash: return "crashed";
  }
  return "ended";
}

WorkerEndVerdict judgeWorkerEnd(const WorkerEndFacts& facts) {
  const bool exited = WIFEXITED(facts.wait_status);
  const int code = exited ? WEXITSTATUS(facts.wait_status) : -1;
  if (facts.killed_at_deadline) return {WorkerEnd::kKilledAtDeadline, false, false};
  if (code == kExitRecycleRequests || code == kExitRecycleMemory) return {WorkerEnd::kRecycled, false, false};
  // Asked to stop: exit 0, or the SIGKILL of an immediate stop (QUIT, or a graceful stop's end).
  const bool killed = WIFSIGNALED(facts.wait_status) && WTERMSIG(facts.wait_status) == SIGKILL;
  if (facts.told_to_stop && (code == kExitOk || killed)) return {WorkerEnd::kStopped, false, false};
  // A worker that never got ready will most likely fail the same way again (bad data, no
  // memory, a bug at start-up): back off. One that was ready crashed on something it met while
  // serving; only a crash loop (again and again right after starting) is slowed down.
  if (!facts.became_ready) return {WorkerEnd::kBootFailure, true, true};
  return {WorkerEnd::kCrash, facts.lived_ms < kCrashLoopWindowMs, true};
}

}  // namespace twinlane::pool
