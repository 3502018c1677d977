// SPDX-License-Identifier: Apache-2.0
// The slow lane's request deadline: a computation that checks its deadline stops at
// `request_timeout` with 504 `timeout` and the worker lives on; one that never checks (`spin`)
// is still busy a second later, so the master writes its stack to the log, kills it and starts
// a new worker, and the client gets nginx's JSON 502.
#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "integration_stack.h"
#include "prometheus_text.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kRequestTimeout = "1s";

TEST(PoolDeadline, ASleepPastRequestTimeoutAnswers504AndTheWorkerLivesOn) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.request_timeout = kRequestTimeout;
  TwinlaneStack stack(options);
  const auto before = stack.workerPids("slow");

  const auto answer = stack.get("/api/v1/test/sleep?ms=5000");

  EXPECT_TRUE(isApiError(answer, 504, "timeout"));
  EXPECT_GE(answer.elapsed(), 1000ms);
  EXPECT_LT(answer.elapsed(), 2000ms) << "the cooperative deadline did not stop the sleep near 1 s";
  EXPECT_EQ(stack.workerPids("slow"), before) << "a cooperative timeout must not cost the worker";
  const auto slow = stack.status()->getObject("lanes")->getObject("slow");
  EXPECT_EQ(slow->getObject("requests")->getValue<long>("timeouts"), 1) << toString(slow);
  EXPECT_EQ(slow->getValue<long>("kills"), 0) << toString(slow);
}

TEST(PoolDeadline, ASpinningWorkerIsKilledWithItsStackLoggedAndReplaced) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.request_timeout = kRequestTimeout;
  options.expected_log_errors = {"killing slow worker"};
  TwinlaneStack stack(options);
  const auto before = stack.workerPids("slow");
  ASSERT_EQ(before.size(), 1u);
  const pid_t stuck = before.front();

  const auto answer = stack.get("/api/v1/test/spin");

  // The spin never reaches a checkpoint, so no 504 comes from the worker: it is killed, and
  // nginx answers for it.
  EXPECT_TRUE(isApiError(answer, 502, "bad_gateway"));
  EXPECT_LT(answer.elapsed(), 5000ms) << "the kill comes about 1.3 s after request_timeout";
  std::vector<pid_t> after;
  ASSERT_TRUE(waitFor(
      [&] {
        const auto pool = stack.poolStatus();
        after = pool.lane("slow").pids();
        return pool.lane("slow").ready() && after.front() != stuck;
      },
      10s))
      << "the stuck worker " << stuck << " was not replaced";
  EXPECT_TRUE(processGone(stuck));
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/test/sleep?ms=1"))) << "the replacement serves";

  const std::string log = stack.masterLog();
  EXPECT_NE(log.find("killing slow worker " + std::to_string(stuck) + " serving /api/v1/test/spin for"), std::string::npos)
      << "no kill line naming the pid and the URI";
  const auto header = log.find("twinlane worker: stack of the thread serving the overdue request:");
  ASSERT_NE(header, std::string::npos) << "no stack dump in the master log";
  EXPECT_NE(log.find("spinForever", header), std::string::npos) << "the stack dump does not name spinForever";

  const auto slow = stack.status()->getObject("lanes")->getObject("slow");
  EXPECT_EQ(slow->getValue<long>("kills"), 1) << toString(slow);
  const auto metrics = stack.get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metricValue(metrics.body, R"(twinlane_worker_restarts_total{lane="slow",reason="deadline"})"), 1.0)
      << metrics.body;
  EXPECT_EQ(metricValue(metrics.body, R"(twinlane_worker_kills_total{lane="slow"})"), 1.0) << metrics.body;
}

}  // namespace
}  // namespace twinlane::test
