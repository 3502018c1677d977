// SPDX-License-Identifier: Apache-2.0
// The master's worker table (slot index = scoreboard index) and its deadline decisions.
#include "pool/worker_table.h"

#include <gtest/gtest.h>

#include "pool/deadlines.h"
#include "pool/generations.h"

namespace twinlane::pool {
namespace {

TEST(WorkerTableTest, AssignedWorkerIsFoundByPidInTheSameScoreboardSlot) {
  WorkerTable table(3);
  const Generation generation;
  ASSERT_EQ(table.freeSlot(), 0u);
  table.assign(0, 100, Lane::kFast, generation, 1);
  ASSERT_EQ(table.freeSlot(), 1u);
  table.assign(1, 200, Lane::kSlow, generation, 2);
  EXPECT_EQ(table.slotOf(200), 1u);
  EXPECT_EQ(table.slotOf(300), std::nullopt);
  EXPECT_EQ(table.shared(1).pid.load(), 200);
  EXPECT_EQ(table.shared(1).lane.load(), Lane::kSlow);
  EXPECT_EQ(table.shared(1).generation.load(), 2u);
  EXPECT_EQ(table.shared(1).state.load(), WorkerState::kStarting);
  EXPECT_EQ(table.worker(1).generation, &generation);
  EXPECT_EQ(table.slots(), (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(table.count(), 2u);
}

TEST(WorkerTableTest, ReleasedSlotIsCleanForTheNextWorker) {
  WorkerTable table(1);
  const Generation generation;
  table.assign(0, 100, Lane::kSlow, generation, 1);
  table.scoreboard().slot(0).markReady();
  table.scoreboard().slot(0).beginRequest(0, "/stuck");
  table.worker(0).told_to_stop = true;
  table.release(0);
  EXPECT_EQ(table.freeSlot(), 0u);
  EXPECT_EQ(table.count(), 0u);
  EXPECT_EQ(table.shared(0).pid.load(), 0);
  EXPECT_EQ(table.shared(0).state.load(), WorkerState::kEmpty);
  EXPECT_EQ(table.shared(0).active.load(), 0u);
  EXPECT_EQ(table.shared(0).ready_ms.load(), 0);
  EXPECT_EQ(table.shared(0).oldestRequest().first, 0);
  EXPECT_EQ(table.shared(0).currentUri(), "");
  EXPECT_FALSE(table.worker(0).told_to_stop);
}

// The worker runs as soon as it is forked and may reach its accept loop before the master
// records it: the master must not push it back to starting.
TEST(WorkerTableTest, WorkerReadyBeforeItsAssignmentStaysReady) {
  WorkerTable table(1);
  const Generation generation;
  table.scoreboard().slot(0).markReady();
  table.assign(0, 100, Lane::kFast, generation, 1);
  EXPECT_EQ(table.shared(0).state.load(), WorkerState::kIdle);
  EXPECT_NE(table.shared(0).ready_ms.load(), 0);
}

TEST(WorkerTableTest, TargetIsTheOneTheScoreboardShows) {
  WorkerTable table(1);
  table.setTarget(Lane::kSlow, 3);
  EXPECT_EQ(table.target(Lane::kSlow), 3u);
  EXPECT_EQ(table.scoreboard().counters(Lane::kSlow).target_processes.load(), 3u);
  EXPECT_EQ(table.target(Lane::kFast), 0u);
}

TEST(DeadlinesTest, StuckRequestHasItsStackDumpedThenIsKilled) {
  const Millis timeout(30000);
  const std::int64_t started = 1000;
  const std::int64_t overdue = started + timeout.count() + kKillGraceMs;
  EXPECT_EQ(overdueAction(overdue, started, timeout, 0), OverdueAction::kNone);
  EXPECT_EQ(overdueAction(overdue + 1, started, timeout, 0), OverdueAction::kDumpStack);
  EXPECT_EQ(overdueAction(overdue + 2, started, timeout, overdue + 1), OverdueAction::kWaitForDump);
  EXPECT_EQ(overdueAction(overdue + 1 + kStackDumpWaitMs, started, timeout, overdue + 1), OverdueAction::kKill);
  EXPECT_EQ(overdueAction(overdue + 1, 0, timeout, overdue), OverdueAction::kNone) << "an idle worker is never overdue";
}

}  // namespace
}  // namespace twinlane::pool
