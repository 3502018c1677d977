// SPDX-License-Identifier: Apache-2.0
// Lane priority: slow-lane workers run at `nice` 10, so while every slow worker burns CPU the
// fast lane still answers promptly. The latencies are recorded (idle and saturated); only a
// generous bound is asserted, since the test machine is shared and noisy.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "integration_stack.h"
#include "load_generator.h"
#include "proc_info.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

constexpr int kSlowWorkers = 2;
constexpr int kFastSamples = 500;

// kFastSamples GETs of the fast lane's pid route, two clients at a time.
LoadReport sampleFastLane(const TwinlaneStack& stack) {
  LoadGenerator fast({.port = stack.port(), .clients = 2, .duration = 30s, .max_requests = kFastSamples,
                      .path = [](int) { return std::string("/api/v1/test/pid"); }});
  return fast.finish();
}

TEST(PoolPriority, SlowWorkersRunAtNice10) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = kSlowWorkers;
  options.slow_settings = {"nice: 10"};
  TwinlaneStack stack(options);
  const auto pool = stack.poolStatus();
  for (const pid_t pid : pool.lane("slow").pids()) EXPECT_EQ(processNice(pid), 10) << "slow worker " << pid;
  for (const pid_t pid : pool.lane("fast").pids()) EXPECT_EQ(processNice(pid), 0) << "fast worker " << pid;
}

// se.slice of every thread of `pid`, in ns, from /proc/PID/task/TID/sched.
std::vector<long long> threadSlices(pid_t pid) {
  std::vector<long long> slices;
  const std::string task = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& thread : std::filesystem::directory_iterator(task)) {
    std::ifstream sched(thread.path() / "sched");
    for (std::string line; std::getline(sched, line);) {
      if (line.rfind("se.slice", 0) == 0) slices.push_back(std::stoll(line.substr(line.find(':') + 1)));
    }
  }
  return slices;
}

// lanes.fast.cpu.slice: every serving thread of a fast worker asks the scheduler for it; the
// slow workers keep the kernel's default.
TEST(PoolPriority, FastServingThreadsAskForTheConfiguredCpuSlice) {
  if (threadSlices(::getpid()).empty()) GTEST_SKIP() << "this kernel's /proc/PID/sched shows no se.slice";
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.fast_threads = 3;
  options.slow_processes = 1;
  options.fast_settings = {"cpu: { slice: 150us }"};
  TwinlaneStack stack(options);
  const pid_t fast = stack.workerPids("fast").at(0);
  const auto fast_slices = threadSlices(fast);
  EXPECT_EQ(std::count(fast_slices.begin(), fast_slices.end(), 150'000), 3)
      << "the three serving threads of " << fast << " did not all get a 150 us slice";
  for (const long long slice : threadSlices(stack.workerPids("slow").at(0))) EXPECT_NE(slice, 150'000);
  EXPECT_EQ(stack.masterLog().find("CPU slice"), std::string::npos) << stack.masterLog();
}

TEST(PoolPriority, TheFastLaneStaysResponsiveWhileTheSlowLaneBurnsEveryWorker) {
  constexpr auto kSaturatedP99Bound = 200ms;
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = kSlowWorkers;
  options.slow_settings = {"nice: 10"};
  TwinlaneStack stack(options);

  const auto idle = sampleFastLane(stack);
  ASSERT_EQ(idle.count(200), kFastSamples) << idle.describeOther(200);

  // Twice as many burns in flight as slow workers: every worker busy, the queue never empty.
  LoadGenerator burn({.port = stack.port(), .clients = 2 * kSlowWorkers, .duration = 30s, .max_requests = 400,
                      .path = [](int) { return std::string("/api/v1/test/burn?ms=250"); }});
  ASSERT_TRUE(waitFor([&] { return stack.poolStatus().lane("slow").busy == kSlowWorkers; }, 10s))
      << "the burns never occupied every slow worker";
  const auto saturated = sampleFastLane(stack);
  // A worker is idle for an instant between one burn and the next, so one look at the status can
  // miss it; the lane counts as saturated if both workers are busy again within a burn's length.
  const bool slow_saturated_after =
      waitFor([&] { return stack.poolStatus().lane("slow").busy == kSlowWorkers; }, 250ms, 5ms);
  burn.stopEarly();
  const auto burns = burn.finish();

  const auto ms = [](std::chrono::microseconds d) {
    const long tenths = static_cast<long>(d.count() / 100);
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
  };
  RecordProperty("fast_idle_p50_ms", ms(idle.latencyQuantile(0.5)));
  RecordProperty("fast_idle_p99_ms", ms(idle.latencyQuantile(0.99)));
  RecordProperty("fast_saturated_p50_ms", ms(saturated.latencyQuantile(0.5)));
  RecordProperty("fast_saturated_p99_ms", ms(saturated.latencyQuantile(0.99)));
  std::cout << "[priority] fast lane /api/v1/test/pid over " << kFastSamples << " requests: idle p50 "
            << ms(idle.latencyQuantile(0.5)) << " ms, p99 " << ms(idle.latencyQuantile(0.99)) << " ms; with "
            << kSlowWorkers << " slow workers burning at nice 10: p50 " << ms(saturated.latencyQuantile(0.5))
            << " ms, p99 " << ms(saturated.latencyQuantile(0.99)) << " ms (" << burns.count(200) << " burns answered)\n";

  EXPECT_EQ(saturated.count(200), kFastSamples) << saturated.describeOther(200);
  EXPECT_TRUE(slow_saturated_after) << "the slow lane was not saturated until the end of the sampling";
  EXPECT_LT(saturated.latencyQuantile(0.99), kSaturatedP99Bound);
  EXPECT_EQ(burns.count(200), burns.total()) << burns.describeOther(200);
}

}  // namespace
}  // namespace twinlane::test
