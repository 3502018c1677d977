// SPDX-License-Identifier: Apache-2.0
// A bounded HTTP load for tests that watch the pool while it serves: `clients` threads, each
// sending one request at a time to 127.0.0.1:port, until `duration` has passed or
// `max_requests` have been sent, whichever comes first. Owns its threads (joined by finish() or
// the destructor); records every answer and every failed exchange (connection refused, reset,
// timeout), so a test can say "zero failed requests" and mean it.
//
//   LoadGenerator load({.port = stack.port(), .clients = 8, .duration = 3s, .max_requests = 400,
//                       .path = [](int i) { return i % 2 ? "/api/v1/health" : "/api/v1/route?from=1&to=9"; }});
//   waitFor([&] { return load.completed() >= 50; }, 10s);
//   const LoadReport report = load.finish();
//   EXPECT_EQ(report.count(200), report.total());
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"

namespace twinlane::test {

struct LoadOptions {
  uint16_t port = 0;
  int clients = 4;
  std::chrono::milliseconds duration{3000};  // no new request starts after this
  int max_requests = 1000;                    // no more than this many are started in all
  // The path and query of request number i (0, 1, ...), called from the client threads.
  std::function<std::string(int index)> path;
  std::chrono::milliseconds request_timeout{30000};  // per request, as HttpClient's timeout
};

struct LoadFailure {
  std::string target;
  std::string what;
};

struct LoadReport {
  std::vector<HttpResult> answers;  // in the order they completed
  std::vector<LoadFailure> failures;
  std::chrono::milliseconds wall{0};

  int total() const { return static_cast<int>(answers.size() + failures.size()); }
  int count(int status) const;
  std::map<int, int> byStatus() const;
  // Answers other than `status`, described, at most `limit` of them, for assertion messages.
  std::string describeOther(int status, std::size_t limit = 5) const;
  // The q-quantile (0..1) of the answers' times from sending to the whole body; 0 when there
  // are none.
  std::chrono::microseconds latencyQuantile(double q) const;
};

class LoadGenerator {
 public:
  // Starts the client threads at once; throws std::invalid_argument without options.path.
  explicit LoadGenerator(LoadOptions options);
  // finish() if not finished yet.
  ~LoadGenerator();
  LoadGenerator(const LoadGenerator&) = delete;
  LoadGenerator& operator=(const LoadGenerator&) = delete;

  // Exchanges finished so far (answers and failures).
  int completed() const { return completed_.load(); }
  // Asks the clients to start no further request; those in flight still complete.
  void stopEarly() { stop_.store(true); }
  // Waits for every client to end (bounded by duration + request_timeout) and returns what
  // they saw. Call once.
  LoadReport finish();

 private:
  void runClient();

  LoadOptions options_;
  HttpClient client_;
  std::chrono::steady_clock::time_point start_;
  std::atomic<int> started_{0};
  std::atomic<int> completed_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  LoadReport report_;
  std::vector<std::jthread> threads_;
  bool finished_ = false;
};

}  // namespace twinlane::test
