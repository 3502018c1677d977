// SPDX-License-Identifier: Apache-2.0
// Hostile FastCGI streams sent straight to each lane's socket, as any local user in the socket's
// group (or, with TCP lanes, any peer) can: the record that aborted libfcgi, the other cases of
// its class, and seeded random mutations of valid requests. No worker may die or restart; each
// refused connection is closed, counted in twinlane_bad_fastcgi_total{lane} and logged with its
// reason; good requests through nginx keep getting their answers.
#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <future>
#include <random>

#include "fastcgi_client.h"
#include "integration_stack.h"
#include "prometheus_text.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kMaxParams = "16KiB";
constexpr std::size_t kMaxParamsBytes = 16384;
// The server gives a request 10 s to arrive whole; a refused stream closes long before.
constexpr auto kAnswerDeadline = 15s;
const char* const kLanes[] = {"fast", "slow"};

// The 41 bytes from the report: BEGIN_REQUEST, then a PARAMS record whose first pair declares a
// name of 0x62854eb6 and a value of 0x4575000e bytes, in a record far shorter than declared.
const std::string kAbortingRecord =
    fromHex("01010001000800000001010000000000010400010113007fe2854eb6c575000e0352455155c5535cb0");

const std::string kBegin = fastcgiRecord(1, 1, std::string("\0\1\0\0\0\0\0\0", 8));

std::string paramsStream(const std::string& content) {
  return kBegin + fastcgiRecord(4, 1, content) + fastcgiRecord(4, 1, {}) + fastcgiRecord(5, 1, {});
}

// A valid request for `lane` whose parameters total exactly `total` bytes (padded with a header).
std::string requestWithParamsOf(const std::string& lane, std::size_t total) {
  FastcgiParams params = nginxParams("GET", lane == "fast" ? "/api/v1/health" : "/api/v1/route?from=1&to=2");
  std::size_t size = 0;
  for (const auto& [name, value] : params) size += fastcgiPair(name, value).size();
  const std::string name = "HTTP_X_PAD";
  const std::size_t overhead = 1 + 4 + name.size();  // name length, 4-byte value length, name
  params.emplace_back(name, std::string(total - size - overhead, 'p'));
  return fastcgiRequest(params);
}

std::string managementFlood() {
  std::string names;
  for (int i = 0; i < 4; ++i) names += fastcgiPair("FCGI_MAX_CONNS", "");
  return fastcgiRecord(9, 0, names);
}

struct HostileCase {
  std::string name;
  std::string bytes;
  std::string logged;  // part of the reason the master log must show
};

std::vector<HostileCase> hostileCases() {
  const std::string four_byte_lengths = "\xff\xff\xff\xff\xff\xff\xff\xff";  // 0x7fffffff twice: sum over 32 bits
  return {
      {"the reported record, then half-closed", kAbortingRecord, "ended after 41 bytes"},
      {"the reported record completed", kAbortingRecord + std::string(258, 'x') + fastcgiRecord(4, 1, {}),
       "declares a name of 1652903606 and a value of 1165295630 bytes"},
      {"lengths whose sum overflows 32 bits", paramsStream(four_byte_lengths + "AB"),
       "declares a name of 2147483647 and a value of 2147483647"},
      {"a value one byte longer than the stream", paramsStream(std::string("\x01\x05", 2) + "Nvalu"),
       "declares a name of 1 and a value of 5 bytes, but only 5"},
      {"parameters one byte over limits.max_params", requestWithParamsOf("fast", kMaxParamsBytes + 1),
       "exceed the limit of " + std::to_string(kMaxParamsBytes) + " bytes"},
      {"GET_VALUES overflowing libfcgi's answer buffer", managementFlood(), "the first record is GET_VALUES"},
      {"GET_VALUES inside the body", kBegin + fastcgiRecord(4, 1, {}) + managementFlood(), "management record GET_VALUES"},
      {"a PARAMS record shorter than declared, then half-closed",
       kBegin + fastcgiRecord(4, 1, fastcgiPair("NAME", "value")).substr(0, 12), "ended after 28 bytes"},
  };
}

