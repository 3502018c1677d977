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

std::string_view laneName(Lane lane) { return lane == Lane::kFast ? "fast" : "slow"; }

std::int64_t monotonicMillis() {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

void WorkerSlot::beginRequest(std::string_view request_uri) {
  if (active.fetch_add(1) == 0) {
    const std::size_t n = std::min(request_uri.size(), sizeof uri - 1);
    std::memcpy(uri, request_uri.data(), n);
    uri[n] = '\0';
    busy_since_ms.store(monotonicMillis());
    state.store(WorkerState::kBusy);
  }
}

void WorkerSlot::endRequest() {
  requests.fetch_add(1);
  if (active.fetch_sub(1) == 1) {
    WorkerState expected = WorkerState::kBusy;
    state.compare_exchange_strong(expected, WorkerState::kIdle);
  }
}

std::string WorkerSlot::currentUri() const {
  char copy[sizeof uri];
  std::memcpy(copy, uri, sizeof uri);
  copy[sizeof copy - 1] = '\0';
  return copy;
}

void LaneCounters::countResponse(int status) {
  if (status < 400) {
    responses_2xx.fetch_add(1);
  } else if (status < 500) {
    responses_4xx.fetch_add(1);
  } else {
    responses_5xx.fetch_add(1);
  }
  if (status == 504) timeouts.fetch_add(1);
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
