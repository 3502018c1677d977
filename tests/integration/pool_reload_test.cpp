// SPDX-License-Identifier: Apache-2.0
// Reload (HUP) with the real road-graph service: a new generation of workers takes over while
// clients keep sending fast and slow requests, and not one of them fails; a reload that cannot
// succeed (a bad key, a malformed graph) leaves the running generation serving and says why.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <iostream>

#include <future>
#include <sstream>

#include "integration_stack.h"
#include "load_generator.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

bool contains(const std::vector<pid_t>& pids, pid_t pid) { return std::find(pids.begin(), pids.end(), pid) != pids.end(); }

long generation(const TwinlaneStack& stack) { return stack.status()->getValue<long>("generation"); }

std::vector<pid_t> allWorkerPids(const PoolStatus& pool) {
  auto pids = pool.lane("fast").pids();
  const auto slow = pool.lane("slow").pids();
  pids.insert(pids.end(), slow.begin(), slow.end());
  return pids;
}

TEST(PoolReload, TwoHupsUnderLoadAnswerEveryRequestAndReplaceEveryWorker) {
  constexpr int kClients = 20;
  constexpr int kMaxRequests = 20000;
  constexpr int kAfterReload = 200;  // requests served by the new generation alone
  auto options = integrationOptions();
  options.slow_processes = 2;
  options.fast_processes = 2;
  TwinlaneStack stack(options);
  const long nodes = graphNodeCount(stack);
  const auto before = allWorkerPids(stack.poolStatus());
  ASSERT_EQ(generation(stack), 1);

  LoadGenerator load({.port = stack.port(), .clients = kClients, .duration = 60s, .max_requests = kMaxRequests,
                      .path = [nodes](int i) {
                        const long a = 1 + (i * 7919L) % nodes;
                        const long b = 1 + (i * 104729L) % nodes;
                        switch (i % 4) {
                          case 0: return "/api/v1/route?from=" + std::to_string(a) + "&to=" + std::to_string(b);
                          case 1: return "/api/v1/nodes/" + std::to_string(a);
                          case 2: return std::string("/api/v1/health");
                          default: return std::string("/api/v1/graph");
                        }
                      }});
  ASSERT_TRUE(waitFor([&] { return load.completed() >= 100; }, 20s)) << "the load did not get going";

  const auto first_hup = load.completed();
  ASSERT_TRUE(stack.master().signal(SIGHUP));
  // The second HUP lands while the first reload is under way (its generation is starting).
  ASSERT_TRUE(waitFor([&] { return stack.masterLog().find("reload: generation 2 starts") != std::string::npos; }, 30s));
  ASSERT_TRUE(stack.master().signal(SIGHUP));
  PoolStatus pool;
  const bool replaced = waitFor(
      [&] {
        pool = stack.poolStatus();
        const auto now = allWorkerPids(pool);
        return generation(stack) == 3 && pool.ready() &&
               std::none_of(before.begin(), before.end(), [&](pid_t pid) { return contains(now, pid); });
      },
      60s, 50ms);
  const int at_replaced = load.completed();
  EXPECT_TRUE(waitFor([&] { return load.completed() >= at_replaced + kAfterReload; }, 20s))
      << "the new generation did not serve " << kAfterReload << " requests within 20 s";
  load.stopEarly();
  const auto report = load.finish();

  RecordProperty("requests", std::to_string(report.total()));
  RecordProperty("requests_during_reload", std::to_string(at_replaced - first_hup));
  RecordProperty("failed_requests", std::to_string(report.total() - report.count(200)));
  std::cout << "[reload] " << report.total() << " requests from " << kClients << " clients in " << report.wall.count()
            << " ms, " << (at_replaced - first_hup) << " of them between the first HUP and a fully replaced pool; "
            << (report.total() - report.count(200)) << " not 200\n";
  ASSERT_TRUE(replaced) << "the pool never reached generation 3 with every worker new";
  EXPECT_EQ(report.count(200), report.total()) << report.describeOther(200);
  EXPECT_TRUE(report.failures.empty()) << report.describeOther(200);
  for (const auto& [lane, status] : pool.lanes) {
    for (const auto& worker : status.workers) EXPECT_EQ(worker.generation, 3) << lane << " worker " << worker.pid;
  }
  for (const pid_t pid : before) EXPECT_TRUE(waitFor([pid] { return processGone(pid); }, 5s)) << "old worker " << pid;
}

