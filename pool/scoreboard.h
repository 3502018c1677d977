// Scoreboard: a table in shared memory, mapped by the master before it forks, with one slot
// per worker and one set of counters per lane. Each worker writes only its own slot (and adds
// to its lane's counters); the master assigns and clears slots and reads them to supervise;
// a fast-lane worker reads the whole table to answer /status. Fields are atomics, so readers
// in other processes never see torn numbers; the URI is best effort.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace twinlane::pool {

enum class WorkerState : std::uint8_t { kEmpty, kStarting, kIdle, kBusy, kExiting };
std::string_view stateName(WorkerState state);

enum class Lane : std::uint8_t { kFast = 0, kSlow = 1 };
inline constexpr std::size_t kLaneCount = 2;
std::string_view laneName(Lane lane);

// Milliseconds on CLOCK_MONOTONIC, which every process on the machine shares.
std::int64_t monotonicMillis();

struct alignas(64) WorkerSlot {
  std::atomic<pid_t> pid{0};
  std::atomic<Lane> lane{Lane::kFast};
  std::atomic<WorkerState> state{WorkerState::kEmpty};
  std::atomic<std::uint32_t> generation{0};
  std::atomic<std::uint32_t> active{0};           // requests in progress (threads of a fast worker)
  std::atomic<std::int64_t> started_ms{0};
  std::atomic<std::int64_t> busy_since_ms{0};     // of the oldest request in progress
  std::atomic<std::uint64_t> requests{0};
  char uri[240] = {};

  // Worker side: one request starts and ends. Safe from several threads of one worker.
  void beginRequest(std::string_view request_uri);
  void endRequest();
  std::string currentUri() const;
};

struct LaneCounters {
  std::atomic<std::uint32_t> target_processes{0};  // written by the master
  std::atomic<std::uint64_t> responses_2xx{0};
  std::atomic<std::uint64_t> responses_4xx{0};
  std::atomic<std::uint64_t> responses_5xx{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> restarts{0};
  std::atomic<std::uint64_t> kills{0};

  void countResponse(int status);
};

class Scoreboard {
 public:
  // Maps an anonymous shared region for `slot_count` workers. Master only, before fork.
  explicit Scoreboard(std::size_t slot_count);
  ~Scoreboard();
  Scoreboard(const Scoreboard&) = delete;
  Scoreboard& operator=(const Scoreboard&) = delete;

  std::size_t size() const { return slot_count_; }
  WorkerSlot& slot(std::size_t index) { return slots_[index]; }
  const WorkerSlot& slot(std::size_t index) const { return slots_[index]; }
  LaneCounters& counters(Lane lane) { return header_->lanes[static_cast<std::size_t>(lane)]; }
  const LaneCounters& counters(Lane lane) const { return header_->lanes[static_cast<std::size_t>(lane)]; }

 private:
  struct Header {
    LaneCounters lanes[kLaneCount];
  };
  // Slots start on a cache line of their own, so a worker's writes do not slow its neighbours.
  static constexpr std::size_t kHeaderBytes = (sizeof(Header) + 63) / 64 * 64;
  std::size_t slot_count_;
  std::size_t bytes_;
  void* region_;
  Header* header_;
  WorkerSlot* slots_;
};

}  // namespace twinlane::pool
