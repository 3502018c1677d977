// SPDX-License-Identifier: Apache-2.0
// Kept connections (FCGI_KEEP_CONN, nginx's upstream keepalive) wait for their next request in
// the worker's epoll set, not in a serving thread: a kept connection left idle never delays a
// request on another connection, however few threads the lane has, and is still usable after.
// The clients here are controlled FastCGI peers on the lane's socket, so "idle" is a fact of the
// test, not a guess about nginx's cache; the last test checks nginx reuses its connections.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <vector>

#include "fastcgi_client.h"
#include "pool_status.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kAnswerDeadline = 10s;

std::string pidRequest(bool keep) { return fastcgiRequest(nginxParams("GET", "/api/v1/test/pid"), {}, keep); }

StackOptions oneThreadFastLane() {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.fast_threads = 1;
  options.slow_processes = 1;
  return options;
}

// Opens a connection, has one request answered on it with FCGI_KEEP_CONN, and leaves it idle.
std::unique_ptr<FastcgiConnection> idleKeptConnection(const TwinlaneStack& stack) {
  auto connection = std::make_unique<FastcgiConnection>(stack.socketPath("fast"));
  EXPECT_TRUE(connection->send(pidRequest(true)));
  const auto answer = connection->readAnswer(kAnswerDeadline);
  EXPECT_EQ(answer.status(), 200) << answer.received;
  EXPECT_FALSE(answer.closed);
  return connection;
}

// The sockets a process holds open (listeners, connections).
int socketCount(pid_t pid) {
  int count = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", error)) {
    const auto target = std::filesystem::read_symlink(entry.path(), error);
    if (!error && target.string().rfind("socket:", 0) == 0) ++count;
  }
  return count;
}

TEST(Keepalive, AnIdleKeptConnectionNeverHoldsTheOnlyThreadFromANewConnection) {
  TwinlaneStack stack(oneThreadFastLane());
  const auto kept = idleKeptConnection(stack);

  // The lane's one thread must serve this while `kept` stays open and idle.
  const auto other = exchangeFastcgi(stack.socketPath("fast"), pidRequest(false), AfterSending::kKeepOpen, kAnswerDeadline);
  EXPECT_EQ(other.status(), 200) << "a request on another connection waited for the idle kept one: " << other.received;

  // And the kept connection was not given up to make room: its next request is answered on it.
  ASSERT_TRUE(kept->send(pidRequest(true)));
  const auto again = kept->readAnswer(kAnswerDeadline);
  EXPECT_EQ(again.status(), 200) << "the kept connection was closed: " << again.received;
  EXPECT_FALSE(again.closed);
}

TEST(Keepalive, ManyIdleKeptConnectionsAreEachServedWhenTheirNextRequestComes) {
  constexpr int kKept = 64;
  TwinlaneStack stack(oneThreadFastLane());
  std::vector<std::unique_ptr<FastcgiConnection>> kept;
  for (int i = 0; i < kKept; ++i) kept.push_back(idleKeptConnection(stack));

  const auto other = exchangeFastcgi(stack.socketPath("fast"), pidRequest(false), AfterSending::kKeepOpen, kAnswerDeadline);
  EXPECT_EQ(other.status(), 200) << other.received;
  // All of them send at once; the one thread serves them in turn.
  for (auto& connection : kept) ASSERT_TRUE(connection->send(pidRequest(true)));
  for (int i = 0; i < kKept; ++i) {
    const auto answer = kept[i]->readAnswer(kAnswerDeadline);
    EXPECT_EQ(answer.status(), 200) << "kept connection " << i << ": " << answer.received;
    EXPECT_FALSE(answer.closed) << "kept connection " << i;
  }
}

TEST(Keepalive, AGracefulStopDoesNotWaitForIdleKeptConnections) {
  auto options = oneThreadFastLane();
  options.graceful_timeout = "20s";
  TwinlaneStack stack(options);
  const auto kept = idleKeptConnection(stack);

  const auto stopped_at = std::chrono::steady_clock::now();
  const auto exit = stack.signalMasterAndWait(SIGTERM, 15s);
  ASSERT_TRUE(exit.has_value()) << "the master did not stop with an idle kept connection open";
  EXPECT_TRUE(exit->success()) << exit->describe();
  EXPECT_LT(std::chrono::steady_clock::now() - stopped_at, 5s) << "the stop waited for the idle connection";
  const auto after = kept->readAnswer(kAnswerDeadline);
  EXPECT_TRUE(after.closed) << "the worker left its kept connection open";
}

// A retiring worker (reload) closes its idle kept connections when it is told to stop, not when
// it exits: left open, nginx would send them requests that no thread of it reads any more. Here
// the worker outlives the stop, a thread held by a connection that never sends (the first-byte
// wait, 2 s), so the kept connection must be closed while the worker still runs.
TEST(Keepalive, ARetiringWorkerClosesItsIdleKeptConnectionsBeforeItExits) {
  auto options = oneThreadFastLane();
  options.fast_threads = 2;
  TwinlaneStack stack(options);
  const pid_t old_worker = stack.workerPids("fast").at(0);
  const auto kept = idleKeptConnection(stack);
  FastcgiConnection silent(stack.socketPath("fast"));  // holds one thread in its first-byte wait
  // Accepted by the old worker (out of the backlog) before the reload, or the case is missed.
  ASSERT_TRUE(waitFor([&] { return stack.poolStatus().lane("fast").queue_length == 0; }, 1s));

  ASSERT_TRUE(stack.master().signal(SIGHUP));
  const auto closed = kept->readAnswer(kAnswerDeadline);
  EXPECT_TRUE(closed.closed) << "the retiring worker kept its idle connection";
  // The silent connection ends (refused) after its first-byte wait, just before the worker
  // exits: still open, the worker had not reached its exit when it closed the kept one.
  EXPECT_FALSE(silent.readAnswer(1ms).closed) << "the kept connection closed only when its worker exited";
  EXPECT_TRUE(waitFor([&] { return processGone(old_worker); }, 10s)) << "the retiring worker did not leave";
  EXPECT_EQ(stack.get("/api/v1/test/pid").status, 200);
}

