// SPDX-License-Identifier: Apache-2.0
// A slow-lane worker killed mid-request: its client gets a JSON 502 from nginx, the master
// replaces the worker (a new pid), and the lane serves the next requests.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <future>

#include "integration_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

constexpr int kSlowWorkers = 2;
// Long enough to see the worker busy in /status and kill it before it answers.
constexpr auto kLongRequest = 1500ms;
constexpr std::size_t kMatrixMaxCells = 40000;

bool contains(const std::vector<pid_t>& pids, pid_t pid) { return std::find(pids.begin(), pids.end(), pid) != pids.end(); }

TEST(WorkerKill, KilledSlowWorkerGivesA502AndIsReplaced) {
  auto options = integrationOptions();
  options.slow_processes = kSlowWorkers;
  options.matrix_max_cells = static_cast<int>(kMatrixMaxCells);
  options.expected_log_errors = {"killed by SIGKILL"};
  TwinlaneStack stack(options);
  const long nodes = graphNodeCount(stack);
  const auto calibration = calibrateMatrix(stack, nodes, kLongRequest, kMatrixMaxCells);
  const auto before = stack.workerPids("slow");
  ASSERT_EQ(before.size(), static_cast<std::size_t>(kSlowWorkers));

  auto pending = std::async(std::launch::async, [&] { return stack.post("/api/v1/matrix", calibration.request.body()); });
  std::optional<WorkerStatus> victim;
  ASSERT_TRUE(waitFor(
      [&] {
        const auto busy = stack.poolStatus().lane("slow").inState("busy");
        if (busy.empty()) return false;
        victim = busy.front();
        return true;
      },
      10s))
      << "no slow worker became busy with the matrix request";
  EXPECT_NE(victim->uri.find("/api/v1/matrix"), std::string::npos) << "busy worker's uri: " << victim->uri;
  ASSERT_EQ(::kill(victim->pid, SIGKILL), 0) << "kill(" << victim->pid << ")";

  const auto killed = pending.get();
  ASSERT_NE(killed.status, 200) << "the request finished before the kill (a " << calibration.single.count()
                                << " ms matrix)";
  EXPECT_TRUE(isApiError(killed, 502, "bad_gateway"));

  for (int i = 0; i < kSlowWorkers + 1; ++i) {
    const auto next = stack.get("/api/v1/route?from=1&to=" + std::to_string(nodes));
    EXPECT_TRUE(isJsonOk(next)) << "request " << i << " after the kill";
  }

  std::vector<pid_t> after;
  EXPECT_TRUE(waitFor(
      [&] {
        const auto pool = stack.poolStatus();
        after = pool.lane("slow").pids();
        return pool.lane("slow").ready() && !contains(after, victim->pid);
      },
      10s))
      << "the slow lane is not back to " << kSlowWorkers << " ready workers";
  EXPECT_EQ(after.size(), static_cast<std::size_t>(kSlowWorkers));
  EXPECT_FALSE(contains(after, victim->pid));
  EXPECT_TRUE(std::any_of(after.begin(), after.end(), [&](pid_t pid) { return !contains(before, pid); }))
      << "no new pid in the slow lane";
  EXPECT_TRUE(processGone(victim->pid));
  // The exit line, not the line that started the worker (which names the pid too).
  EXPECT_NE(stack.masterLog().find("slow worker " + std::to_string(victim->pid) + " (generation 1) killed by SIGKILL"),
            std::string::npos)
      << "the master log has no exit line for the killed worker " << victim->pid;
}

}  // namespace
}  // namespace twinlane::test
