// SPDX-License-Identifier: Apache-2.0
// Signals an operator sends to the master, seen from outside: TTIN adds one slow worker and
// TTOU removes one; HUP after editing `processes:` brings a new generation of that size; QUIT
// stops at once, abandoning the request in flight. (TERM with a request in flight is
// shutdown_test.cpp's.)
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <future>

#include "integration_stack.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool contains(const std::vector<pid_t>& pids, pid_t pid) { return std::find(pids.begin(), pids.end(), pid) != pids.end(); }

// Waits until the slow lane reports `processes` configured and that many workers ready.
::testing::AssertionResult slowLaneSettlesAt(const TwinlaneStack& stack, int processes, LaneStatus& lane) {
  std::string last;
  const bool settled = waitFor(
      [&] {
        lane = stack.poolStatus().lane("slow");
        last = "processes " + std::to_string(lane.processes) + ", " + std::to_string(lane.workers.size()) +
               " workers, idle " + std::to_string(lane.idle) + ", busy " + std::to_string(lane.busy);
        return lane.processes == processes && lane.ready();
      },
      15s);
  if (settled) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "the slow lane did not settle at " << processes << " ready workers; last: " << last;
}

TEST(PoolSignals, TtinAddsOneSlowWorkerAndTtouRemovesOne) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 2;
  TwinlaneStack stack(options);
  const auto before = stack.workerPids("slow");
  ASSERT_EQ(before.size(), 2u);

  ASSERT_TRUE(stack.master().signal(SIGTTIN));
  LaneStatus grown;
  ASSERT_TRUE(slowLaneSettlesAt(stack, 3, grown));
  const auto grown_pids = grown.pids();
  for (const pid_t pid : before) EXPECT_TRUE(contains(grown_pids, pid)) << "TTIN replaced worker " << pid;

  ASSERT_TRUE(stack.master().signal(SIGTTOU));
  LaneStatus shrunk;
  ASSERT_TRUE(slowLaneSettlesAt(stack, 2, shrunk));
  const auto shrunk_pids = shrunk.pids();
  std::vector<pid_t> removed;
  for (const pid_t pid : grown_pids) {
    if (!contains(shrunk_pids, pid)) removed.push_back(pid);
  }
  ASSERT_EQ(removed.size(), 1u) << "TTOU must remove exactly one worker and start none";
  EXPECT_TRUE(waitFor([&] { return processGone(removed.front()); }, 5s)) << "worker " << removed.front() << " still runs";
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/test/sleep?ms=1")));
}

TEST(PoolSignals, HupAfterChangingProcessesStartsAGenerationOfTheNewSize) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 2;
  TwinlaneStack stack(options);
  const auto before = stack.workerPids("slow");
  ASSERT_EQ(stack.status()->getValue<long>("generation"), 1);

  options.slow_processes = 4;
  writeFile(stack.configPath(), renderConfig(options, stack.dir().path()));
  ASSERT_TRUE(stack.master().signal(SIGHUP));

  LaneStatus slow;
  ASSERT_TRUE(waitFor(
      [&] {
        slow = stack.poolStatus().lane("slow");
        return slow.processes == 4 && slow.ready() &&
               std::none_of(before.begin(), before.end(), [&](pid_t pid) { return contains(slow.pids(), pid); });
      },
      20s))
      << "no ready generation of 4 slow workers replacing the old ones; slow lane has " << slow.workers.size()
      << " workers, processes " << slow.processes;
  EXPECT_EQ(stack.status()->getValue<long>("generation"), 2);
  for (const auto& worker : slow.workers) EXPECT_EQ(worker.generation, 2) << "worker " << worker.pid;
  for (const pid_t pid : before) EXPECT_TRUE(waitFor([pid] { return processGone(pid); }, 5s)) << "old worker " << pid;
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/test/sleep?ms=1")));
}

TEST(PoolSignals, QuitStopsAtOnceAbandoningTheRequestInFlight) {
  constexpr auto kQuitDeadline = 1500ms;  // "at once", with room for a sanitizer build
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.graceful_timeout = "20s";
  TwinlaneStack stack(options);

  auto pending = std::async(std::launch::async, [&] { return stack.get("/api/v1/test/sleep?ms=8000"); });
  ASSERT_TRUE(waitFor([&] { return stack.poolStatus().lane("slow").busy == 1; }, 10s)) << "the sleep never started";
  const auto quit_at = Clock::now();
  const auto exit = stack.signalMasterAndWait(SIGQUIT, 10s);
  const auto stop_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - quit_at);
  RecordProperty("quit_to_exit_ms", std::to_string(stop_ms.count()));

  ASSERT_TRUE(exit.has_value()) << "the master did not exit within 10 s of QUIT";
  EXPECT_EQ(exit->describe(), "exit 0");
  EXPECT_LT(stop_ms, kQuitDeadline) << "QUIT took " << stop_ms.count() << " ms";
  ASSERT_EQ(pending.wait_for(5s), std::future_status::ready) << "the abandoned request got no answer";
  const auto abandoned = pending.get();
  // QUIT means now: the worker is gone before it answers, and nginx says so.
  EXPECT_TRUE(isApiError(abandoned, 502, "bad_gateway")) << "QUIT means now: " << abandoned.describe();
  EXPECT_LT(abandoned.elapsed(), 8000ms);
}

}  // namespace
}  // namespace twinlane::test
