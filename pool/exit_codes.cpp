// SPDX-License-Identifier: Apache-2.0
// Naming how a child ended: see exit_codes.h.
#include "pool/exit_codes.h"

#include <sys/wait.h>

#include <cstring>

namespace twinlane::pool {
std::string_view exitCodeMeaning(int code) {
  switch (code) {
    case kExitOk: return "clean stop";
    case kExitConfig: return "configuration or data error";
    case kExitSoftware: return "failed before ready";
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

}  // namespace twinlane::pool
