// SPDX-License-Identifier: Apache-2.0
// The scoreboard's bookkeeping: busy and idle, the oldest request, status counts, histograms.
#include "pool/scoreboard.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace twinlane::pool {
namespace {

TEST(ScoreboardTest, SlotTurnsBusyWithItsFirstRequestAndIdleAfterItsLast) {
  Scoreboard board(4);
  WorkerSlot& slot = board.slot(2);
  slot.state.store(WorkerState::kIdle);
  slot.beginRequest(0, "/a");
  slot.beginRequest(3, "/b");
  EXPECT_EQ(slot.state.load(), WorkerState::kBusy);
  EXPECT_EQ(slot.currentUri(), "/b");
  slot.endRequest(0);
  EXPECT_EQ(slot.state.load(), WorkerState::kBusy);
  slot.endRequest(3);
  EXPECT_EQ(slot.state.load(), WorkerState::kIdle);
  EXPECT_EQ(slot.requests.load(), 2u);
}

// Found by the FastCGI mutation test: a request with neither REQUEST_URI nor DOCUMENT_URI.
TEST(ScoreboardTest, RequestWithoutAUriIsFollowed) {
  Scoreboard board(1);
  WorkerSlot& slot = board.slot(0);
  slot.state.store(WorkerState::kIdle);
  slot.beginRequest(0, "/old");
  slot.endRequest(0);
  slot.beginRequest(0, std::string_view{});
  EXPECT_EQ(slot.currentUri(), "");
  EXPECT_EQ(slot.state.load(), WorkerState::kBusy);
}

TEST(ScoreboardTest, ExitingStaysExitingWhileRequestsFinish) {
  Scoreboard board(1);
  WorkerSlot& slot = board.slot(0);
  slot.state.store(WorkerState::kIdle);
  slot.beginRequest(0, "/a");
  slot.state.store(WorkerState::kExiting);
  slot.endRequest(0);
  EXPECT_EQ(slot.state.load(), WorkerState::kExiting);
}

TEST(ScoreboardTest, OldestRequestNamesItsThread) {
  Scoreboard board(1);
  WorkerSlot& slot = board.slot(0);
  EXPECT_EQ(slot.oldestRequest().first, 0);
  slot.request_started_ms[5].store(200);
  slot.request_started_ms[1].store(100);
  slot.request_started_ms[7].store(300);
  EXPECT_EQ(slot.oldestRequest(), std::make_pair(std::int64_t{100}, std::size_t{1}));
}

TEST(ScoreboardTest, ResponsesAreCountedByStatusAndClass) {
  Scoreboard board(1);
  LaneCounters& counters = board.counters(Lane::kSlow);
  for (const int status : {200, 200, 404, 400, 503, 504, 418}) counters.countResponse(status);
  EXPECT_EQ(counters.responsesInClass(2), 2u);
  EXPECT_EQ(counters.responsesInClass(4), 2u);  // 418 is not counted by class: it is "other"
  EXPECT_EQ(counters.responsesInClass(5), 2u);
  EXPECT_EQ(counters.responses.back().load(), 1u);
  EXPECT_EQ(board.counters(Lane::kFast).responsesInClass(2), 0u);
}

TEST(ScoreboardTest, HistogramBucketsAreUpperInclusive) {
  Histogram histogram;
  histogram.observe(0.001);  // first bucket (le 0.001)
  histogram.observe(0.0011);  // second
  histogram.observe(100);    // only +Inf
  EXPECT_EQ(histogram.buckets[0].load(), 1u);
  EXPECT_EQ(histogram.buckets[1].load(), 1u);
  EXPECT_EQ(histogram.count.load(), 3u);
  EXPECT_EQ(histogram.sum_us.load(), 1000u + 1100u + 100'000'000u);
}

TEST(ScoreboardTest, ChildWritesAreSeenByTheParent) {
  Scoreboard board(2);
  const pid_t pid = ::fork();
  if (pid == 0) {
    board.slot(1).state.store(WorkerState::kIdle);
    board.slot(1).beginRequest(0, "/from-child");
    board.counters(Lane::kFast).countResponse(200);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_EQ(board.slot(1).state.load(), WorkerState::kBusy);
  EXPECT_EQ(board.slot(1).currentUri(), "/from-child");
  EXPECT_EQ(board.counters(Lane::kFast).responsesInClass(2), 1u);
}

}  // namespace
}  // namespace twinlane::pool
