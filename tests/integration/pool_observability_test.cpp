// SPDX-License-Identifier: Apache-2.0
// What an operator reads: /status and /metrics after a known sequence of requests hold every
// documented field with the counts that sequence implies; the queue length comes from the
// kernel and shows waiting requests; both endpoints are open to loopback clients only.
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <future>

#include "integration_stack.h"
#include "prometheus_text.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

// Every key of `object` named in `keys` is present; names the missing ones.
::testing::AssertionResult hasKeys(const Poco::JSON::Object::Ptr& object, const std::vector<std::string>& keys) {
  std::string missing;
  for (const auto& key : keys) {
    if (!object->has(key)) missing += " " + key;
  }
  if (missing.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "missing" << missing << " in " << toString(object);
}

const std::vector<std::string> kLaneKeys = {"listen", "processes", "threads", "busy", "idle", "starting", "exiting",
                                            "queue", "requests", "restarts", "kills", "workers"};
const std::vector<std::string> kQueueKeys = {"length", "capacity", "timeout_ms"};
const std::vector<std::string> kRequestKeys = {"2xx", "4xx", "5xx", "queue_timeouts", "timeouts", "abandoned"};
const std::vector<std::string> kWorkerKeys = {"pid", "state", "generation", "requests", "busy_ms", "uri"};

TEST(PoolObservability, StatusAndMetricsCountAKnownSequenceOfRequests) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.queue_capacity = 8;
  options.queue_timeout = "5s";
  options.request_timeout = "1s";
  TwinlaneStack stack(options);

  for (int i = 0; i < 3; ++i) ASSERT_TRUE(isJsonOk(stack.get("/api/v1/test/sleep?ms=1")));
  ASSERT_TRUE(isApiError(stack.get("/api/v1/test/sleep?ms=abc"), 400, "invalid_parameter"));
  ASSERT_TRUE(isApiError(stack.get("/api/v1/test/sleep?ms=3000"), 504, "timeout"));
  ASSERT_TRUE(isApiError(stack.get("/api/v1/test/no-such-thing"), 404, "not_found"));

  const auto status = stack.status();
  ASSERT_TRUE(hasKeys(status, {"version", "started_at", "generation", "data", "lanes"}));
  EXPECT_FALSE(status->getValue<std::string>("version").empty());
  const auto started_at = status->getValue<std::string>("started_at");
  EXPECT_TRUE(started_at.size() >= 19 && started_at[4] == '-' && started_at[10] == 'T' && started_at[13] == ':')
      << "started_at is not RFC 3339: " << started_at;
  EXPECT_EQ(status->getValue<long>("generation"), 1);
  const auto lanes = status->getObject("lanes");
  ASSERT_TRUE(hasKeys(lanes, {"fast", "slow"}));
  for (const std::string name : {"fast", "slow"}) {
    const auto lane = lanes->getObject(name);
    ASSERT_TRUE(hasKeys(lane, kLaneKeys));
    EXPECT_EQ(lane->getValue<std::string>("listen"), stack.socketPath(name).string());
    ASSERT_TRUE(hasKeys(lane->getObject("queue"), kQueueKeys));
    ASSERT_TRUE(hasKeys(lane->getObject("requests"), kRequestKeys));
    const auto workers = lane->getArray("workers");
    ASSERT_EQ(static_cast<long>(workers->size()), lane->getValue<long>("processes")) << toString(lane);
    for (unsigned i = 0; i < workers->size(); ++i) {
      const auto worker = workers->getObject(i);
      ASSERT_TRUE(hasKeys(worker, kWorkerKeys));
      EXPECT_GT(worker->getValue<long>("pid"), 0);
      EXPECT_EQ(worker->getValue<long>("generation"), 1);
    }
    EXPECT_EQ(lane->getValue<long>("starting"), 0) << toString(lane);
    EXPECT_EQ(lane->getValue<long>("exiting"), 0) << toString(lane);
    EXPECT_EQ(lane->getValue<long>("restarts"), 0) << toString(lane);
    EXPECT_EQ(lane->getValue<long>("kills"), 0) << toString(lane);
  }

  const auto slow = lanes->getObject("slow");
  const std::string slow_text = toString(slow);
  EXPECT_EQ(slow->getValue<long>("processes"), 1) << slow_text;
  EXPECT_EQ(slow->getValue<long>("threads"), 1) << slow_text;
  EXPECT_EQ(slow->getValue<long>("idle"), 1) << slow_text;
  EXPECT_EQ(slow->getValue<long>("busy"), 0) << slow_text;
  const auto queue = slow->getObject("queue");
  EXPECT_EQ(queue->getValue<long>("length"), 0) << slow_text;
  EXPECT_EQ(queue->getValue<long>("capacity"), 8) << slow_text;
  EXPECT_EQ(queue->getValue<long>("timeout_ms"), 5000) << slow_text;
  const auto requests = slow->getObject("requests");
  EXPECT_EQ(requests->getValue<long>("2xx"), 3) << slow_text;
  EXPECT_EQ(requests->getValue<long>("4xx"), 1) << slow_text;
  EXPECT_EQ(requests->getValue<long>("5xx"), 1) << slow_text;
  EXPECT_EQ(requests->getValue<long>("timeouts"), 1) << slow_text;
  EXPECT_EQ(requests->getValue<long>("queue_timeouts"), 0) << slow_text;
  EXPECT_EQ(requests->getValue<long>("abandoned"), 0) << slow_text;
  const auto slow_worker = slow->getArray("workers")->getObject(0);
  EXPECT_EQ(slow_worker->getValue<std::string>("state"), "idle") << slow_text;
  EXPECT_EQ(slow_worker->getValue<long>("requests"), 5) << slow_text;
  EXPECT_EQ(slow_worker->getValue<long>("busy_ms"), 0) << slow_text;
  EXPECT_EQ(slow_worker->getValue<std::string>("uri"), "") << slow_text;

  const auto fast = lanes->getObject("fast");
  EXPECT_EQ(fast->getObject("requests")->getValue<long>("4xx"), 1) << "the 404: " << toString(fast);
  EXPECT_GE(fast->getObject("requests")->getValue<long>("2xx"), 1) << toString(fast);
  EXPECT_GE(fast->getValue<long>("busy"), 1) << "the fast worker answering this /status is busy: " << toString(fast);

  const auto metrics = stack.get("/metrics");
  ASSERT_EQ(metrics.status, 200) << metrics.describe();
  EXPECT_TRUE(metrics.content_type.starts_with("text/plain")) << metrics.content_type;
  const std::string& m = metrics.body;
  const auto declared = declaredMetrics(m);
  for (const std::string name :
       {"twinlane_requests_total", "twinlane_request_duration_seconds", "twinlane_queue_wait_seconds", "twinlane_queue_length",
        "twinlane_workers", "twinlane_worker_restarts_total", "twinlane_worker_kills_total", "twinlane_build_info"}) {
    EXPECT_NE(std::find(declared.begin(), declared.end(), name), declared.end()) << "no # TYPE for " << name;
  }
  EXPECT_EQ(metricValue(m, R"(twinlane_requests_total{lane="slow",status="200"})"), 3.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_requests_total{lane="slow",status="400"})"), 1.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_requests_total{lane="slow",status="504"})"), 1.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_requests_total{lane="slow",status="499"})"), 0.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_requests_total{lane="fast",status="404"})"), 1.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_request_duration_seconds_count{lane="slow"})"), 5.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_request_duration_seconds_bucket{lane="slow",le="+Inf"})"), 5.0) << m;
  const auto duration_sum = metricValue(m, R"(twinlane_request_duration_seconds_sum{lane="slow"})");
  ASSERT_TRUE(duration_sum.has_value()) << m;
  EXPECT_GE(*duration_sum, 1.0) << "the 504 alone took a second";
  EXPECT_LT(*duration_sum, 3.0);
  EXPECT_EQ(metricValue(m, R"(twinlane_queue_wait_seconds_count{lane="slow"})"), 5.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_queue_length{lane="slow"})"), 0.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_workers{lane="slow",state="idle"})"), 1.0) << m;
  EXPECT_EQ(metricValue(m, R"(twinlane_workers{lane="slow",state="busy"})"), 0.0) << m;
  for (const std::string reason : {"crash", "deadline", "max_requests", "max_private_memory"}) {
    EXPECT_EQ(metricValue(m, R"(twinlane_worker_restarts_total{lane="slow",reason=")" + reason + "\"}"), 0.0) << m;
  }
  EXPECT_EQ(metricValue(m, R"(twinlane_worker_kills_total{lane="slow"})"), 0.0) << m;
  EXPECT_EQ(metricValue(m, "twinlane_build_info{version=\"" + status->getValue<std::string>("version") + "\"}"), 1.0) << m;
}

