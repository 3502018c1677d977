// SPDX-License-Identifier: Apache-2.0
// A reload (HUP) retiring a fast worker that has just accepted a FastCGI connection and waits
// for its first byte: the request that then arrives is answered by that worker, not dropped
// (nginx, with one server in its upstream, would answer 502 for a dropped one), and a
// connection that never sends keeps the retiring worker no longer than the 2 s first-byte wait.
// The tests talk to the fast lane's socket directly, so that they, not nginx, decide when the
// first byte goes out; /status and the reload go through the stack as usual.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <optional>
#include <signal.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "fastcgi_client.h"
#include "integration_stack.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// The acceptor's first-byte wait (fcgi/acceptor.cpp), counted from the accept. The reload must
// complete well inside it, or the test could not tell a stop from that timeout.
constexpr auto kFirstByteTimeout = 2000ms;
constexpr auto kReloadBudget = 1500ms;
constexpr auto kAnswerDeadline = 5s;

long generation(const TwinlaneStack& stack) { return stack.status()->getValue<long>("generation"); }

// Connections waiting in the fast lane's backlog, as /status reports it from the kernel; -1 if
// it reports none. The /status request's own connection has been accepted by the time it runs.
long fastQueueLength(const TwinlaneStack& stack) {
  const auto queue = stack.status()->getObject("lanes")->getObject("fast")->getObject("queue");
  return queue->isNull("length") ? -1 : queue->getValue<long>("length");
}

// The state /status gives `pid` in the fast lane, or "" once it is no longer listed.
std::string fastWorkerState(const TwinlaneStack& stack, pid_t pid) {
  const PoolStatus pool = stack.poolStatus();
  for (const auto& worker : pool.lane("fast").workers) {
    if (worker.pid == pid) return worker.state;
  }
  return {};
}

// The JSON body of a FastCGI answer: the STDOUT records' content after the header block.
Poco::JSON::Object::Ptr answerJson(const std::string& received) {
  std::string out;
  for (std::size_t at = 0; received.size() - at >= 8;) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(received[at + i]); };
    const std::size_t length = byte(4) << 8 | byte(5);
    if (received.size() - at < 8 + length + byte(6)) break;
    if (byte(1) == 6) out.append(received, at + 8, length);  // FCGI_STDOUT
    at += 8 + length + byte(6);
  }
  const auto body = out.find("\r\n\r\n");
  if (body == std::string::npos) throw std::runtime_error("no header block in the answer: " + out);
  return Poco::JSON::Parser().parse(out.substr(body + 4)).extract<Poco::JSON::Object::Ptr>();
}

StackOptions oneFastWorker() {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.fast_processes = 1;
  // One thread waits on the test's connection; the other serves /status and, when the worker
  // is told to stop, leaves, so that /status shows the worker "exiting" while the first waits.
  options.fast_threads = 2;
  options.slow_processes = 1;
  return options;
}

// Sends HUP and waits until the master has told `old_worker` to stop (it stops generation 1
// only once generation 2 is ready; /status then shows it "exiting"), all within kReloadBudget
// of `connected` (when the test connected: the first-byte wait started no earlier).
::testing::AssertionResult reloadWithin(TwinlaneStack& stack, pid_t old_worker, Clock::time_point connected) {
  if (!stack.master().signal(SIGHUP)) return ::testing::AssertionFailure() << "cannot send HUP to the master";
  const auto left = kReloadBudget - std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - connected);
  std::string state = "idle";
  if (waitFor([&] { return (state = fastWorkerState(stack, old_worker)) != "idle" && state != "busy"; }, left)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << "generation 1's fast worker " << old_worker << " still \"" << state
                                       << "\" " << kReloadBudget.count()
                                       << " ms after connecting: the reload is too slow for the first-byte wait";
}

// Generation 1's only fast worker has accepted the test's connection, which has sent nothing
// yet, and a HUP has told the worker to stop once generation 2 was ready.
class AcceptorStop : public ::testing::Test {
 protected:
  void SetUp() override {
    stack_.emplace(oneFastWorker());
    ASSERT_EQ(generation(*stack_), 1);
    const auto fast = stack_->workerPids("fast");
    ASSERT_EQ(fast.size(), 1u);
    old_worker_ = fast.front();
    // The only worker accepts the connection: it leaves the backlog.
    connected_ = Clock::now();
    connection_.emplace(stack_->socketPath("fast"));
    ASSERT_TRUE(waitFor([&] { return fastQueueLength(*stack_) == 0; }, 1s)) << "the fast worker did not accept";
    ASSERT_TRUE(reloadWithin(*stack_, old_worker_, connected_));
  }

  std::optional<TwinlaneStack> stack_;
  pid_t old_worker_ = 0;
  Clock::time_point connected_;
  std::optional<FastcgiConnection> connection_;
};

TEST_F(AcceptorStop, ARequestOnAConnectionAcceptedBeforeAReloadIsAnsweredByTheRetiringWorker) {
  TwinlaneStack& stack = *stack_;
  FastcgiConnection& connection = *connection_;
  const pid_t old_worker = old_worker_;
  const auto connected = connected_;
  EXPECT_EQ(fastWorkerState(stack, old_worker), "exiting") << "generation 1's worker left instead of waiting for the request";

  const auto before_sending = connection.readAnswer(1ms);
  EXPECT_FALSE(before_sending.closed) << "the retiring worker closed the connection it had accepted, before its first byte";
  ASSERT_LT(Clock::now() - connected, kFirstByteTimeout - 200ms) << "too late to send within the first-byte wait";
  EXPECT_TRUE(connection.send(fastcgiRequest(nginxParams("GET", "/api/v1/test/pid")))) << "the connection is closed";
  const auto answer = connection.readAnswer(kAnswerDeadline);

  ASSERT_EQ(answer.status(), 200) << (answer.closed ? "closed" : "still open") << " after " << answer.elapsed.count()
                                  << " ms; received " << answer.received.size() << " bytes: " << answer.received;
  const auto body = answerJson(answer.received);
  EXPECT_EQ(body->getValue<long>("pid"), old_worker) << "another worker accepted the connection: the test missed its case";
  EXPECT_TRUE(waitFor([&] { return processGone(old_worker); }, 5s)) << "the retiring worker did not leave after answering";
  EXPECT_EQ(generation(stack), 2);
}

TEST_F(AcceptorStop, AConnectionThatNeverSendsHoldsARetiringWorkerForTheFirstByteWaitAtMost) {
  FastcgiConnection& connection = *connection_;
  const pid_t old_worker = old_worker_;
  const auto connected = connected_;
  const auto silence = connection.readAnswer(kAnswerDeadline);
  EXPECT_TRUE(silence.closed) << "still open " << kAnswerDeadline.count() << " s after a stop";
  EXPECT_TRUE(silence.received.empty()) << silence.received;
  EXPECT_LT(Clock::now() - connected, kFirstByteTimeout + 1s);
  EXPECT_TRUE(waitFor([&] { return processGone(old_worker); }, 5s)) << "the retiring worker did not leave";
}

}  // namespace
}  // namespace twinlane::test
