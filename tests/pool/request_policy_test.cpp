// SPDX-License-Identifier: Apache-2.0
// The pool's policy for one request, driven without a worker or a socket: a clock the test
// moves, a "client gone" probe it sets, and handlers that answer, stall or throw.
#include "pool/request_policy.h"

#include <Poco/AutoPtr.h>
#include <Poco/Channel.h>
#include <Poco/Message.h>
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "fcgi/http_error.h"
#include "fcgi/request.h"

namespace twinlane::pool {
namespace {

class FakeClock final : public RequestClock {
 public:
  std::int64_t monotonicMillis() const override { return monotonic_ms; }
  std::int64_t realtimeMillis() const override { return realtime_ms; }
  void advance(std::int64_t ms) {
    monotonic_ms += ms;
    realtime_ms += ms;
  }
  std::int64_t monotonic_ms = 5'000'000;
  std::int64_t realtime_ms = 1'700'000'000'000;  // 1700000000.000 in nginx's $msec
};

class CapturedLog final : public Poco::Channel {
 public:
  void log(const Poco::Message& message) override { lines.push_back(message.getText()); }
  std::vector<std::string> lines;
};

std::string headerValue(const fcgi::Response& response, const std::string& name) {
  for (const auto& [key, value] : response.headers()) {
    if (key == name) return value;
  }
  return {};
}

std::uint64_t responsesWith(const LaneCounters& counters, int status) {
  for (std::size_t i = 0; i < kCountedStatuses.size(); ++i) {
    if (kCountedStatuses[i] == status) return counters.responses[i].load();
  }
  return 0;
}

class RequestPolicyTest : public ::testing::Test {
 protected:
  RequestPolicyTest() : board_(1), log_(Poco::Logger::get("test.request_policy")), captured_(new CapturedLog) {
    lane_.queue_timeout = Millis(5000);
    lane_.request_timeout = Millis(30000);
    log_.setChannel(captured_);
    log_.setLevel(Poco::Message::PRIO_INFORMATION);
    board_.slot(0).state.store(WorkerState::kIdle);
  }

  // The worker's policy, made when the fixture is, so the worker started serving at the clock's
  // initial time (1700000000.000).
  const RequestPolicy& policy() const { return policy_; }
  const LaneCounters& counters() const { return board_.counters(Lane::kSlow); }

  // A request start to finish, as a worker runs it; returns what it answered.
  RequestOutcome serve(std::string_view queued_at, const RequestPolicy::Handler& handle) {
    const RequestPolicy p = policy();
    const RequestTiming timing = p.begin(0, "/api/v1/route?from=1&to=2", queued_at);
    RequestOutcome outcome = p.run(timing, "GET", "/api/v1/route?from=1&to=2", [this] { return client_gone_; }, handle);
    p.finish(0, timing, "GET", "/api/v1/route?from=1&to=2", outcome.answered ? outcome.response.status() : 499,
             outcome.error_code);
    return outcome;
  }

