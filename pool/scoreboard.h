// SPDX-License-Identifier: Apache-2.0
// Scoreboard: a table in shared memory, mapped by the master before it forks, with one slot
// per worker and one set of counters per lane. Each worker writes only its own slot (and adds
// to its lane's counters); the master assigns and clears slots and reads them to supervise
// (deadlines, /status); a fast-lane worker reads the whole table to answer /status and
// /metrics. Fields are lock-free atomics, so readers in other processes never see torn
// numbers; the URI text is best effort.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "pool/lane.h"

namespace twinlane::pool {

enum class WorkerState : std::uint8_t { kEmpty, kStarting, kIdle, kBusy, kExiting };
std::string_view stateName(WorkerState state);

// Serving threads per worker that the scoreboard can follow (lanes.*.threads is capped here).
inline constexpr std::size_t kMaxThreads = 64;

// Milliseconds on CLOCK_MONOTONIC, which every process on the machine shares.
std::int64_t monotonicMillis();

struct alignas(64) WorkerSlot {
  std::atomic<pid_t> pid{0};
  std::atomic<Lane> lane{Lane::kFast};
  std::atomic<WorkerState> state{WorkerState::kEmpty};
  std::atomic<std::uint32_t> generation{0};
  std::atomic<std::uint32_t> active{0};  // requests in progress
  std::atomic<std::int64_t> started_ms{0};
  // When the worker first reached its accept loop; 0 while it has not (the master then treats
  // its end as a failure to start, see judgeWorkerEnd).
  std::atomic<std::int64_t> ready_ms{0};
  std::atomic<std::uint64_t> requests{0};
  // When the worker found it must leave to be recycled while another worker of its lane held the
  // recycling lock; 0 when it is not waiting. The master hands the lock to the longest waiting.
  std::atomic<std::int64_t> recycle_waiting_since_ms{0};
  // Per serving thread: when its current request started (0: idle) and its kernel thread id,
  // so the master can find the oldest request and signal exactly the thread stuck in it.
  std::array<std::atomic<std::int64_t>, kMaxThreads> request_started_ms{};
  std::array<std::atomic<pid_t>, kMaxThreads> thread_id{};
  char uri[256] = {};

  // Worker side, once a serving thread reaches its accept loop: the first one marks the worker
  // idle and ready. The master records the worker in its slot just after fork (WorkerTable::
  // assign), so the slot may still be empty here, or already starting. True for the thread
  // that made the worker ready.
  bool markReady();
  // Worker side, from serving thread `thread`.
  void beginRequest(std::size_t thread, std::string_view request_uri);
  void endRequest(std::size_t thread);
  // The start of the oldest request in progress and its thread; {0, 0} when idle.
  std::pair<std::int64_t, std::size_t> oldestRequest() const;
  std::string currentUri() const;
};

// Prometheus-style cumulative histogram with fixed bounds, in seconds.
struct Histogram {
  static constexpr std::array<double, 13> kBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,     2.5,  5,     10,   30};
  std::array<std::atomic<std::uint64_t>, kBounds.size()> buckets{};  // non-cumulative counts
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_us{0};

  void observe(double seconds);
};

// The status codes counted one by one; anything else counts under 0.
inline constexpr std::array<int, 12> kCountedStatuses = {200, 400, 404, 405, 413, 415, 499, 500, 502, 503, 504, 0};

enum class RestartReason : std::uint8_t { kCrash, kDeadline, kMaxRequests, kMemory };
inline constexpr std::size_t kRestartReasonCount = 4;
std::string_view reasonName(RestartReason reason);

// The recycling lock's value while the master waits for a recycled worker's replacement.
inline constexpr pid_t kRecyclingHandover = -1;

struct LaneCounters {
  std::atomic<std::uint32_t> target_processes{0};  // written by the master
  // The worker leaving to be recycled (or granted its turn to), kRecyclingHandover, or 0.
  std::atomic<pid_t> recycling{0};
  std::array<std::atomic<std::uint64_t>, kCountedStatuses.size()> responses{};
  std::atomic<std::uint64_t> queue_timeouts{0};
  std::atomic<std::uint64_t> timeouts{0};
  std::atomic<std::uint64_t> abandoned{0};  // the client left before the answer
  std::array<std::atomic<std::uint64_t>, kRestartReasonCount> restarts{};
  std::atomic<std::uint64_t> kills{0};
  std::atomic<std::uint64_t> bad_fastcgi{0};  // connections refused for breaking the protocol
  std::atomic<std::uint64_t> rejected_peers{0};  // TCP connections from outside lanes.L.allow
  Histogram request_duration;
  Histogram queue_wait;

  void countResponse(int status);
  std::uint64_t responsesInClass(int hundred) const;  // 2, 4 or 5
  std::uint64_t totalRestarts() const;
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
