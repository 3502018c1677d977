// SPDX-License-Identifier: Apache-2.0
// Crash supervision: a worker that dies is replaced by a new one; workers that die before
// they are ready make the master back off instead of forking in a loop, and it stays up; a
// service that cannot load stops the master with a non-zero exit and says why.
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>

#include "integration_stack.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The pids of the master's "<lane> worker PID started" lines, in order.
std::vector<pid_t> startedWorkers(const std::string& log, const std::string& lane) {
  std::vector<pid_t> pids;
  const std::string prefix = lane + " worker ";
  for (auto at = log.find(prefix); at != std::string::npos; at = log.find(prefix, at + 1)) {
    const auto digits = at + prefix.size();
    const auto end = log.find_first_not_of("0123456789", digits);
    if (end == digits || end == std::string::npos || log.compare(end, 8, " started") != 0) continue;
    pids.push_back(static_cast<pid_t>(std::stol(log.substr(digits, end - digits))));
  }
  return pids;
}

// A master started without TwinlaneStack, for configurations that never become ready.
struct BareMaster {
  TempDir dir{"twinlane-it"};
  std::unique_ptr<ChildProcess> process;

  explicit BareMaster(const StackOptions& options) {
    dir.write("twinlane.yaml", renderConfig(options, dir.path()));
    process = std::make_unique<ChildProcess>(ChildProcess::Options{
        {options.binary.string(), "--config", dir.file("twinlane.yaml").string()}, options.env, dir.file("master.log"), {}});
  }
  std::string log() const { return process->readLog(); }
};

TEST(PoolCrash, ACrashedWorkerIsReplacedByANewOne) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.expected_log_errors = {"killed by SIGABRT"};
  TwinlaneStack stack(options);
  const pid_t crashed = stack.workerPids("slow").front();

  const auto answer = stack.get("/api/v1/test/crash");
  EXPECT_TRUE(isApiError(answer, 502, "bad_gateway"));

  pid_t replacement = 0;
  ASSERT_TRUE(waitFor(
      [&] {
        const auto lane = stack.poolStatus().lane("slow");
        if (!lane.ready() || lane.pids().front() == crashed) return false;
        replacement = lane.pids().front();
        return true;
      },
      10s, 2ms))
      << "worker " << crashed << " was not replaced";
  const auto replaced_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - answer.received);
  RecordProperty("crash_to_replacement_ms", std::to_string(replaced_ms.count()));
  std::cout << "[crash] worker " << crashed << " crashed; replacement " << replacement << " ready "
            << replaced_ms.count() << " ms after the client had its 502\n";
  EXPECT_TRUE(processGone(crashed));
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/test/sleep?ms=1")));
  EXPECT_NE(stack.masterLog().find("slow worker " + std::to_string(crashed)), std::string::npos);
  const auto slow = stack.status()->getObject("lanes")->getObject("slow");
  EXPECT_EQ(slow->getValue<long>("restarts"), 1) << toString(slow);
}

TEST(PoolCrash, WorkersFailingBeforeReadyMakeTheMasterBackOffAndStayUp) {
  constexpr auto kWatch = 3s;
  // Without back-off a sanitizer build forks hundreds in 3 s; with 100 ms doubling, about 5.
  constexpr std::size_t kMaxStarts = 7;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.env = {{"TWINLANE_TESTAPP_FAIL", "thread"}};
  BareMaster master(options);

  ASSERT_TRUE(waitFor([&] { return !startedWorkers(master.log(), "slow").empty() || !master.process->running(); }, 30s));
  const auto watch_start = Clock::now();
  const bool master_exited = waitFor([&] { return !master.process->running(); }, kWatch);
  const std::string log = master.log();
  const auto slow_starts = startedWorkers(log, "slow");
  const auto fast_starts = startedWorkers(log, "fast");
  RecordProperty("slow_starts_in_3s", std::to_string(slow_starts.size()));
  RecordProperty("fast_starts_in_3s", std::to_string(fast_starts.size()));
  std::cout << "[crash loop] in " << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - watch_start).count()
            << " ms: " << slow_starts.size() << " slow and " << fast_starts.size() << " fast workers started\n";

  EXPECT_FALSE(master_exited) << "the master gave up: " << log;
  EXPECT_GE(slow_starts.size(), 2u) << "the master did not retry at all";
  EXPECT_LE(slow_starts.size(), kMaxStarts) << "no back-off in the slow lane";
  EXPECT_LE(fast_starts.size(), kMaxStarts) << "no back-off in the fast lane";
  EXPECT_NE(log.find("workers in a row failed to start or died within 2000 ms of starting"), std::string::npos) << log;
  EXPECT_NE(log.find(": failed before it was ready"), std::string::npos) << log;

  ASSERT_TRUE(master.process->signal(SIGTERM));
  const auto exit = master.process->waitExit(10s);
  ASSERT_TRUE(exit.has_value()) << "the master did not stop on TERM while backing off";
  EXPECT_EQ(exit->describe(), "exit 0");
  for (const pid_t pid : slow_starts) EXPECT_TRUE(processGone(pid)) << "worker " << pid;
  for (const pid_t pid : fast_starts) EXPECT_TRUE(processGone(pid)) << "worker " << pid;
  EXPECT_FALSE(std::filesystem::exists(master.dir.file("slow.sock")));
  if (HasFailure()) std::cout << "--- master log ---\n" << master.log() << std::endl;
}

TEST(PoolCrash, AServiceThatCannotLoadStopsTheMasterWithAClearMessage) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.env = {{"TWINLANE_TESTAPP_FAIL", "load"}};
  BareMaster master(options);

  const auto exit = master.process->waitExit(30s);

  ASSERT_TRUE(exit.has_value()) << "the master still runs although its service cannot load";
  EXPECT_TRUE(exit->exited && exit->code != 0) << exit->describe();
  const std::string log = master.log();
  EXPECT_NE(log.find("cannot start: TWINLANE_TESTAPP_FAIL=load: cannot load"), std::string::npos) << log;
  EXPECT_TRUE(startedWorkers(log, "slow").empty() && startedWorkers(log, "fast").empty())
      << "workers were forked without a service: " << log;
  EXPECT_FALSE(std::filesystem::exists(master.dir.file("fast.sock"))) << "the failed master left its socket behind";
  EXPECT_FALSE(std::filesystem::exists(master.dir.file("slow.sock"))) << "the failed master left its socket behind";
}

}  // namespace
}  // namespace twinlane::test
