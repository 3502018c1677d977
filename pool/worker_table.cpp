// SPDX-License-Identifier: Apache-2.0
// The master's worker table: see worker_table.h.
#include "pool/worker_table.h"

#include <algorithm>

namespace twinlane::pool {

WorkerTable::WorkerTable(std::size_t slot_count) : scoreboard_(slot_count), records_(slot_count) {}

std::optional<std::size_t> WorkerTable::freeSlot() const {
  const auto free = std::find_if(records_.begin(), records_.end(), [](const WorkerRecord& r) { return r.pid == 0; });
  if (free == records_.end()) return std::nullopt;
  return static_cast<std::size_t>(free - records_.begin());
}

void WorkerTable::assign(std::size_t slot, pid_t pid, Lane lane, const Generation& generation,
                         std::uint32_t generation_number) {
  const std::int64_t now = monotonicMillis();
  records_[slot] = WorkerRecord{pid, lane, &generation, now};
  WorkerSlot& shared = scoreboard_.slot(slot);
  shared.lane.store(lane);
  shared.generation.store(generation_number);
  shared.started_ms.store(now);
  // A worker quick to reach its accept loop has already moved its slot on to idle.
  WorkerState empty = WorkerState::kEmpty;
  shared.state.compare_exchange_strong(empty, WorkerState::kStarting);
  // Last: readers of the scoreboard take a slot with a pid as filled in.
  shared.pid.store(pid);
}

void WorkerTable::release(std::size_t slot) {
  records_[slot] = WorkerRecord{};
  WorkerSlot& shared = scoreboard_.slot(slot);
  shared.pid.store(0);
  shared.state.store(WorkerState::kEmpty);
  shared.lane.store(Lane::kFast);
  shared.generation.store(0);
  shared.active.store(0);
  shared.started_ms.store(0);
  shared.ready_ms.store(0);
  shared.requests.store(0);
  shared.recycle_waiting_since_ms.store(0);
  for (auto& started : shared.request_started_ms) started.store(0);
  for (auto& thread : shared.thread_id) thread.store(0);
  shared.uri[0] = '\0';
}

std::optional<std::size_t> WorkerTable::slotOf(pid_t pid) const {
  const auto found = std::find_if(records_.begin(), records_.end(), [pid](const WorkerRecord& r) { return r.pid == pid; });
  if (pid == 0 || found == records_.end()) return std::nullopt;
  return static_cast<std::size_t>(found - records_.begin());
}

std::vector<std::size_t> WorkerTable::slots() const {
  std::vector<std::size_t> occupied;
  for (std::size_t i = 0; i < records_.size(); ++i) {
    if (records_[i].pid != 0) occupied.push_back(i);
  }
  return occupied;
}

std::size_t WorkerTable::count() const {
  return static_cast<std::size_t>(
      std::count_if(records_.begin(), records_.end(), [](const WorkerRecord& r) { return r.pid != 0; }));
}

}  // namespace twinlane::pool
