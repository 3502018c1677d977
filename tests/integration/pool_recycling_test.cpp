// SPDX-License-Identifier: Apache-2.0
// Recycling: a slow worker that has served `max_requests` or whose private memory passed
// `max_private_memory` leaves after its current request and is replaced, one worker of a lane
// at a time, so clients never see a failure and the lane never has no worker serving.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "fastcgi_client.h"
#include "integration_stack.h"
#include "load_generator.h"
#include "pool_status.h"
#include "proc_info.h"
#include "prometheus_text.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

bool contains(const std::vector<pid_t>& pids, pid_t pid) { return std::find(pids.begin(), pids.end(), pid) != pids.end(); }

double restarts(const TwinlaneStack& stack, const std::string& reason) {
  const auto metrics = stack.get("/metrics");
  if (metrics.status != 200) throw std::runtime_error("/metrics: " + metrics.describe());
  const auto value = metricValue(metrics.body, R"(twinlane_worker_restarts_total{lane="slow",reason=")" + reason + "\"}");
  if (!value) throw std::runtime_error("/metrics has no slow restarts for " + reason + ":\n" + metrics.body);
  return *value;
}

TEST(PoolRecycling, MaxRequestsRecyclesWorkersOneAtATimeWithoutAFailedRequest) {
  constexpr int kRequests = 60;
  constexpr int kClients = 4;
  constexpr int kMaxStatusSamples = 2000;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 2;
  options.slow_settings = {"max_requests: 5", "max_requests_jitter: 0"};
  TwinlaneStack stack(options);
  const auto before = stack.workerPids("slow");

  LoadGenerator load({.port = stack.port(), .clients = kClients, .duration = 30s, .max_requests = kRequests,
                      .path = [](int) { return std::string("/api/v1/test/sleep?ms=20"); }});
  // While the load runs, the slow lane must always have a worker serving (idle or busy).
  int fewest_serving = 2;
  int samples = 0;
  std::string fewest_seen;
  waitFor(
      [&] {
        try {
          const auto status = stack.status();
          const auto lane = parsePoolStatus(status).lane("slow");
          const int serving = lane.idle + lane.busy;
          if (serving < fewest_serving) {
            fewest_serving = serving;
            fewest_seen = toString(status->getObject("lanes")->getObject("slow"));
          }
        } catch (const std::exception& error) {
          ADD_FAILURE() << "/status during the load: " << error.what();
        }
        return load.completed() >= kRequests || ++samples >= kMaxStatusSamples;
      },
      40s, 5ms);
  const auto report = load.finish();

  EXPECT_EQ(report.count(200), kRequests) << report.describeOther(200);
  EXPECT_TRUE(report.failures.empty()) << report.describeOther(200);
  EXPECT_GE(fewest_serving, 1) << "the slow lane had no worker serving at one moment: " << fewest_seen;
  RecordProperty("status_samples", std::to_string(samples));
  RecordProperty("fewest_slow_serving", std::to_string(fewest_serving));

  std::vector<pid_t> after;
  ASSERT_TRUE(waitFor(
      [&] {
        const auto lane = stack.poolStatus().lane("slow");
        after = lane.pids();
        return lane.ready();
      },
      10s));
  for (const pid_t pid : before) EXPECT_FALSE(contains(after, pid)) << "worker " << pid << " was never recycled";
  const double recycled = restarts(stack, "max_requests");
  EXPECT_GE(recycled, 2.0);
  EXPECT_LE(recycled, kRequests / 5.0) << "a worker left before serving max_requests";
  EXPECT_EQ(restarts(stack, "crash"), 0.0);
  EXPECT_NE(stack.masterLog().find("recycled after max_requests"), std::string::npos);
}

// The pid of the test app worker that answered (every answer carries it); 0 without one.
pid_t answeredBy(const FastcgiExchange& answer) {
  constexpr std::string_view kKey = "\"pid\":";
  const auto at = answer.received.find(kKey);
  return at == std::string::npos ? 0 : static_cast<pid_t>(std::atol(answer.received.c_str() + at + kKey.size()));
}