// Rewrites the config with `options`, sends HUP, and checks the running generation kept serving.
void expectFailedReloadKeepsServing(TwinlaneStack& stack, const StackOptions& broken, const std::string& reason) {
  const auto before = allWorkerPids(stack.poolStatus());
  const long nodes = graphNodeCount(stack);
  writeFile(stack.configPath(), renderConfig(broken, stack.dir().path()));
  ASSERT_TRUE(stack.master().signal(SIGHUP));

  ASSERT_TRUE(waitFor([&] { return stack.masterLog().find("reload failed") != std::string::npos; }, 30s))
      << "no \"reload failed\" in the master log";
  const std::string log = stack.masterLog();
  const auto line_start = log.find("reload failed");
  const std::string line = log.substr(line_start, log.find('\n', line_start) - line_start);
  EXPECT_NE(line.find("reload failed, generation 1 keeps serving"), std::string::npos) << line;
  EXPECT_NE(line.find(reason), std::string::npos) << "the log line does not say why (" << reason << "): " << line;

  EXPECT_EQ(generation(stack), 1);
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/route?from=1&to=" + std::to_string(nodes))));
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/health")));
  const auto pool = stack.poolStatus();
  EXPECT_TRUE(pool.ready());
  EXPECT_EQ(allWorkerPids(pool), before) << "a failed reload must not touch the workers";
}

TEST(PoolReload, AReloadWithAnUnknownKeyKeepsTheRunningGenerationServing) {
  auto options = integrationOptions();
  options.slow_processes = 1;
  options.expected_log_errors = {"reload failed"};
  TwinlaneStack stack(options);
  auto broken = options;
  broken.extra_yaml = "colour: blue\n";
  expectFailedReloadKeepsServing(stack, broken, "colour");
}

TEST(PoolReload, AReloadWithAMalformedGraphKeepsTheRunningGenerationServing) {
  auto options = integrationOptions();
  options.slow_processes = 1;
  options.expected_log_errors = {"reload failed"};
  TwinlaneStack stack(options);
  auto broken = options;
  broken.graph = stack.dir().write("broken.gr", "c a malformed DIMACS file\np sp 3 2\na 1 2 7\na 2 x 5\n");
  expectFailedReloadKeepsServing(stack, broken, "broken.gr");
}

// The backlog the kernel gives the listening unix socket at `path`: the Send-Q column of
// `ss -xl` for a listener. Throws if ss fails or does not list the socket.
long kernelBacklog(const TwinlaneStack& stack, const std::filesystem::path& path) {
  const auto ss = runToCompletion({"/usr/bin/ss", "-xlH"}, stack.dir().path(), "ss", 10s);
  if (!ss.status.success()) throw std::runtime_error("ss -xlH failed: " + ss.err);
  std::istringstream lines(ss.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string netid, state, address;
    long recv_q = 0, send_q = 0;
    if (fields >> netid >> state >> recv_q >> send_q >> address && address == path.string()) return send_q;
  }
  throw std::runtime_error("ss -xl does not list " + path.string() + ":\n" + ss.out);
}

TEST(PoolReload, AFailedReloadLeavesTheQueueCapacityAsItWas) {
  auto options = integrationOptions();
  options.slow_processes = 1;
  options.queue_capacity = 4;
  options.expected_log_errors = {"reload failed"};
  TwinlaneStack stack(options);
  ASSERT_EQ(kernelBacklog(stack, stack.socketPath("slow")), 4);

  auto broken = options;
  broken.queue_capacity = 200;
  broken.graph = stack.dir().write("broken.gr", "p sp 3 2\na 1 2 7\na 2 x 5\n");
  writeFile(stack.configPath(), renderConfig(broken, stack.dir().path()));
  ASSERT_TRUE(stack.master().signal(SIGHUP));
  ASSERT_TRUE(waitFor([&] { return stack.masterLog().find("reload failed") != std::string::npos; }, 30s));

  const auto slow = stack.status()->getObject("lanes")->getObject("slow");
  EXPECT_EQ(slow->getObject("queue")->getValue<long>("capacity"), 4) << toString(slow);
  EXPECT_EQ(kernelBacklog(stack, stack.socketPath("slow")), 4)
      << "the failed reload changed the slow socket's backlog; generation 1 still reports capacity 4";
}

TEST(PoolReload, ASlowRequestInFlightAcrossAReloadCompletes) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  TwinlaneStack stack(options);
  const pid_t old_worker = stack.workerPids("slow").front();

  auto pending = std::async(std::launch::async, [&] { return stack.get("/api/v1/test/sleep?ms=1500"); });
  ASSERT_TRUE(waitFor([&] { return stack.poolStatus().lane("slow").busy == 1; }, 10s));
  ASSERT_TRUE(stack.master().signal(SIGHUP));
  ASSERT_TRUE(waitFor([&] { return generation(stack) == 2; }, 10s));
  const auto next = stack.get("/api/v1/test/sleep?ms=1");

  const auto answer = pending.get();
  EXPECT_TRUE(isJsonOk(answer)) << "the request the old generation was serving";
  EXPECT_EQ(answer.json()->getValue<long>("pid"), old_worker);
  EXPECT_TRUE(isJsonOk(next)) << "a request during the reload";
  EXPECT_NE(next.json()->getValue<long>("pid"), old_worker) << "the new generation serves new requests";
  EXPECT_TRUE(waitFor([&] { return processGone(old_worker); }, 5s)) << "the old worker did not leave after its request";
}

}  // namespace
}  // namespace twinlane::test
