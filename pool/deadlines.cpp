// SPDX-License-Identifier: Apache-2.0
// The master's deadline on requests: see deadlines.h.
#include "pool/deadlines.h"

namespace twinlane::pool {

OverdueAction overdueAction(std::int64_t now_ms, std::int64_t request_started_ms, Millis request_timeout,
                            std::int64_t stack_dump_sent_ms) {
  if (request_started_ms == 0 || now_ms - request_started_ms <= request_timeout.count() + kKillGraceMs) {
    return OverdueAction::kNone;
  }
  if (stack_dump_sent_ms == 0) return OverdueAction::kDumpStack;
  return now_ms - stack_dump_sent_ms >= kStackDumpWaitMs ? OverdueAction::kKill : OverdueAction::kWaitForDump;
}

}  // namespace twinlane::pool