  LaneConfig lane_;
  FakeClock clock_;
  Scoreboard board_;
  Poco::Logger& log_;
  Poco::AutoPtr<CapturedLog> captured_;
  bool client_gone_ = false;
  bool computed_ = false;
  const RequestPolicy::Handler answer_ = [this](fcgi::Response& response) {
    computed_ = true;
    response.setBody("application/json", "{}");
  };
  const RequestPolicy policy_{lane_, Millis(1000), board_.slot(0), board_.counters(Lane::kSlow), log_, clock_};
};

TEST_F(RequestPolicyTest, RequestQueuedPastTheQueueTimeoutIs503AndNotComputed) {
  clock_.advance(5001);
  const RequestOutcome outcome = serve("1700000000.000", answer_);
  EXPECT_FALSE(computed_);
  EXPECT_EQ(outcome.response.status(), 503);
  EXPECT_EQ(outcome.error_code, "queue_timeout");
  EXPECT_NE(outcome.response.body().find("\"code\":\"queue_timeout\""), std::string::npos) << outcome.response.body();
  EXPECT_NE(outcome.response.body().find("waited 5001 ms in the queue, longer than 5000 ms"), std::string::npos);
  EXPECT_EQ(headerValue(outcome.response, "Retry-After"), "5");
  EXPECT_EQ(counters().queue_timeouts.load(), 1u);
  EXPECT_EQ(responsesWith(counters(), 503), 1u);
  EXPECT_EQ(counters().queue_wait.count.load(), 1u);
  EXPECT_EQ(counters().timeouts.load(), 0u);
}

// Several hosts: a request in flight to a host whose link was cut waits there for nginx's read
// timeout (queue 5 s + request 30 s + 5 s here), then comes to this host with nginx's first
// stamp. It never queued here that long (nginx would have given up), so it is computed.
TEST_F(RequestPolicyTest, ARequestOlderThanNginxWaitsWasRetriedFromAnotherHostAndIsComputed) {
  clock_.advance(40000);
  const RequestOutcome outcome = serve("1700000000.000", answer_);
  EXPECT_TRUE(computed_);
  EXPECT_EQ(outcome.response.status(), 200);
  EXPECT_EQ(headerValue(outcome.response, "X-Twinlane-Queue-Ms"), "40000");
  EXPECT_EQ(counters().queue_timeouts.load(), 0u);
}

TEST_F(RequestPolicyTest, RequestQueuedUpToTheQueueTimeoutIsComputed) {
  clock_.advance(5000);
  const RequestOutcome outcome = serve("1700000000.000", answer_);
  EXPECT_TRUE(computed_);
  EXPECT_EQ(outcome.response.status(), 200);
  EXPECT_EQ(counters().queue_timeouts.load(), 0u);
  EXPECT_EQ(responsesWith(counters(), 200), 1u);
}

TEST_F(RequestPolicyTest, WaitingForTheWorkersToStartDoesNotCountAgainstTheQueueTimeout) {
  // Queued 10 s before the worker started serving (a master loading its data), taken 100 ms
  // after: computed, and the answer still says how long it waited in all.
  clock_.advance(100);
  const RequestOutcome outcome = serve("1699999990.000", answer_);
  EXPECT_TRUE(computed_);
  EXPECT_EQ(outcome.response.status(), 200);
  EXPECT_EQ(headerValue(outcome.response, "X-Twinlane-Queue-Ms"), "10100");
}

TEST_F(RequestPolicyTest, AfterTheStartTheQueueTimeoutHoldsForRequestsQueuedBefore) {
  clock_.advance(5001);
  const RequestOutcome outcome = serve("1699999990.000", answer_);
  EXPECT_FALSE(computed_);
  EXPECT_EQ(outcome.response.status(), 503);
  EXPECT_NE(outcome.response.body().find("waited 15001 ms in the queue (5001 ms of it after the workers started), "
                                         "longer than 5000 ms"),
            std::string::npos)
      << outcome.response.body();
}

TEST_F(RequestPolicyTest, AnswersSayHowLongTheyQueuedAndComputed) {
  clock_.advance(40);
  const RequestOutcome computed = serve("1700000000.000", [this](fcgi::Response& response) {
    clock_.advance(7);
    response.setBody("application/json", "{}");
  });
  EXPECT_EQ(headerValue(computed.response, "X-Twinlane-Queue-Ms"), "40");
  EXPECT_EQ(headerValue(computed.response, "X-Twinlane-Compute-Ms"), "7");
  const RequestOutcome failed = serve("", [this](fcgi::Response&) {
    clock_.advance(3);
    throw fcgi::HttpError::invalidParameter("to", "no");
  });
  EXPECT_EQ(failed.response.status(), 400);
  EXPECT_EQ(headerValue(failed.response, "X-Twinlane-Queue-Ms"), "") << "nginx did not say when it queued it";
  EXPECT_EQ(headerValue(failed.response, "X-Twinlane-Compute-Ms"), "3");
}

TEST_F(RequestPolicyTest, MissingOrMalformedQueuedAtEnforcesNoQueueTimeout) {
  clock_.advance(60000);
  for (const char* queued_at : {"", "1700000000", "1700000000.1", "17x0000000.000", "1700000000.00a"}) {
    computed_ = false;
    EXPECT_EQ(serve(queued_at, answer_).response.status(), 200) << queued_at;
    EXPECT_TRUE(computed_) << queued_at;
  }
  EXPECT_EQ(counters().queue_wait.count.load(), 0u);
}

TEST_F(RequestPolicyTest, ComputationPastTheRequestTimeoutStopsAt504) {
  const RequestPolicy p = policy();
  const RequestTiming timing = p.begin(0, "/api/v1/matrix", "");
  const auto probe = [this] { return client_gone_; };
  const RequestOutcome outcome = p.run(timing, "POST", "/api/v1/matrix", probe, [&](fcgi::Response&) {
    clock_.advance(30000);
    p.checkpoint(timing, probe);  // exactly at the deadline: goes on
    clock_.advance(1);
    p.checkpoint(timing, probe);
    ADD_FAILURE() << "the checkpoint past the deadline did not stop the computation";
  });
  p.finish(0, timing, "POST", "/api/v1/matrix", outcome.response.status(), outcome.error_code);
  EXPECT_EQ(outcome.response.status(), 504);
  EXPECT_EQ(outcome.error_code, "timeout");
  EXPECT_NE(outcome.response.body().find("request_timeout of 30000 ms"), std::string::npos) << outcome.response.body();
  EXPECT_EQ(counters().timeouts.load(), 1u);
  EXPECT_EQ(responsesWith(counters(), 504), 1u);
  EXPECT_EQ(p.answerBy(timing), timing.deadline_ms + kAnswerGraceMs);
}

TEST_F(RequestPolicyTest, AnyOtherExceptionIs500InternalAndLogged) {
  const RequestOutcome outcome = serve("", [](fcgi::Response&) { throw std::runtime_error("scratch exhausted"); });
  EXPECT_EQ(outcome.response.status(), 500);
  EXPECT_NE(outcome.response.body().find("\"code\":\"internal\""), std::string::npos) << outcome.response.body();
  EXPECT_EQ(outcome.response.body().find("scratch exhausted"), std::string::npos) << "details belong in the log";
  EXPECT_EQ(responsesWith(counters(), 500), 1u);
  ASSERT_FALSE(captured_->lines.empty());
  EXPECT_EQ(captured_->lines.front(), "GET /api/v1/route?from=1&to=2 failed: scratch exhausted");
}

TEST_F(RequestPolicyTest, HttpErrorFromTheHandlerIsItsAnswer) {
  const RequestOutcome outcome =
      serve("", [](fcgi::Response&) { throw fcgi::HttpError::invalidParameter("from", "not a node id"); });
  EXPECT_EQ(outcome.response.status(), 400);
  EXPECT_EQ(outcome.error_code, "invalid_parameter");
  EXPECT_EQ(responsesWith(counters(), 400), 1u);
}

TEST_F(RequestPolicyTest, ClientGoneBeforeTheStartIsNotComputedNorAnswered) {
  client_gone_ = true;
  const RequestOutcome outcome = serve("", answer_);
  EXPECT_FALSE(computed_);
  EXPECT_FALSE(outcome.answered);
  EXPECT_EQ(counters().abandoned.load(), 1u);
  EXPECT_EQ(responsesWith(counters(), 499), 1u);
}

TEST_F(RequestPolicyTest, ClientGoneWhileQueuedIsNotComputed) {
  client_gone_ = true;
  clock_.advance(10);
  const RequestOutcome outcome = serve("1700000000.000", answer_);
  EXPECT_FALSE(computed_);
  EXPECT_FALSE(outcome.answered);
}

// Asking costs a syscall per request; a request handed on just now is computed without asking.
TEST_F(RequestPolicyTest, ARequestThatDidNotWaitIsComputedWithoutAskingAboutItsClient) {
  client_gone_ = true;
  clock_.advance(9);
  const RequestOutcome outcome = serve("1700000000.000", answer_);
  EXPECT_TRUE(computed_);
  EXPECT_TRUE(outcome.answered);
}

TEST_F(RequestPolicyTest, ClientLeavingMidComputeStopsAtTheNextCheckpoint) {
  const RequestPolicy p = policy();
  const RequestTiming timing = p.begin(0, "/api/v1/route", "");
  const auto probe = [this] { return client_gone_; };
  const RequestOutcome outcome = p.run(timing, "GET", "/api/v1/route", probe, [&](fcgi::Response&) {
    client_gone_ = true;
    p.checkpoint(timing, probe);
  });
  EXPECT_FALSE(outcome.answered);
}

TEST_F(RequestPolicyTest, RequestHoldsItsSlotBusyUntilFinished) {
  const RequestPolicy p = policy();
  const RequestTiming timing = p.begin(0, "/api/v1/route", "");
  EXPECT_EQ(board_.slot(0).state.load(), WorkerState::kBusy);
  EXPECT_EQ(board_.slot(0).currentUri(), "/api/v1/route");
  p.finish(0, timing, "GET", "/api/v1/route", 200, "");
  EXPECT_EQ(board_.slot(0).state.load(), WorkerState::kIdle);
  EXPECT_EQ(board_.slot(0).requests.load(), 1u);
  EXPECT_EQ(counters().request_duration.count.load(), 1u);
}

TEST_F(RequestPolicyTest, SlowRequestIsLoggedWithItsTimes) {
  serve("1700000000.000", [this](fcgi::Response&) { clock_.advance(1500); });
  ASSERT_EQ(captured_->lines.size(), 1u);
  EXPECT_EQ(captured_->lines.front(), "slow request: GET /api/v1/route?from=1&to=2 -> 200 in 1500 ms (queued 0 ms)");
}

}  // namespace
}  // namespace twinlane::pool
