// SPDX-License-Identifier: Apache-2.0
// The pool's policy for one request: see request_policy.h.
#include "pool/request_policy.h"

#include <time.h>

#include <algorithm>
#include <charconv>

#include "fcgi/http_error.h"
#include "fcgi/request.h"
#include "pool/deadlines.h"

namespace twinlane::pool {
namespace {

static_assert(kAnswerGraceMs < kKillGraceMs, "an answer must be written before the master kills its worker");

class SystemClock final : public RequestClock {
 public:
  std::int64_t monotonicMillis() const override { return pool::monotonicMillis(); }
  std::int64_t realtimeMillis() const override {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
  }
};

// A request handed on less than this long ago is computed without asking whether its client
// left (a poll per request): only a wait gives a client time to give up, and computing a
// request that short a wait would cost is cheaper than the question.
constexpr std::int64_t kAbandonCheckAfterMs = 10;

bool mayBeAbandoned(const RequestTiming& timing) {
  return !timing.queue_wait_ms || *timing.queue_wait_ms >= kAbandonCheckAfterMs;
}

std::string retryAfterSeconds(Millis hint) { return std::to_string(std::max<std::int64_t>(1, (hint.count() + 999) / 1000)); }

}  // namespace

const RequestClock& systemClock() {
  static const SystemClock clock;
  return clock;
}

std::optional<std::int64_t> parseQueuedAt(std::string_view text) {
  const auto dot = text.find('.');
  if (dot == std::string_view::npos || text.size() != dot + 4) return std::nullopt;
  std::int64_t seconds = 0;
  std::int64_t millis = 0;
  const auto s = std::from_chars(text.data(), text.data() + dot, seconds);
  const auto m = std::from_chars(text.data() + dot + 1, text.data() + text.size(), millis);
  if (s.ec != std::errc{} || s.ptr != text.data() + dot || m.ec != std::errc{} || m.ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return seconds * 1000 + millis;
}

RequestPolicy::RequestPolicy(const LaneConfig& lane, Millis slow_request, WorkerSlot& slot, LaneCounters& counters,
                             Poco::Logger& log, const RequestClock& clock)
    : lane_(lane),
      slow_request_(slow_request),
      slot_(slot),
      counters_(counters),
      log_(log),
      clock_(clock),
      serving_since_ms_(clock.realtimeMillis()) {}

RequestTiming RequestPolicy::begin(std::size_t thread, std::string_view uri, std::string_view queued_at) const {
  RequestTiming timing;
  timing.started_ms = clock_.monotonicMillis();
  timing.deadline_ms = timing.started_ms + lane_.request_timeout.count();
  slot_.beginRequest(thread, uri);
  if (const auto queued_at_ms = parseQueuedAt(queued_at)) {
    const std::int64_t now_ms = clock_.realtimeMillis();
    timing.queue_wait_ms = std::max<std::int64_t>(0, now_ms - *queued_at_ms);
    timing.charged_wait_ms = std::max<std::int64_t>(0, now_ms - std::max(*queued_at_ms, serving_since_ms_));
    // Older than nginx waits for an answer, it cannot have waited in this lane's queue: nginx
    // sent it here after another host took the connection and never answered (its link was
    // cut), and nginx stamps a request once, not per host. The client still waits: serve it.
    if (*timing.queue_wait_ms >= lane_.upstreamReadTimeout().count()) timing.charged_wait_ms = 0;
  }
  return timing;
}

void RequestPolicy::checkpoint(const RequestTiming& timing, const ClientGoneProbe& client_gone) const {
  if (client_gone()) throw fcgi::ClientGone();
  if (clock_.monotonicMillis() > timing.deadline_ms) {
    throw fcgi::HttpError(504, "timeout", "the computation passed the request_timeout of " +
                                              std::to_string(lane_.request_timeout.count()) + " ms and was stopped");
  }
}

RequestOutcome RequestPolicy::run(const RequestTiming& timing, std::string_view method, std::string_view uri,
                                  const ClientGoneProbe& client_gone, const Handler& handle) const {
  RequestOutcome outcome;
  try {
    if (mayBeAbandoned(timing) && client_gone()) throw fcgi::ClientGone();
    if (timing.charged_wait_ms && *timing.charged_wait_ms > lane_.queue_timeout.count()) {
      const bool waited_for_start = *timing.charged_wait_ms < *timing.queue_wait_ms;
      throw fcgi::HttpError(503, "queue_timeout",
                            "the request waited " + std::to_string(*timing.queue_wait_ms) + " ms in the queue" +
                                (waited_for_start ? " (" + std::to_string(*timing.charged_wait_ms) +
                                                        " ms of it after the workers started)"
                                                  : std::string()) +
                                ", longer than " + std::to_string(lane_.queue_timeout.count()) +
                                " ms; it was not computed",
                            {{"Retry-After", retryAfterSeconds(lane_.queue_timeout)}});
    }
    handle(outcome.response);
  } catch (const fcgi::ClientGone&) {
    outcome.answered = false;
  } catch (const fcgi::HttpError& error) {
    outcome.error_code = error.code();
    outcome.response = fcgi::Response();
    outcome.response.setError(error);
  } catch (const std::exception& error) {
    log_.error("%s %s failed: %s", std::string(method), std::string(uri), std::string(error.what()));
    outcome.response = fcgi::Response();
    outcome.response.setError(fcgi::HttpError(500, "internal", "internal error; the server log has the details"));
  }
  // What this request cost, for clients that show it (the map page): time in the lane's queue
  // when nginx said when it handed the request on, and time in the worker until now.
  if (timing.queue_wait_ms) outcome.response.addHeader("X-Twinlane-Queue-Ms", std::to_string(*timing.queue_wait_ms));
  outcome.response.addHeader("X-Twinlane-Compute-Ms", std::to_string(clock_.monotonicMillis() - timing.started_ms));
  return outcome;
}

void RequestPolicy::finish(std::size_t thread, const RequestTiming& timing, std::string_view method,
                           std::string_view uri, int status, std::string_view error_code) const {
  const std::int64_t took_ms = clock_.monotonicMillis() - timing.started_ms;
  counters_.countResponse(status);
  if (status == 499) counters_.abandoned.fetch_add(1);
  if (error_code == "timeout") counters_.timeouts.fetch_add(1);
  if (error_code == "queue_timeout") counters_.queue_timeouts.fetch_add(1);
  counters_.request_duration.observe(static_cast<double>(took_ms) / 1000);
  if (timing.queue_wait_ms) counters_.queue_wait.observe(static_cast<double>(*timing.queue_wait_ms) / 1000);
  if (slow_request_.count() > 0 && took_ms >= slow_request_.count()) {
    log_.warning("slow request: %s %s -> %d in %ld ms (queued %ld ms)", std::string(method), std::string(uri), status,
                 static_cast<long>(took_ms), static_cast<long>(timing.queue_wait_ms.value_or(0)));
  } else if (status == 499) {
    log_.information("%s %s: the client left; not computed or not answered", std::string(method), std::string(uri));
  }
  slot_.endRequest(thread);
}

}  // namespace twinlane::pool
