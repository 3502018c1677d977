// SPDX-License-Identifier: Apache-2.0
// The parts of twinlane's /status JSON the tests rely on, read into plain structs.
// The only place that knows the field names (see pool/status.cpp), so a rename is one edit here.
#pragma once

#include <Poco/JSON/Object.h>
#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace twinlane::test {

struct WorkerStatus {
  pid_t pid = 0;
  std::string state;  // starting, idle, busy, exiting
  long requests = 0;
  long busy_ms = 0;
  std::string uri;
  long generation = 0;  // 0 when /status does not report it
};

struct LaneStatus {
  int processes = 0;  // configured count
  int idle = 0;
  int busy = 0;
  long queue_length = -1;  // connections waiting in the lane's backlog; -1 when /status does not say
  std::vector<WorkerStatus> workers;

  std::vector<pid_t> pids() const;
  std::vector<WorkerStatus> inState(const std::string& state) const;
  // Every configured worker is up: idle + busy == processes, and no worker is starting or exiting.
  bool ready() const;
};

struct PoolStatus {
  std::map<std::string, LaneStatus> lanes;  // "fast", "slow"

  // Throws naming the lane if /status did not report it.
  const LaneStatus& lane(const std::string& name) const;
  bool ready() const;
};

// Throws std::runtime_error with the offending JSON if a field is missing or of the wrong type.
PoolStatus parsePoolStatus(const Poco::JSON::Object::Ptr& status);

// True if `pid` is gone and reaped: no such process. A zombie is not gone: its parent (the
// master, for a worker) has not reaped it, and that is what tests of supervision check.
bool processGone(pid_t pid);
// True if `pid` no longer runs: gone, or a zombie. For orphans whose reaper is not ours (workers
// of a master that was killed: init reaps them, when it does).
bool processEnded(pid_t pid);

}  // namespace twinlane::test
