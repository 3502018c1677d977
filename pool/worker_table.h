// SPDX-License-Identifier: Apache-2.0
// WorkerTable: the master's one table of its workers. Slot i of the table is slot i of the
// shared-memory scoreboard: next to each shared slot (written by its worker, read by /status)
// the table keeps what only the master needs (pid, lane, generation, what it has done about a
// deadline). On the master's side only assign() and release() write a slot's pid and state.
// It also holds each lane's target worker count, once, in the scoreboard, where /status reads it.
// Master only. It records; it does not fork, signal or decide (see master.cpp).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "pool/lane.h"
#include "pool/scoreboard.h"

namespace twinlane::pool {

struct Generation;

// The master's bookkeeping for the worker in one slot.
struct WorkerRecord {
  pid_t pid = 0;  // 0: the slot is free
  Lane lane = Lane::kFast;
  const Generation* generation = nullptr;
  std::int64_t started_ms = 0;
  bool told_to_stop = false;            // TERM sent: reload, TTOU or shutdown
  std::int64_t stack_dump_sent_ms = 0;  // deadline passed: the stack dump signal sent, SIGKILL follows
  bool killed = false;
};

class WorkerTable {
 public:
  // Maps the scoreboard for `slot_count` workers. Before the first fork.
  explicit WorkerTable(std::size_t slot_count);

  Scoreboard& scoreboard() { return scoreboard_; }
  const Scoreboard& scoreboard() const { return scoreboard_; }
  LaneCounters& counters(Lane lane) { return scoreboard_.counters(lane); }

  // A slot with no worker, the lowest first; nullopt when all are taken.
  std::optional<std::size_t> freeSlot() const;
  // Records the worker just forked into `slot` (a free one): its pid, lane and generation, here
  // and in the shared slot. The worker may already run and mark itself ready before this; see
  // WorkerSlot::markReady.
  void assign(std::size_t slot, pid_t pid, Lane lane, const Generation& generation, std::uint32_t generation_number);
  // Frees the slot of a reaped worker and clears its shared slot for the next one, so a worker
  // always starts on a clean slot.
  void release(std::size_t slot);

  std::optional<std::size_t> slotOf(pid_t pid) const;
  // The occupied slots, in slot order.
  std::vector<std::size_t> slots() const;
  std::size_t count() const;

  WorkerRecord& worker(std::size_t slot) { return records_[slot]; }
  const WorkerRecord& worker(std::size_t slot) const { return records_[slot]; }
  const WorkerSlot& shared(std::size_t slot) const { return scoreboard_.slot(slot); }

  // How many workers the lane should have: the current generation's `processes`, moved by
  // TTIN/TTOU. Kept in the scoreboard, the only copy, so /status shows what the master aims at.
  unsigned target(Lane lane) const { return scoreboard_.counters(lane).target_processes.load(); }
  void setTarget(Lane lane, unsigned target) { scoreboard_.counters(lane).target_processes.store(target); }

 private:
  Scoreboard scoreboard_;
  std::vector<WorkerRecord> records_;  // indexed by slot, like the scoreboard
};

}  // namespace twinlane::pool
