// SPDX-License-Identifier: Apache-2.0
// The deadline the master enforces on a request that did not stop cooperatively: past
// request_timeout plus a grace, its thread's stack is dumped to the log, and the worker is
// killed a moment later. Only the decision lives here; master.cpp acts on it. The worker's own,
// cooperative deadline (504 timeout) is in request_policy.h and must come first.
#pragma once

#include <cstdint>

#include "pool/config.h"

namespace twinlane::pool {

// How far past request_timeout a request may run before the master steps in.
inline constexpr std::int64_t kKillGraceMs = 1000;
// Time for the stack dump to be written between the dump signal and SIGKILL.
inline constexpr std::int64_t kStackDumpWaitMs = 300;

enum class OverdueAction {
  kNone,         // no request past its deadline (forget any dump sent for an earlier one)
  kDumpStack,    // signal the stuck thread to dump its stack
  kWaitForDump,  // the dump was asked for; its time is not up yet
  kKill,
};

// `request_started_ms` is the worker's oldest request in progress (0: idle); `stack_dump_sent_ms`
// when the master asked for its stack (0: not yet). Times on CLOCK_MONOTONIC.
OverdueAction overdueAction(std::int64_t now_ms, std::int64_t request_started_ms, Millis request_timeout,
                            std::int64_t stack_dump_sent_ms);

}  // namespace twinlane::pool
