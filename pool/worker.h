// SPDX-License-Identifier: Apache-2.0
// Worker: the life of one worker process after fork. It sets up its signals, priority and
// death signal, opens its serving threads (one for a slow-lane worker, `threads` for a fast
// one), answers requests from the lane's shared listening socket until told to stop, and
// exits without ever returning into the master's stack.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "fcgi/service.h"
#include "pool/config.h"
#include "pool/scoreboard.h"
#include "pool/status.h"

namespace twinlane::pool {

struct WorkerPlan {
  Lane lane = Lane::kFast;
  const LaneConfig* lane_config = nullptr;
  int listen_fd = -1;
  std::size_t slot_index = 0;
  pid_t master_pid = 0;
  const fcgi::Service* service = nullptr;
  Scoreboard* scoreboard = nullptr;  // the worker writes its slot and its lane's counters
  PoolView view;
  std::vector<int> master_only_fds;  // closed first thing in the child
  int ready_notice_fd = -1;  // ReadyNotices::fd: written once the worker serves
};

// Runs in the child right after fork; never returns.
[[noreturn]] void runWorker(const WorkerPlan& plan);

}  // namespace twinlane::pool