TEST(PoolObservability, TheSlowQueueLengthShowsRequestsWaitingInTheKernel) {
  constexpr int kWaiting = 3;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.queue_capacity = 8;
  TwinlaneStack stack(options);

  auto in_flight = std::async(std::launch::async, [&] { return stack.get("/api/v1/test/sleep?ms=3000"); });
  ASSERT_TRUE(waitFor([&] { return stack.poolStatus().lane("slow").busy == 1; }, 10s));
  std::vector<std::future<HttpResult>> waiting;
  for (int i = 0; i < kWaiting; ++i) {
    waiting.push_back(std::async(std::launch::async, [&] { return stack.get("/api/v1/test/sleep?ms=10"); }));
  }
  long length = 0;
  const bool seen = waitFor(
      [&] {
        length = stack.status()->getObject("lanes")->getObject("slow")->getObject("queue")->getValue<long>("length");
        return length == kWaiting;
      },
      2s);
  const auto metrics = stack.get("/metrics");

  EXPECT_TRUE(seen) << "/status slow queue length " << length << ", expected " << kWaiting;
  EXPECT_EQ(metricValue(metrics.body, R"(twinlane_queue_length{lane="slow"})"), static_cast<double>(kWaiting)) << metrics.body;
  EXPECT_TRUE(isJsonOk(in_flight.get()));
  for (auto& answer : waiting) EXPECT_TRUE(isJsonOk(answer.get()));
  EXPECT_EQ(stack.status()->getObject("lanes")->getObject("slow")->getObject("queue")->getValue<long>("length"), 0);
}

