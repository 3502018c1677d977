// SPDX-License-Identifier: Apache-2.0
// Crash supervision: a worker that dies is replaced by a new one; workers that die before
// they are ready make the master back off instead of forking in a loop, and it stays up; a
// service that cannot load stops the master with a non-zero exit and says why.
#include <gtest/gtest.h>
#include <signal.h>

#include <iostream>
#include <optional>
#include <sstream>

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

// One line of the master's log as (milliseconds of the day, text). Poco's pattern starts
// "2026-12-02T13:12:22.768Z".
struct LogLine {
  std::int64_t ms = 0;
  std::string text;
};

std::vector<LogLine> timedLines(const std::string& log) {
  std::vector<LogLine> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.size() < 24 || line[10] != 'T' || line[13] != ':' || line[19] != '.') continue;
    const auto number = [&](std::size_t at, std::size_t length) { return std::stoll(line.substr(at, length)); };
    lines.push_back({((number(11, 2) * 60 + number(14, 2)) * 60 + number(17, 2)) * 1000 + number(20, 3), line});
  }
  return lines;
}

// Event-based, not a count in a time window: every announced back-off ("next start in X ms")
// is kept (the next start of that lane comes at least X ms later) and doubles the previous one.
// Without back-off the starts follow each other within milliseconds and this fails.
void expectBackOffKept(const std::string& log, const std::string& lane, std::size_t at_least) {
  SCOPED_TRACE(lane + " lane");
  const std::string announce = lane + " lane: ";
  const std::string marker = "; next start in ";
  const std::string start = lane + " worker ";
  std::optional<LogLine> pending;  // the last announcement not yet followed by a start
  std::vector<std::int64_t> delays;
  for (const auto& line : timedLines(log)) {
    if (line.text.find(announce) != std::string::npos && line.text.find(marker) != std::string::npos) {
      pending = line;
      delays.push_back(std::stoll(line.text.substr(line.text.find(marker) + marker.size())));
    } else if (pending && line.text.find(start) != std::string::npos && line.text.find(" started (") != std::string::npos) {
      std::int64_t gap = line.ms - pending->ms;
      if (gap < 0) gap += 24 * 3600 * 1000;  // across midnight
      // The log's clock has whole milliseconds; the master waits on another clock.
      EXPECT_GE(gap + 5, delays.back()) << "started " << gap << " ms after announcing " << delays.back() << " ms:\n"
                                        << pending->text << "\n" << line.text;
      pending.reset();
    }
  }
  ASSERT_GE(delays.size(), at_least) << log;
  for (std::size_t i = 1; i < delays.size(); ++i) EXPECT_EQ(delays[i], 2 * delays[i - 1]) << "delay " << i;
}

TEST(PoolCrash, WorkersFailingBeforeReadyMakeTheMasterBackOffAndStayUp) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.env = {{"TWINLANE_TESTAPP_FAIL", "thread"}};
  BareMaster master(options);

  // Three announced back-offs in the slow lane (100 + 200 + 400 ms, then the next start);
  // bounded far above that, for a loaded machine.
  const auto announced = [&](const std::string& lane) {
    std::size_t count = 0;
    for (const auto& line : timedLines(master.log())) {
      if (line.text.find(lane + " lane: ") != std::string::npos && line.text.find("next start in") != std::string::npos) ++count;
    }
    return count;
  };
  const bool backed_off = waitFor(
      [&] { return !master.process->running() || (announced("slow") >= 3 && startedWorkers(master.log(), "slow").size() >= 4); },
      60s);
  const std::string log = master.log();
  ASSERT_TRUE(master.process->running()) << "the master gave up: " << log;
  ASSERT_TRUE(backed_off) << "no fourth start after three back-offs within 60 s: " << log;
  std::cout << "[crash loop] " << startedWorkers(log, "slow").size() << " slow and " << startedWorkers(log, "fast").size()
            << " fast workers started before the third slow back-off had passed\n";

  expectBackOffKept(log, "slow", 3);
  expectBackOffKept(log, "fast", 1);
  EXPECT_NE(log.find("workers in a row failed to start or died within 2000 ms of starting"), std::string::npos) << log;
  EXPECT_NE(log.find(": failed before it was ready"), std::string::npos) << log;

  ASSERT_TRUE(master.process->signal(SIGTERM));
  const auto exit = master.process->waitExit(10s);
  ASSERT_TRUE(exit.has_value()) << "the master did not stop on TERM while backing off";
  EXPECT_EQ(exit->describe(), "exit 0");
  const std::string final_log = master.log();
  for (const pid_t pid : startedWorkers(final_log, "slow")) EXPECT_TRUE(processGone(pid)) << "worker " << pid;
  for (const pid_t pid : startedWorkers(final_log, "fast")) EXPECT_TRUE(processGone(pid)) << "worker " << pid;
  EXPECT_FALSE(std::filesystem::exists(master.dir.file("slow.sock")));
  if (HasFailure()) std::cout << "--- master log ---\n" << final_log << std::endl;
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