// The master log has a line in which `lane`'s worker refused a connection for `reason`.
bool loggedRefusal(const TwinlaneStack& stack, const std::string& lane, const std::string& reason) {
  std::istringstream log(stack.masterLog());
  for (std::string line; std::getline(log, line);) {
    if (line.find(lane + " worker: closed a FastCGI connection from ") != std::string::npos &&
        line.find(reason) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// The seed of a mutation run: `variable` from the environment to replay one, else a new one.
std::uint64_t mutationSeed(const char* variable) {
  const char* given = std::getenv(variable);
  return given ? std::strtoull(given, nullptr, 10) : std::random_device{}();
}

double laneMetric(const TwinlaneStack& stack, const std::string& series) {
  const auto metrics = stack.get("/metrics");
  EXPECT_EQ(metrics.status, 200) << metrics.describe();
  return metricValue(metrics.body, series).value_or(-1);
}

double laneRestarts(const TwinlaneStack& stack, const std::string& lane) {
  double total = 0;
  for (const char* reason : {"crash", "deadline", "max_requests", "max_private_memory"}) {
    total += laneMetric(stack, "twinlane_worker_restarts_total{lane=\"" + lane + "\",reason=\"" + reason + "\"}");
  }
  return total;
}

StackOptions guardOptions() {
  auto options = integrationOptions();
  options.slow_processes = 2;
  options.max_params = kMaxParams;
  return options;
}

class FastcgiGuard : public ::testing::Test {
 protected:
  void expectGoodRequestsAnswered(const TwinlaneStack& stack) {
    EXPECT_TRUE(isJsonOk(stack.get("/api/v1/health")));
    EXPECT_TRUE(isJsonOk(stack.get("/api/v1/route?from=1&to=2")));
  }
};

TEST_F(FastcgiGuard, HostileRecordsAreRefusedAndNoWorkerDies) {
  TwinlaneStack stack(guardOptions());
  const auto fast_before = stack.workerPids("fast");
  const auto slow_before = stack.workerPids("slow");
  const auto cases = hostileCases();

  for (const std::string lane : kLanes) {
    for (const auto& hostile : cases) {
      SCOPED_TRACE(lane + " lane: " + hostile.name);
      const auto exchange = exchangeFastcgi(stack.socketPath(lane), hostile.bytes, AfterSending::kHalfClose, kAnswerDeadline);
      ASSERT_TRUE(exchange.connected);
      EXPECT_TRUE(exchange.closed) << "the connection was still open after " << exchange.elapsed.count() << " ms";
      EXPECT_EQ(exchange.status(), std::nullopt) << "a refused stream got an answer: " << exchange.received;
      EXPECT_LT(exchange.elapsed, 5s) << "a half-closed stream must be refused at once";
      expectGoodRequestsAnswered(stack);
      EXPECT_TRUE(loggedRefusal(stack, lane, hostile.logged)) << "the log does not give the reason";
    }
    // The largest parameters allowed still make a request that is answered.
    const auto at_limit = exchangeFastcgi(stack.socketPath(lane), requestWithParamsOf(lane, kMaxParamsBytes),
                                          AfterSending::kKeepOpen, kAnswerDeadline);
    EXPECT_EQ(at_limit.status(), 200) << lane << " lane, parameters of exactly max_params: " << at_limit.received;
    EXPECT_EQ(laneMetric(stack, "twinlane_bad_fastcgi_total{lane=\"" + lane + "\"}"), static_cast<double>(cases.size()));
  }

  EXPECT_EQ(stack.workerPids("fast"), fast_before);
  EXPECT_EQ(stack.workerPids("slow"), slow_before);
  EXPECT_EQ(laneRestarts(stack, "fast"), 0);
  EXPECT_EQ(laneRestarts(stack, "slow"), 0);
  EXPECT_NE(stack.masterLog().find("closed a FastCGI connection from pid "), std::string::npos)
      << "the log line names no peer";
}

// A peer that sends part of a request and then neither sends nor closes holds one thread (fast
// lane) or one worker (slow lane) for 10 s at most; the others answer meanwhile.
TEST_F(FastcgiGuard, AStalledStreamIsClosedAfterItsDeadlineWhileOthersAreServed) {
  TwinlaneStack stack(guardOptions());
  const auto slow_before = stack.workerPids("slow");
  const std::string stalled = kBegin + fastcgiRecord(4, 1, fastcgiPair("NAME", "value")).substr(0, 12);
  std::vector<std::future<FastcgiExchange>> held;
  for (const std::string lane : kLanes) {
    held.push_back(std::async(std::launch::async, [&stack, &stalled, lane] {
      return exchangeFastcgi(stack.socketPath(lane), stalled, AfterSending::kKeepOpen, kAnswerDeadline);
    }));
  }
  for (int i = 0; i < 5; ++i) expectGoodRequestsAnswered(stack);
  for (auto& exchange : held) {
    const auto result = exchange.get();
    EXPECT_TRUE(result.closed) << "a stalled stream was still open after " << result.elapsed.count() << " ms";
    EXPECT_GE(result.elapsed, 9s) << "closed before its deadline";
  }
  EXPECT_TRUE(loggedRefusal(stack, "fast", "no complete request within 10 s (28 bytes received)"));
  EXPECT_TRUE(loggedRefusal(stack, "slow", "no complete request within 10 s (28 bytes received)"));
  EXPECT_EQ(stack.workerPids("slow"), slow_before);
  EXPECT_EQ(laneRestarts(stack, "fast") + laneRestarts(stack, "slow"), 0);
}

// A connection that sends nothing holds a thread (a slow worker) for 2 s at most, and counts.
TEST_F(FastcgiGuard, AConnectionThatSendsNothingIsClosedAfterTwoSeconds) {
  TwinlaneStack stack(guardOptions());
  for (const std::string lane : kLanes) {
    const auto idle = exchangeFastcgi(stack.socketPath(lane), {}, AfterSending::kKeepOpen, kAnswerDeadline);
    EXPECT_TRUE(idle.closed) << lane << " lane: still open after " << idle.elapsed.count() << " ms";
    EXPECT_GE(idle.elapsed, 1500ms);
    EXPECT_LT(idle.elapsed, 5s);
    EXPECT_TRUE(loggedRefusal(stack, lane, "no request within 2 s of connecting"));
    EXPECT_EQ(laneMetric(stack, "twinlane_bad_fastcgi_total{lane=\"" + lane + "\"}"), 1);
  }
}

// nginx's keepalive: requests follow one another on one connection, each after its answer.
// Bytes sent before an answer is written are no request nginx would send: the connection ends.
TEST_F(FastcgiGuard, AKeptConnectionServesRequestsInTurnAndRefusesPipelining) {
  TwinlaneStack stack(guardOptions());
  const std::string health = fastcgiRequest(nginxParams("GET", "/api/v1/health"), {}, /*keep_connection=*/true);
  FastcgiConnection kept(stack.socketPath("fast"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(kept.send(health));
    const auto answer = kept.readAnswer(kAnswerDeadline);
    EXPECT_EQ(answer.status(), 200) << "request " << i << " on the kept connection: " << answer.received;
    EXPECT_FALSE(answer.closed) << "request " << i;
  }

  FastcgiConnection pipelined(stack.socketPath("fast"));
  ASSERT_TRUE(pipelined.send(health + health));
  const auto first = pipelined.readAnswer(kAnswerDeadline);
  EXPECT_EQ(first.status(), 200) << first.received;
  const auto second = pipelined.readAnswer(kAnswerDeadline);
  EXPECT_TRUE(second.closed) << "the pipelined request was answered: " << second.received;
  EXPECT_TRUE(loggedRefusal(stack, "fast", "the next request arrived before the answer to the previous one"));
}

// A peer that asks for a large answer and never reads it holds its thread until the request's
// deadline, not longer: the answer is abandoned before the master would kill the worker for it.
TEST_F(FastcgiGuard, AnAnswerNobodyReadsIsAbandonedAtTheDeadlineWithoutAKill) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.fast_threads = 1;
  options.fast_routes = {"pid", "big", "status", "metrics"};
  options.slow_routes = {"sleep"};
  options.fast_settings = {"request_timeout: 2s"};
  TwinlaneStack stack(options);
  const auto before = stack.workerPids("fast");

  // 8 MiB: far more than the socket buffers hold, so the writer blocks.
  FastcgiConnection reader(stack.socketPath("fast"));
  ASSERT_TRUE(reader.send(fastcgiRequest(nginxParams("GET", "/api/v1/test/big?kib=8192"))));
  const auto sent_at = std::chrono::steady_clock::now();
  // The only serving thread is stuck writing; once it gives up, it answers again.
  ASSERT_TRUE(waitFor([&] { return stack.get("/api/v1/test/pid").status == 200; }, 10s));
  EXPECT_LT(std::chrono::steady_clock::now() - sent_at, 5s) << "the unread answer held the thread past its deadline";
  EXPECT_GE(std::chrono::steady_clock::now() - sent_at, 1500ms) << "the answer was abandoned before its deadline";

  EXPECT_EQ(stack.workerPids("fast"), before) << "the worker was killed for an answer nobody read";
  EXPECT_EQ(laneRestarts(stack, "fast"), 0);
  EXPECT_EQ(laneMetric(stack, "twinlane_worker_kills_total{lane=\"fast\"}"), 0);
  // Given up by the worker itself, not interrupted by the master's stack-dump signal.
  EXPECT_EQ(stack.masterLog().find("did not stop at its deadline"), std::string::npos) << stack.masterLog();
  const auto rest = reader.readAnswer(kAnswerDeadline);
  EXPECT_TRUE(rest.closed) << "the abandoned connection is still open";
  EXPECT_LT(rest.received.size(), std::size_t{8} << 20) << "the whole answer arrived";
}

// Valid requests as nginx sends them, for each lane.
std::vector<std::string> validRequests(const std::string& lane) {
  const std::string body = R"({"sources":[1,2],"targets":[3,4]})";
  if (lane == "fast") {
    return {fastcgiRequest(nginxParams("GET", "/api/v1/health")),
            fastcgiRequest(nginxParams("GET", "/api/v1/nodes/7")),
            fastcgiRequest(nginxParams("GET", "/api/v1/graph"), {}, true)};
  }
  return {fastcgiRequest(nginxParams("GET", "/api/v1/route?from=1&to=9")),
          fastcgiRequest(nginxParams("POST", "/api/v1/matrix", body.size(), "application/json"), body),
          fastcgiRequest(nginxParams("POST", "/api/v1/matrix", body.size(), "application/json"), body, true)};
}

// Bit flips, inserted and deleted bytes, truncations and extreme length fields.
std::string mutate(std::string bytes, std::mt19937_64& random) {
  const auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % std::max<std::size_t>(n, 1)); };
  const int edits = 1 + static_cast<int>(random() % 4);
  for (int e = 0; e < edits && !bytes.empty(); ++e) {
    switch (random() % 6) {
      case 0:  // flip one bit
        bytes[pick(bytes.size())] ^= static_cast<char>(1 << (random() % 8));
        break;
      case 1:  // insert random bytes
        bytes.insert(pick(bytes.size() + 1), std::string(1 + pick(8), static_cast<char>(random())));
        break;
      case 2:  // delete bytes
        bytes.erase(pick(bytes.size()), 1 + pick(8));
        break;
      case 3:  // truncate
        bytes.resize(pick(bytes.size()));
        break;
      case 4: {  // an extreme record length field (the header at a multiple of 8, as in valid streams)
        const std::size_t header = pick(bytes.size() / 8) * 8;
        if (header + 6 <= bytes.size()) {
          bytes[header + 4] = static_cast<char>(0xff);
          bytes[header + 5] = static_cast<char>(random() % 2 ? 0xff : 0x00);
        }
        break;
      }
      default: {  // an extreme 4-byte name or value length
        const std::size_t at = pick(bytes.size());
        const char extreme[4] = {static_cast<char>(0x80 | (random() & 0x7f)), static_cast<char>(random()),
                                 static_cast<char>(random()), static_cast<char>(random())};
        bytes.replace(at, std::min<std::size_t>(4, bytes.size() - at), extreme, 4);
        break;
      }
    }
  }
  return bytes;
}

// TWINLANE_MUTATION_SECONDS runs longer (the test command's run is a bounded count).
TEST_F(FastcgiGuard, SeededMutationsOfValidRequestsNeverRestartAWorker) {
  constexpr int kDefaultCountPerLane = 1200;
  constexpr int kClientsPerLane = 4;
  const char* seconds_text = std::getenv("TWINLANE_MUTATION_SECONDS");
  const auto budget = std::chrono::seconds(seconds_text ? std::atoi(seconds_text) : 0);
  const std::uint64_t seed = mutationSeed("TWINLANE_MUTATION_SEED");
  std::cout << "mutation seed " << seed << " (TWINLANE_MUTATION_SEED replays it)\n";

  auto options = guardOptions();
  options.log_level = "error";  // a line per refused connection would dwarf the log
  TwinlaneStack stack(options);
  const auto fast_before = stack.workerPids("fast");
  const auto slow_before = stack.workerPids("slow");

  // One client: its own seeded sequence of mutations, each sent on a new connection. Most are
  // half-closed at once (an incomplete one ends there); every third is kept open for a moment,
  // so that a mutation that is still a valid request is served rather than abandoned.
  struct Tally {
    long sent = 0;
    long answered = 0;
  };
  const auto runClient = [&](const std::string& lane, std::uint64_t client_seed, long count) {
    std::mt19937_64 random(client_seed);
    const auto valid = validRequests(lane);
    const auto started = std::chrono::steady_clock::now();
    Tally tally;
    while (budget.count() > 0 ? std::chrono::steady_clock::now() - started < budget : tally.sent < count) {
      const std::string stream = mutate(valid[random() % valid.size()], random);
      const auto after = random() % 3 == 0 ? AfterSending::kKeepOpenThenHalfClose : AfterSending::kHalfClose;
      const auto exchange = exchangeFastcgi(stack.socketPath(lane), stream, after, kAnswerDeadline);
      ++tally.sent;
      if (exchange.status()) ++tally.answered;
      if (!exchange.connected || !exchange.closed) {
        ADD_FAILURE() << lane << " lane: mutation " << tally.sent << " (client seed " << client_seed << ") "
                      << (exchange.connected ? "was not closed within 15 s" : "could not connect");
        break;
      }
    }
    return tally;
  };
  std::vector<std::pair<std::string, std::future<Tally>>> clients;
  for (const std::string lane : kLanes) {
    for (int c = 0; c < kClientsPerLane; ++c) {
      const std::uint64_t client_seed = seed + static_cast<std::uint64_t>(clients.size());
      clients.emplace_back(lane, std::async(std::launch::async, runClient, lane, client_seed,
                                            kDefaultCountPerLane / kClientsPerLane));
    }
  }
  std::map<std::string, Tally> lanes;
  for (auto& [lane, client] : clients) {
    const Tally tally = client.get();
    lanes[lane].sent += tally.sent;
    lanes[lane].answered += tally.answered;
  }
  for (const auto& [lane, tally] : lanes) {
    std::cout << lane << " lane: " << tally.sent << " mutated streams, " << tally.answered << " answered\n";
    EXPECT_GT(tally.sent, 0);
    EXPECT_GT(tally.answered, 0) << lane << " lane: no mutation was served; the test sends no valid request";
  }

  expectGoodRequestsAnswered(stack);
  EXPECT_EQ(stack.workerPids("fast"), fast_before) << "seed " << seed;
  EXPECT_EQ(stack.workerPids("slow"), slow_before) << "seed " << seed;
  EXPECT_EQ(laneRestarts(stack, "fast"), 0) << "seed " << seed;
  EXPECT_EQ(laneRestarts(stack, "slow"), 0) << "seed " << seed;
  EXPECT_GT(laneMetric(stack, "twinlane_bad_fastcgi_total{lane=\"fast\"}"), 0);
}

}  // namespace
}  // namespace twinlane::test