// The `location = PATH { ... }` block of a rendered nginx site, or "" if there is none.
std::string locationBlock(const std::string& site, const std::string& path) {
  const auto start = site.find("location = " + path + " {");
  if (start == std::string::npos) return {};
  return site.substr(start, site.find("\n    }", start) - start);
}

TEST(PoolObservability, StatusAndMetricsAreOpenToLoopbackOnly) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  TempDir dir("twinlane-it");
  const auto config = dir.write("twinlane.yaml", renderConfig(options, dir.path()));
  const auto rendered = runToCompletion({options.binary.string(), "nginx-config", "--config", config.string(), "--listen",
                                         "127.0.0.1:8080"},
                                        dir.path(), "nginx-config", 30s);
  ASSERT_TRUE(rendered.status.success()) << rendered.err;

  for (const std::string path : {"/status", "/metrics"}) {
    const std::string block = locationBlock(rendered.out, path);
    ASSERT_FALSE(block.empty()) << "no location for " << path << " in:\n" << rendered.out;
    EXPECT_NE(block.find("allow 127.0.0.1;"), std::string::npos) << block;
    EXPECT_NE(block.find("allow ::1;"), std::string::npos) << block;
    EXPECT_NE(block.find("deny all;"), std::string::npos) << block;
    EXPECT_LT(block.find("allow 127.0.0.1;"), block.find("deny all;")) << "deny before allow shuts loopback out too";
  }
  const std::string api = locationBlock(rendered.out, "/api/v1/test/pid");
  ASSERT_FALSE(api.empty()) << rendered.out;
  EXPECT_EQ(api.find("deny"), std::string::npos) << "the API itself is public: " << api;
}

}  // namespace
}  // namespace twinlane::test
