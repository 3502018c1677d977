// SPDX-License-Identifier: Apache-2.0
// Signals, one table for the whole process model.
//
// Master: every signal it acts on is blocked and read from a signalfd in the main loop, so no
// handler runs in the master at all. Workers: TERM and INT ask for a graceful stop, QUIT for an
// immediate one; the handler only records the request and wakes the accept loop through an
// eventfd. USR2, sent by the master to the thread of a request past its deadline, writes that
// thread's stack to stderr before the master kills the worker. USR1, from the master: the
// worker's turn to leave to be recycled, a graceful stop that exits with its recycling code. PIPE
// is ignored everywhere (a client that left must not kill a worker).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <vector>

#include "fcgi/unique_fd.h"

namespace twinlane::pool {

// What the master does for each signal.
enum class MasterIntent { kReap, kGracefulStop, kFastStop, kReload, kAddSlowWorker, kRemoveSlowWorker };

struct MasterSignal {
  int number;
  MasterIntent intent;
  const char* meaning;  // for the log
};

inline constexpr MasterSignal kMasterSignals[] = {
    {SIGCHLD, MasterIntent::kReap, "a worker exited"},
    {SIGTERM, MasterIntent::kGracefulStop, "graceful stop"},
    {SIGINT, MasterIntent::kGracefulStop, "graceful stop"},
    {SIGQUIT, MasterIntent::kFastStop, "immediate stop"},
    {SIGHUP, MasterIntent::kReload, "reload"},
    {SIGTTIN, MasterIntent::kAddSlowWorker, "add a slow worker"},
    {SIGTTOU, MasterIntent::kRemoveSlowWorker, "remove a slow worker"},
};

class MasterSignals {
 public:
  // Blocks the table's signals in the calling (only) thread and opens the signalfd.
  MasterSignals();
  ~MasterSignals();
  MasterSignals(const MasterSignals&) = delete;
  MasterSignals& operator=(const MasterSignals&) = delete;

  int fd() const { return fd_.get(); }
  // Every signal delivered since the last call, in order. Master only.
  std::vector<const MasterSignal*> drain();

 private:
  sigset_t blocked_;
  sigset_t previous_;
  UniqueFd fd_;
  pid_t owner_;
};

// In a freshly forked worker: install the worker's handlers, then unblock everything.
// `wake_fd` is an eventfd the handlers write to.
void installWorkerSignals(int wake_fd);
// Set by TERM/INT in a worker, or by the worker itself (recycling).
bool workerStopRequested();
// The worker's own graceful stop: every serving thread leaves after its current request.
void requestWorkerStop();
// Whether the master gave this worker its turn to be recycled (kRecyclingTurnSignal).
bool workerRecyclingTurnGiven();

// The signal the master sends to a worker waiting for its turn to be recycled, when it gets it.
inline constexpr int kRecyclingTurnSignal = SIGUSR1;

// The signal the master sends to a stuck thread for its stack trace.
inline constexpr int kStackDumpSignal = SIGUSR2;

}  // namespace twinlane::pool
