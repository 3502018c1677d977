// SPDX-License-Identifier: Apache-2.0
// A latency hint to the scheduler: the time slice a thread asks for (sched_setattr's
// sched_runtime for a fair policy, honoured by EEVDF since Linux 6.12). A waking thread whose
// slice is shorter than the running one's may preempt it at once, so a fast-lane thread that
// wakes for a request need not wait out a busy slow worker's slice. Mechanics only: which lane
// asks for what is the config's business.
#pragma once

#include <chrono>
#include <string>

namespace twinlane::pool {

// Asks for `slice` for the calling thread, keeping its policy and nice. Returns "" on success,
// else why not ("sched_setattr: Operation not permitted"). Kernels before 6.12 accept the call
// and ignore the slice.
std::string setThreadCpuSlice(std::chrono::microseconds slice);

// The calling thread's slice as the scheduler reports it (/proc/thread-self/sched, se.slice);
// zero when it does not say.
std::chrono::microseconds threadCpuSlice();

}  // namespace twinlane::pool
