// SPDX-License-Identifier: Apache-2.0
// The shared-memory scoreboard: see scoreboard.h.
#include "pool/scoreboard.h"

#include <sys/mman.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>
#include <system_error>

namespace twinlane::pool {

std::string_view stateName(WorkerState state) {
  switch (state) {
    case WorkerState::kEmpty: return "empty";
    case WorkerState::kStarting: return "starting";
    case WorkerState::kIdle: return "idle";
    case WorkerState::kBusy: return "busy";
    case WorkerState::kExiting: return "exiting";
  }
  return "unknown";
}

std::int64_t monotonicMillis() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

bool WorkerSlot::markReady() {
  for (const WorkerState before : {WorkerState::kEmpty, WorkerState::kStarting}) {
    WorkerState expected = before;
    if (state.compare_exchange_strong(expected, WorkerState::kIdle)) {
      ready_ms.store(monotonicMillis());
      return true;
    }
  }
  return false;
}

void WorkerSlot::beginRequest(std::size_t thread, std::string_view request_uri) {
  // A request without REQUEST_URI or DOCUMENT_URI has an empty view whose data() may be null.
  const std::size_t n = std::min(request_uri.size(), sizeof uri - 1);
  if (n > 0) std::memcpy(uri, request_uri.data(), n);
  uri[n] = '\0';
  request_started_ms[thread].store(monotonicMillis());
  if (active.fetch_add(1) == 0) {
    WorkerState expected = WorkerState::kIdle;
    state.compare_exchange_strong(expected, WorkerState::kBusy);
  }
}

void WorkerSlot::endRequest(std::size_t thread) {
  request_started_ms[thread].store(0);
  requests.fetch_add(1);
  if (active.fetch_sub(1) == 1) {
    WorkerState expected = WorkerState::kBusy;
    state.compare_exchange_strong(expected, WorkerState::kIdle);
  }
}

std::pair<std::int64_t, std::size_t> WorkerSlot::oldestRequest() const {
  std::pair<std::int64_t, std::size_t> oldest{0, 0};
  for (std::size_t i = 0; i < kMaxThreads; ++i) {
    const std::int64_t started = request_started_ms[i].load();
    if (started != 0 && (oldest.first == 0 || started < oldest.first)) oldest = {started, i};
  }
  return oldest;
}

std::string WorkerSlot::currentUri() const {
  char copy[sizeof uri];
  std::memcpy(copy, uri, sizeof uri);
  copy[sizeof copy - 1] = '\0';
  return copy;
}

void Histogram::observe(double seconds) {
  std::size_t bucket = 0;
  while (bucket < kBounds.size() && seconds > kBounds[bucket]) ++bucket;
  if (bucket < kBounds.size()) buckets[bucket].fetch_add(1);
  count.fetch_add(1);
  sum_us.fetch_add(static_cast<std::uint64_t>(std::max(0.0, seconds) * 1e6));
}

std::string_view reasonName(RestartReason reason) {
  switch (reason) {
    case RestartReason::kCrash: return "crash";
    case RestartReason::kDeadline: return "deadline";
    case RestartReason::kMaxRequests: return "max_requests";
    case RestartReason::kMemory: return "max_private_memory";
  }
  return "unknown";
}

void LaneCounters::countResponse(int status) {
  std::size_t index = kCountedStatuses.size() - 1;
  for (std::size_t i = 0; i + 1 < kCountedStatuses.size(); ++i) {
    if (kCountedStatuses[i] == status) index = i;
  }
  responses[index].fetch_add(1);
}

std::uint64_t LaneCounters::responsesInClass(int hundred) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i + 1 < kCountedStatuses.size(); ++i) {
    if (kCountedStatuses[i] / 100 == hundred) total += responses[i].load();
  }
  return total;
}

std::uint64_t LaneCounters::totalRestarts() const {
  std::uint64_t total = 0;
  for (const auto& count : restarts) total += count.load();
  return total;
}

Scoreboard::Scoreboard(std::size_t slot_count)
    : slot_count_(slot_count), bytes_(kHeaderBytes + slot_count * sizeof(WorkerSlot)) {
  static_assert(std::atomic<std::uint64_t>::is_always_lock_free, "shared-memory atomics must be lock-free");
  region_ = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (region_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "cannot map the scoreboard");
  header_ = new (region_) Header();
  slots_ = reinterpret_cast<WorkerSlot*>(static_cast<char*>(region_) + kHeaderBytes);
  for (std::size_t i = 0; i < slot_count_; ++i) new (&slots_[i]) WorkerSlot();
}

Scoreboard::~Scoreboard() { ::munmap(region_, bytes_); }

}  // namespace twinlane::pool