// The sockets the master's children (the workers) hold open: listeners and connections.
int workerSocketCount(pid_t master) {
  std::ifstream children("/proc/" + std::to_string(master) + "/task/" + std::to_string(master) + "/children");
  int count = 0;
  for (pid_t child = 0; children >> child;) count += socketCount(child);
  return count;
}

// Threads of `pid` asleep in nanosleep (the test app's sleep route), from /proc/.../wchan.
int threadsSleeping(pid_t pid) {
  int count = 0;
  std::error_code error;
  for (const auto& thread : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    std::ifstream wchan(thread.path() / "wchan");
    std::string where;
    if (wchan >> where && where.find("nanosleep") != std::string::npos) ++count;
  }
  return count;
}

// A stop serves every request already waiting on a kept connection, however many there are
// (more than the threads, more than one epoll batch), before the worker leaves. Both threads are
// busy with a 2 s sleep (long enough on a loaded machine) when the stop and then the 40 requests
// come, so all 40 wait. /status is on the slow lane here, so that the test's own questions need
// no fast thread.
TEST(Keepalive, AStopServesEveryRequestAlreadyWaitingOnAKeptConnection) {
  constexpr int kKept = 40;
  auto options = oneThreadFastLane();
  options.fast_threads = 2;
  options.fast_routes = {"pid", "sleep"};
  options.slow_routes = {"burn", "status", "metrics"};
  TwinlaneStack stack(options);
  const pid_t worker = stack.workerPids("fast").at(0);
  std::vector<std::unique_ptr<FastcgiConnection>> kept;
  for (int i = 0; i < kKept; ++i) kept.push_back(idleKeptConnection(stack));
  std::vector<std::unique_ptr<FastcgiConnection>> sleepers;
  for (int i = 0; i < 2; ++i) {
    sleepers.push_back(std::make_unique<FastcgiConnection>(stack.socketPath("fast")));
    ASSERT_TRUE(sleepers.back()->send(fastcgiRequest(nginxParams("GET", "/api/v1/test/sleep?ms=2000"))));
  }
  ASSERT_TRUE(waitFor([&] { return threadsSleeping(worker) == 2; }, 2s)) << "the sleeps did not start";

  // The stop first (the master cannot finish it before the sleeps end), then the requests: the
  // worker finds its wake-up ahead of them, and must still serve every one.
  EXPECT_FALSE(stack.signalMasterAndWait(SIGTERM, 100ms).has_value()) << "the master stopped before the sleeps ended";
  for (auto& connection : kept) ASSERT_TRUE(connection->send(pidRequest(true)));
  // Both threads still busy when the last request went out, so every one of them waited. (Not
  // the sleeping threads' wchan: the test app sleeps in 5 ms steps, and on a busy machine a
  // thread between two steps waits for a core and is not "in nanosleep" at that instant.)
  for (auto& sleeper : sleepers) EXPECT_FALSE(sleeper->answerPending()) << "a sleep ended before the requests were sent";
  for (auto& sleeper : sleepers) EXPECT_EQ(sleeper->readAnswer(kAnswerDeadline).status(), 200);
  for (int i = 0; i < kKept; ++i) {
    const auto answer = kept[i]->readAnswer(kAnswerDeadline);
    EXPECT_EQ(answer.status(), 200) << "kept connection " << i << " lost its request at the stop: " << answer.received;
  }
}

// The workers' socket count once it has stopped changing: a worker closes a connection just
// after its answer, which the client may read first.
int settledWorkerSocketCount(pid_t master) {
  int count = workerSocketCount(master);
  int same = 0;
  waitFor([&] {
    const int now = workerSocketCount(master);
    same = now == count ? same + 1 : 0;
    count = now;
    return same >= 5;
  }, 2s, 20ms);
  return count;
}

// Through nginx with `keepalive: 8`: sequential requests all succeed, and nginx keeps one
// connection to the fast worker open between them; without keepalive it keeps none. (The
// stack's own start-up requests go through nginx too, so the two stacks are compared after the
// same requests rather than each with itself before them.)
TEST(Keepalive, NginxKeepsOneConnectionToTheFastLaneForSequentialRequests) {
  std::map<bool, int> sockets;
  for (const bool keepalive : {false, true}) {
    SCOPED_TRACE(keepalive ? "keepalive: 8" : "keepalive: 0");
    auto options = oneThreadFastLane();
    options.fast_settings = {keepalive ? "keepalive: 8" : "keepalive: 0"};
    TwinlaneStack stack(options);
    for (int i = 0; i < 50; ++i) {
      const auto answer = stack.get("/api/v1/test/pid");
      ASSERT_EQ(answer.status, 200) << "request " << i << ": " << answer.body;
    }
    sockets[keepalive] = settledWorkerSocketCount(stack.masterPid());
  }
  EXPECT_EQ(sockets[true] - sockets[false], 1) << "without keepalive the workers hold " << sockets[false]
                                                << " sockets, with it " << sockets[true];
}

}  // namespace
}  // namespace twinlane::test
