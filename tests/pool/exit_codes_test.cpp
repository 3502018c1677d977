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

}  // namespace
}  // namespace twinlane::pool
