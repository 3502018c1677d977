// SPDX-License-Identifier: Apache-2.0
// Exit statuses as the master logs them.
#include "pool/exit_codes.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace twinlane::pool {
namespace {

int waitStatusOf(void (*body)()) {
  const pid_t pid = ::fork();
  if (pid == 0) body();
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(ExitCodesTest, DescribesExitsAndSignals) {
  EXPECT_EQ(describeWaitStatus(waitStatusOf([] { ::_exit(kExitConfig); })),
            "exited with 78 (configuration or data error)");
  EXPECT_EQ(describeWaitStatus(waitStatusOf([] { ::_exit(0); })), "exited with 0 (clean stop)");
  EXPECT_EQ(describeWaitStatus(waitStatusOf([] {
              ::signal(SIGKILL, SIG_DFL);
              ::kill(::getpid(), SIGKILL);
              ::pause();
            })),
            "killed by SIGKILL");
}

int exitedWith(int code) {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(code);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

int killedBy9() {
  return waitStatusOf([] {
    ::signal(SIGKILL, SIG_DFL);
    ::kill(::getpid(), SIGKILL);
    ::pause();
  });
}

TEST(ExitCodesTest, AWorkerThatNeverGotReadyBacksOffHoweverItEnded) {
  for (const int status : {exitedWith(kExitSoftware), exitedWith(0), killedBy9()}) {
    const auto verdict = judgeWorkerEnd({status, /*became_ready=*/false, false, false, /*lived_ms=*/60'000});
    EXPECT_EQ(verdict.end, WorkerEnd::kBootFailure) << describeWaitStatus(status);
    EXPECT_TRUE(verdict.back_off);
    EXPECT_TRUE(verdict.is_error);
  }
}

TEST(ExitCodesTest, AReadyWorkerThatFailsIsACrashBackingOffOnlyInALoop) {
  // An accept that fails after the worker was ready exits kExitSoftware: a crash, not a boot failure.
  const auto soon = judgeWorkerEnd({exitedWith(kExitSoftware), true, false, false, kCrashLoopWindowMs - 1});
  EXPECT_EQ(soon.end, WorkerEnd::kCrash);
  EXPECT_TRUE(soon.back_off);
  const auto later = judgeWorkerEnd({killedBy9(), true, false, false, kCrashLoopWindowMs});
  EXPECT_EQ(later.end, WorkerEnd::kCrash);
  EXPECT_FALSE(later.back_off);
  EXPECT_TRUE(later.is_error);
  EXPECT_EQ(workerEndName(later.end), "crashed");
}

TEST(ExitCodesTest, StopsRecyclingAndDeadlineKillsAreReplacedAtOnce) {
  const auto stopped = judgeWorkerEnd({exitedWith(0), true, /*told_to_stop=*/true, false, 10});
  EXPECT_EQ(stopped.end, WorkerEnd::kStopped);
  EXPECT_EQ(judgeWorkerEnd({killedBy9(), true, /*told_to_stop=*/true, false, 10}).end, WorkerEnd::kStopped)
      << "QUIT kills the workers it stops";
  for (const int code : {kExitRecycleRequests, kExitRecycleMemory}) {
    const auto recycled = judgeWorkerEnd({exitedWith(code), true, false, false, 10});
    EXPECT_EQ(recycled.end, WorkerEnd::kRecycled);
    EXPECT_FALSE(recycled.back_off);
    EXPECT_FALSE(recycled.is_error);
  }
  const auto killed = judgeWorkerEnd({killedBy9(), true, false, /*killed_at_deadline=*/true, 10});
  EXPECT_EQ(killed.end, WorkerEnd::kKilledAtDeadline);
  EXPECT_FALSE(killed.back_off);
  // Exit 0 without being asked is no clean stop.
  EXPECT_EQ(judgeWorkerEnd({exitedWith(0), true, false, false, 60'000}).end, WorkerEnd::kCrash);
}

}  // namespace
}  // namespace twinlane::pool
