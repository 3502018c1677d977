// SPDX-License-Identifier: Apache-2.0
// Graceful stop (SIGTERM to the master): every worker of both lanes exits, the lane sockets
// are removed, the master exits 0; a request in flight still gets its answer.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <future>

#include "integration_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

// Idle workers must not wait out the graceful timeout: the master is gone well before it.
constexpr auto kGracefulTimeout = "20s";
constexpr auto kIdleStopDeadline = 5s;

TEST(Shutdown, TermStopsTheMasterAndEveryWorkerAndRemovesTheSockets) {
  auto options = integrationOptions();
  options.fast_processes = 2;
  options.slow_processes = 2;
  options.graceful_timeout = kGracefulTimeout;
  TwinlaneStack stack(options);
  const auto pool = stack.poolStatus();
  ASSERT_EQ(pool.lane("fast").pids().size(), 2u);
  ASSERT_EQ(pool.lane("slow").pids().size(), 2u);
  ASSERT_TRUE(std::filesystem::exists(stack.socketPath("fast")));
  ASSERT_TRUE(std::filesystem::exists(stack.socketPath("slow")));

  const auto exit = stack.signalMasterAndWait(SIGTERM, kIdleStopDeadline);

  ASSERT_TRUE(exit.has_value()) << "an idle master did not stop within " << kIdleStopDeadline.count() << " ms";
  EXPECT_EQ(exit->describe(), "exit 0");
  ASSERT_EQ(stack.lastWorkerPids().size(), 4u);
  for (const pid_t pid : stack.lastWorkerPids()) {
    EXPECT_TRUE(waitFor([pid] { return processGone(pid); }, 2s)) << "worker " << pid << " outlived the master";
  }
  EXPECT_FALSE(std::filesystem::exists(stack.socketPath("fast")));
  EXPECT_FALSE(std::filesystem::exists(stack.socketPath("slow")));
}

TEST(Shutdown, TermLetsTheRequestInFlightFinish) {
  auto options = integrationOptions();
  options.slow_processes = 1;
  options.graceful_timeout = kGracefulTimeout;
  options.matrix_max_cells = 40000;
  TwinlaneStack stack(options);
  const auto calibration = calibrateMatrix(stack, graphNodeCount(stack), 800ms, 40000);

  auto pending = std::async(std::launch::async, [&] { return stack.post("/api/v1/matrix", calibration.request.body()); });
  ASSERT_TRUE(waitFor([&] { return !stack.poolStatus().lane("slow").inState("busy").empty(); }, 10s))
      << "the matrix request never made a slow worker busy";
  const auto exit = stack.signalMasterAndWait(SIGTERM, 30s);

  const auto answer = pending.get();
  EXPECT_TRUE(isJsonOk(answer)) << "the request in flight at SIGTERM";
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->describe(), "exit 0");
}

}  // namespace
}  // namespace twinlane::test
