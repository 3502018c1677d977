// SPDX-License-Identifier: Apache-2.0
// RequestPolicy: what the pool does with one request between accepting it and writing its
// answer, apart from sockets and processes: refuse it unanswered-for-too-long (503
// queue_timeout, not computed), skip it when its client has gone, run the handler under the
// lane's cooperative deadline (504 timeout), turn anything else a handler throws into 500
// internal, and account for it (the worker's scoreboard slot, the lane's counters and
// histograms, the slow-request log). The clock and the "client gone" probe come from the
// caller, so a unit test drives it without a worker, a socket or a wait.
// Worker side; one per worker process, shared by its serving threads.
#pragma once

#include <Poco/Logger.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "fcgi/response.h"
#include "pool/config.h"
#include "pool/scoreboard.h"

namespace twinlane::pool {

class RequestClock {
 public:
  virtual ~RequestClock() = default;
  // CLOCK_MONOTONIC: durations and deadlines.
  virtual std::int64_t monotonicMillis() const = 0;
  // Wall-clock time: nginx's $msec, which it passes as TWINLANE_QUEUED_AT, is one.
  virtual std::int64_t realtimeMillis() const = 0;
};
const RequestClock& systemClock();

// The times of one request, from RequestPolicy::begin.
struct RequestTiming {
  std::int64_t started_ms = 0;   // monotonic
  std::int64_t deadline_ms = 0;  // monotonic: started_ms + request_timeout
  std::optional<std::int64_t> queue_wait_ms;  // nullopt: nginx did not say when it queued it
  // The part of the wait the queue timeout judges: since the request was queued or since this
  // worker started serving, whichever is later (see RequestPolicy).
  std::optional<std::int64_t> charged_wait_ms;
};

// What the handler produced, or what the policy answered instead.
struct RequestOutcome {
  fcgi::Response response;
  bool answered = true;    // false: the client left; nothing is to be written
  std::string error_code;  // the API's error code when the answer is an error
};

// How long past its deadline a request's answer may still be written: less than the master's
// kill grace (deadlines.h), so a peer that reads slowly cannot turn a finished request into a kill.
inline constexpr std::int64_t kAnswerGraceMs = 500;

class RequestPolicy {
 public:
  using ClientGoneProbe = std::function<bool()>;
  using Handler = std::function<void(fcgi::Response&)>;

  RequestPolicy(const LaneConfig& lane, Millis slow_request, WorkerSlot& slot, LaneCounters& counters,
                Poco::Logger& log, const RequestClock& clock = systemClock());

  // A request arrived on serving thread `thread`: marks it in the scoreboard slot and starts its
  // clock. `queued_at` is its TWINLANE_QUEUED_AT ("1700000000.123"; empty or malformed: no
  // queue timeout applies).
  RequestTiming begin(std::size_t thread, std::string_view uri, std::string_view queued_at) const;

  // The cooperative checkpoint long computations call (fcgi::Request::checkpoint): throws
  // fcgi::ClientGone when the client has gone, HttpError 504 timeout past the deadline.
  void checkpoint(const RequestTiming& timing, const ClientGoneProbe& client_gone) const;

  // Runs `handle`, unless the request queued longer than queue.timeout (503 queue_timeout with
  // Retry-After; what counts is the wait since this worker started serving, when that is later:
  // requests held in the lane socket while a master starts or restarts, loading its data, were
  // not refused by an overloaded lane but waited for one, so they get a full queue.timeout once
  // the workers serve, as the socket units promise) or its client is already gone (no answer). HttpError becomes its answer,
  // ClientGone no answer, any other exception 500 internal (logged). Never throws. Every answer
  // carries X-Twinlane-Compute-Ms (ms since begin) and, when known, X-Twinlane-Queue-Ms.
  RequestOutcome run(const RequestTiming& timing, std::string_view method, std::string_view uri,
                     const ClientGoneProbe& client_gone, const Handler& handle) const;

  // When the answer must be written by (monotonic ms).
  std::int64_t answerBy(const RequestTiming& timing) const { return timing.deadline_ms + kAnswerGraceMs; }

  // The request is over: counts `status` (499: the client left before the answer) and its
  // error code in the lane's counters, observes its duration and queue wait, logs it when slow
  // or abandoned, and marks thread `thread` idle in the slot.
  void finish(std::size_t thread, const RequestTiming& timing, std::string_view method, std::string_view uri,
              int status, std::string_view error_code) const;

 private:
  const LaneConfig& lane_;
  Millis slow_request_;
  WorkerSlot& slot_;
  LaneCounters& counters_;
  Poco::Logger& log_;
  const RequestClock& clock_;
  std::int64_t serving_since_ms_;  // realtime: when this worker started serving (construction)
};

// nginx's $msec ("1700000000.123") in milliseconds; nullopt when absent or malformed.
std::optional<std::int64_t> parseQueuedAt(std::string_view text);

}  // namespace twinlane::pool