// A worker that became due while another worker of its lane was leaving gets its turn once the
// lane is fully staffed again, and takes it at once though idle. (Were it to wait for its next
// request, it would hold the lane's turn while nginx sent its kept connections' requests to the
// others, and they could not be recycled either.) The clients are FastCGI peers on the slow
// socket, one thread per worker, so each kept connection stays with the worker that accepted it:
// a new connection goes to the worker that is not busy.
TEST(PoolRecycling, AWorkerWhoseTurnComesLeavesAtOnceThoughIdle) {
  constexpr auto kAnswerDeadline = 10s;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 2;
  options.fast_routes = {"status", "metrics"};
  options.slow_routes = {"pid", "sleep"};
  options.slow_settings = {"max_requests: 3", "max_requests_jitter: 0"};
  TwinlaneStack stack(options);
  const auto request = [](const std::string& uri) { return fastcgiRequest(nginxParams("GET", uri), {}, true); };
  const auto busy = [&](int workers) {
    return waitFor([&] { return stack.poolStatus().lane("slow").busy == workers; }, 5s);
  };

  // Pins `to_first` and `also_to_first` to one worker and `to_second` to the other, two
  // requests each.
  FastcgiConnection to_first(stack.socketPath("slow"));
  ASSERT_TRUE(to_first.send(request("/api/v1/test/sleep?ms=300")));
  ASSERT_TRUE(busy(1));
  FastcgiConnection to_second(stack.socketPath("slow"));
  ASSERT_TRUE(to_second.send(request("/api/v1/test/pid")));
  const pid_t second = answeredBy(to_second.readAnswer(kAnswerDeadline));
  const pid_t first = answeredBy(to_first.readAnswer(kAnswerDeadline));
  ASSERT_NE(first, 0);
  ASSERT_NE(second, 0);
  ASSERT_NE(first, second);
  ASSERT_TRUE(to_second.send(request("/api/v1/test/sleep?ms=300")));  // the second's 2nd
  ASSERT_TRUE(busy(1));
  FastcgiConnection also_to_first(stack.socketPath("slow"));
  ASSERT_TRUE(also_to_first.send(request("/api/v1/test/pid")));  // the first's 2nd
  ASSERT_EQ(answeredBy(also_to_first.readAnswer(kAnswerDeadline)), first);
  ASSERT_EQ(answeredBy(to_second.readAnswer(kAnswerDeadline)), second);

  // The first's 3rd makes it due and it leaves, holding the lane's turn while it serves the
  // 1 s sleep that waits on its other connection.
  ASSERT_TRUE(to_first.send(request("/api/v1/test/sleep?ms=200")));
  ASSERT_TRUE(busy(1));
  ASSERT_TRUE(also_to_first.send(request("/api/v1/test/sleep?ms=1000")));
  const std::string first_leaves = "[" + std::to_string(first) + "] twinlane.worker: slow worker leaving to be recycled";
  ASSERT_TRUE(waitFor([&] { return stack.masterLog().find(first_leaves) != std::string::npos; }, 5s))
      << stack.masterLog();
  // Meanwhile the second's 3rd makes it due too: it must wait for its turn, and then nothing
  // sends it another request.
  ASSERT_TRUE(to_second.send(request("/api/v1/test/pid")));
  const auto third = to_second.readAnswer(kAnswerDeadline);
  ASSERT_EQ(answeredBy(third), second);
  EXPECT_EQ(to_first.readAnswer(kAnswerDeadline).status(), 200);
  EXPECT_EQ(also_to_first.readAnswer(kAnswerDeadline).status(), 200) << "the leaving worker dropped a waiting request";
  ASSERT_FALSE(processGone(second)) << "the second worker left before the first's replacement was ready";

  EXPECT_TRUE(waitFor([&] { return processGone(first) && processGone(second); }, 10s))
      << "the idle worker whose turn came is still there:\n" << stack.masterLog();
  EXPECT_TRUE(to_second.readAnswer(kAnswerDeadline).closed) << "its kept connection stayed open";
  const std::string second_leaves = "[" + std::to_string(second) +
                                    "] twinlane.worker: slow worker leaving to be recycled (recycled after "
                                    "max_requests) after 3 requests, on its turn";
  EXPECT_NE(stack.masterLog().find(second_leaves), std::string::npos) << stack.masterLog();
  EXPECT_TRUE(waitFor([&] { return stack.poolStatus().lane("slow").ready(); }, 10s));
  EXPECT_EQ(restarts(stack, "max_requests"), 2.0);
  EXPECT_EQ(restarts(stack, "crash"), 0.0);
}

TEST(PoolRecycling, PrivateMemoryPastTheLimitRecyclesTheWorkerWithoutAFailedRequest) {
  constexpr std::uint64_t kLimitMiB = 48;
  constexpr int kGrowMiB = 20;
  constexpr int kMaxGrows = 6;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.slow_settings = {"max_private_memory: " + std::to_string(kLimitMiB) + "MiB"};
  TwinlaneStack stack(options);
  const pid_t first = stack.workerPids("slow").front();
  const auto baseline = processPrivateBytes(first);
  ASSERT_TRUE(baseline.has_value());
  RecordProperty("worker_private_mib_at_start", std::to_string(*baseline >> 20));
  ASSERT_LT(*baseline, (kLimitMiB << 20) - (static_cast<std::uint64_t>(kGrowMiB) << 20))
      << "a fresh worker already holds " << (*baseline >> 20) << " MiB private: the limit cannot be tested";

  int grows = 0;
  bool replaced = false;
  while (grows < kMaxGrows && !replaced) {
    const auto answer = stack.get("/api/v1/test/grow?mib=" + std::to_string(kGrowMiB));
    ASSERT_TRUE(isJsonOk(answer)) << "grow request " << grows;
    ++grows;
    // The worker leaves right after answering; the next request may only come after.
    replaced = waitFor(
        [&] {
          const auto lane = stack.poolStatus().lane("slow");
          return lane.ready() && !contains(lane.pids(), first);
        },
        grows * kGrowMiB + (*baseline >> 20) > kLimitMiB ? 10s : 300ms);
  }
  EXPECT_TRUE(replaced) << "worker " << first << " was not recycled after " << grows << " x " << kGrowMiB << " MiB";
  const std::uint64_t expected_grows = (((kLimitMiB << 20) - *baseline) / (static_cast<std::uint64_t>(kGrowMiB) << 20)) + 1;
  // Not later than the kept blocks alone pass the limit; not before they (plus a quarter for
  // allocator and sanitizer overhead) could have.
  EXPECT_LE(static_cast<std::uint64_t>(grows), expected_grows) << "baseline " << (*baseline >> 20) << " MiB";
  EXPECT_GT(static_cast<std::uint64_t>(grows * kGrowMiB * 5 / 4) + (*baseline >> 20), kLimitMiB)
      << "recycled while far below the limit (baseline " << (*baseline >> 20) << " MiB)";
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/test/grow?mib=1"))) << "the replacement serves";
  EXPECT_EQ(restarts(stack, "max_private_memory"), 1.0);
  EXPECT_EQ(restarts(stack, "crash"), 0.0);
  EXPECT_NE(stack.masterLog().find("recycled after max_private_memory"), std::string::npos);
}

}  // namespace
}  // namespace twinlane::test
