// SPDX-License-Identifier: Apache-2.0
// The slow lane's queue as clients see it: the kernel's listen backlog of `queue.capacity`.
// When it is full nginx answers 503 `overloaded` with Retry-After at once, instead of making the
// client wait; a request that waited longer than `queue.timeout` is answered 503
// `queue_timeout` with Retry-After and never computed.
#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <iostream>
#include <latch>

#include "integration_stack.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

long msBetween(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
}

// Starts one request on its own thread and waits until the only slow worker is busy with it.
std::future<HttpResult> occupyTheSlowWorker(const TwinlaneStack& stack, const std::string& path) {
  auto pending = std::async(std::launch::async, [&stack, path] { return stack.get(path); });
  if (!waitFor([&] { return stack.poolStatus().lane("slow").busy == 1; }, 10s)) {
    throw std::runtime_error("the slow worker never became busy with " + path);
  }
  return pending;
}

// `n` concurrent GETs of `path`, released together.
std::vector<HttpResult> burst(const TwinlaneStack& stack, int n, const std::string& path) {
  std::vector<std::future<HttpResult>> pending;
  std::latch gate(n);
  for (int i = 0; i < n; ++i) {
    pending.push_back(std::async(std::launch::async, [&] {
      gate.arrive_and_wait();
      return stack.get(path);
    }));
  }
  std::vector<HttpResult> results;
  for (auto& answer : pending) results.push_back(answer.get());
  return results;
}

TEST(PoolQueue, AFullQueueAnswers503OverloadedAtOnce) {
  constexpr int kBurst = 8;
  constexpr auto kInFlightMs = 2500;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.queue_capacity = 1;
  options.queue_timeout = "20s";
  TwinlaneStack stack(options);

  auto in_flight = occupyTheSlowWorker(stack, "/api/v1/test/sleep?ms=" + std::to_string(kInFlightMs));
  const auto results = burst(stack, kBurst, "/api/v1/test/sleep?ms=10");
  const auto first = in_flight.get();
  ASSERT_TRUE(isJsonOk(first)) << "the request in flight";

  int ok = 0;
  int overloaded = 0;
  for (const auto& result : results) {
    if (result.status == 200) {
      ++ok;
      EXPECT_TRUE(isJsonOk(result));
      continue;
    }
    ++overloaded;
    EXPECT_TRUE(isApiError(result, 503, "overloaded"));
    EXPECT_FALSE(result.header("Retry-After").empty()) << "503 without Retry-After: " << result.describe();
    // "At once": long before the worker could have taken it.
    EXPECT_LT(result.elapsed(), 1000ms) << result.describe();
    EXPECT_LT(result.received, first.received - 1000ms) << "a 503 came only " << msBetween(result.received, first.received)
                                                        << " ms before the request in flight ended";
  }
  RecordProperty("queued_and_served", std::to_string(ok));
  RecordProperty("overloaded", std::to_string(overloaded));
  std::cout << "[queue] capacity 1, burst of " << kBurst << " behind a busy worker: " << ok << " queued and served, "
            << overloaded << " answered 503 overloaded\n";
  EXPECT_EQ(ok + overloaded, kBurst);
  EXPECT_GE(ok, 1) << "the queue of capacity 1 held nothing";
  // The kernel lets a unix listener hold capacity + 1 connections.
  EXPECT_LE(ok, 2) << "more requests waited than the queue's capacity allows";
  EXPECT_GE(overloaded, kBurst - 2);
}

TEST(PoolQueue, ARequestQueuedPastQueueTimeoutIs503AndNotComputed) {
  constexpr int kQueued = 3;
  constexpr auto kInFlightMs = 1500;
  constexpr auto kQueuedSleepMs = 2000;  // computing even one would show in the timings
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.queue_capacity = 8;
  options.queue_timeout = "500ms";
  TwinlaneStack stack(options);

  auto in_flight = occupyTheSlowWorker(stack, "/api/v1/test/sleep?ms=" + std::to_string(kInFlightMs));
  const auto queued = burst(stack, kQueued, "/api/v1/test/sleep?ms=" + std::to_string(kQueuedSleepMs));
  const auto first = in_flight.get();
  ASSERT_TRUE(isJsonOk(first)) << "the request in flight";

  for (const auto& result : queued) {
    EXPECT_TRUE(isApiError(result, 503, "queue_timeout"));
    EXPECT_FALSE(result.header("Retry-After").empty()) << "503 without Retry-After: " << result.describe();
    EXPECT_LT(msBetween(first.received, result.received), kQueuedSleepMs / 2)
        << "a queued request was answered " << msBetween(first.received, result.received)
        << " ms after the worker became free: it was computed";
  }
  const auto slow = stack.status()->getObject("lanes")->getObject("slow");
  const auto requests = slow->getObject("requests");
  EXPECT_EQ(requests->getValue<long>("2xx"), 1) << toString(slow);
  EXPECT_EQ(requests->getValue<long>("queue_timeouts"), kQueued) << toString(slow);
  EXPECT_EQ(requests->getValue<long>("5xx"), kQueued) << toString(slow);
  EXPECT_EQ(requests->getValue<long>("timeouts"), 0) << toString(slow);
}

}  // namespace
}  // namespace twinlane::test
