// SPDX-License-Identifier: Apache-2.0
// The soak: nginx and twinlane on a real road graph (Monaco from ../shared, two profiles; the
// generated graph with two seeds where ../shared is absent) under a bounded mixed load from
// 24 clients (lookups, routes, matrices, bad input of every kind), while a fault loop sends the
// master HUP (plain, with a changed graph renamed into place, with a broken config), kills a
// random worker with SIGKILL, stops a busy slow worker past its deadline with SIGSTOP, and
// sends TTIN/TTOU. At the end it asserts what an operator would check after a week, and prints
// a table: every request got a 200 or its documented JSON error; the only 502s are requests in
// flight on a killed worker; the master's fds, threads and private memory after the first
// minute and at the end; no zombie, no worker left; nginx logged no alert; latency per class
// and minute. Length: TWINLANE_SOAK_MINUTES (tests/soak/soak.sh sets it; default 10).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "http_client.h"
#include "pool_status.h"
#include "proc_info.h"
#include "temp_dir.h"
#include "twinlane_harness.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 24;
constexpr int kSlowWorkers = 3;
constexpr int kFastWorkers = 2;
constexpr int kFastThreads = 2;  // a killed fast worker loses at most this many requests
constexpr auto kRequestTimeout = 2s;
constexpr auto kFaultInterval = 5s;
// The master's private memory may grow this much between the first minute and the end
// (allocator caches, the sanitizer's quarantine is capped below).
constexpr std::uint64_t kMemoryToleranceBytes = 8u << 20;
constexpr int kFdTolerance = 2;

// ---- the graphs -------------------------------------------------------------------------

struct Graphs {
  std::filesystem::path a, b;  // two different graphs of the same place
  std::string what;
};

Graphs makeGraphs(const TempDir& dir) {
  const std::filesystem::path monaco = std::filesystem::path(TWINLANE_SHARED_DATA_DIR) / "monaco.osm.pbf";
  Graphs graphs{dir.file("a.twg"), dir.file("b.twg"), {}};
  std::vector<std::vector<std::string>> commands;
  if (std::filesystem::exists(monaco)) {
    graphs.what = "Monaco (../shared/data/monaco.osm.pbf), car and distance profiles";
    commands = {{TWINLANE_GRAPH_BIN, "import", "--profile", "car", monaco.string(), graphs.a.string()},
                {TWINLANE_GRAPH_BIN, "import", "--profile", "distance", monaco.string(), graphs.b.string()}};
  } else {
    graphs.what = "generated, 20000 nodes, seeds 1 and 2 (../shared is absent)";
    commands = {{TWINLANE_GRAPH_BIN, "generate", "--nodes", "20000", "--seed", "1", "--format", "snapshot",
                 dir.file("a").string()},
                {TWINLANE_GRAPH_BIN, "generate", "--nodes", "20000", "--seed", "2", "--format", "snapshot",
                 dir.file("b").string()}};
  }
  for (const auto& command : commands) {
    const auto done = runToCompletion(command, dir.path(), "graph", 300s);
    if (!done.status.success()) throw std::runtime_error(joinCommandLine(command) + " failed: " + done.err + done.out);
  }
  return graphs;
}

// Replaces `target` by a copy of `source` through a rename, as a deployment does.
void renameInto(const std::filesystem::path& source, const std::filesystem::path& target) {
  const std::filesystem::path temporary = target.string() + ".new";
  std::filesystem::copy_file(source, temporary, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::rename(temporary, target);
}

// ---- what the clients see ---------------------------------------------------------------

enum class Kind { kLookup, kRoute, kMatrix, kBad };
const char* kindName(Kind kind) {
  switch (kind) {
    case Kind::kLookup: return "lookup (fast)";
    case Kind::kRoute: return "route (slow)";
    case Kind::kMatrix: return "matrix (slow)";
    case Kind::kBad: return "bad input";
  }
  return "?";
}

struct Answer {
  Kind kind;
  int minute;
  std::chrono::microseconds latency;
  int status;
  std::string code;     // the API error code of a non-200
  std::string problem;  // empty: as documented
};

// One bad request and the answer the API documents for it.
struct BadRequest {
  std::string method, target, body, content_type;
  std::map<std::string, std::string> headers;
  int status;
  std::string code;
};

std::vector<BadRequest> badRequests() {
  return {
      {"GET", "/api/v1/nodes/12abc", "", "", {}, 400, "invalid_parameter"},
      {"GET", "/api/v1/nodes/999999999", "", "", {}, 404, "unknown_node"},
      {"GET", "/api/v1/route?from=1", "", "", {}, 400, "missing_parameter"},
      {"GET", "/api/v1/route?from=1&to=2&from=3", "", "", {}, 400, "invalid_parameter"},
      {"GET", "/api/v1/route?from=%zz&to=1", "", "", {}, 400, "invalid_parameter"},
      {"GET", "/api/v1/route?from=1&to=2&geometry=svg", "", "", {}, 400, "invalid_parameter"},
      {"GET", "/api/v1/nearest?lon=200&lat=1", "", "", {}, 400, "invalid_parameter"},
      {"POST", "/api/v1/matrix", "{\"sources\":[1,", "application/json", {}, 400, "invalid_json"},
      {"POST", "/api/v1/matrix", "{\"sources\":[1]}", "text/plain", {}, 415, "unsupported_media_type"},
      {"POST", "/api/v1/matrix", std::string(2 << 20, ' '), "application/json", {}, 413, "payload_too_large"},
      {"GET", "/api/v1/health?pad=" + std::string(20000, 'a'), "", "", {}, 414, "uri_too_long"},
      {"GET", "/api/v1/health", "", "", {{"X-Big", std::string(20000, 'b')}}, 431, "header_too_large"},
      {"GET", "/nowhere", "", "", {}, 404, "not_found"},
      {"DELETE", "/api/v1/route?from=1&to=2", "", "", {}, 405, "method_not_allowed"},
  };
}

std::string errorCode(const HttpResult& result) {
  try {
    return result.json()->getObject("error")->getValue<std::string>("code");
  } catch (const std::exception&) {
    return {};
  }
}

class Clients {
 public:
  Clients(const TwinlaneStack& stack, long nodes, Clock::time_point start, Clock::time_point end)
      : stack_(stack), nodes_(nodes), start_(start), end_(end), bad_(badRequests()) {
    for (int i = 0; i < kClients; ++i) threads_.emplace_back([this, i] { run(i); });
  }
  std::vector<Answer> finish() {
    threads_.clear();  // joins
    return std::move(answers_);
  }
  std::string graphSeen() {
    const std::lock_guard<std::mutex> lock(mutex_);
    return last_graph_;
  }

 private:
  void run(int client) {
    std::mt19937_64 random(static_cast<std::uint64_t>(client) + 1);
    const HttpClient http(20s);
    while (Clock::now() < end_) {
      const auto pick = random() % 100;
      const Kind kind = pick < 40 ? Kind::kLookup : pick < 65 ? Kind::kRoute : pick < 75 ? Kind::kMatrix : Kind::kBad;
      const auto node = [&] { return std::to_string(1 + random() % static_cast<std::uint64_t>(nodes_)); };
      const BadRequest* bad = nullptr;
      std::string method = "GET", target, body, content_type;
      std::map<std::string, std::string> headers;
      switch (kind) {
        case Kind::kLookup: target = "/api/v1/nodes/" + node(); break;
        case Kind::kRoute: target = "/api/v1/route?from=" + node() + "&to=" + node() + "&geometry=polyline"; break;
        case Kind::kMatrix:
          method = "POST";
          target = "/api/v1/matrix";
          body = "{\"sources\":[" + node() + "," + node() + "],\"targets\":[" + node() + "," + node() + "," + node() + "]}";
          content_type = "application/json";
          break;
        case Kind::kBad:
          bad = &bad_[random() % bad_.size()];
          method = bad->method, target = bad->target, body = bad->body, content_type = bad->content_type;
          headers = bad->headers;
          break;
      }
      const auto sent = Clock::now();
      Answer answer{kind, static_cast<int>((sent - start_) / 1min), 0us, 0, {}, {}};
      try {
        const HttpResult result = http.request(method, stack_.port(), target, body, content_type, headers);
        answer.latency = std::chrono::duration_cast<std::chrono::microseconds>(result.received - result.sent);
        answer.status = result.status;
        if (result.status != 200) answer.code = errorCode(result);
        judge(answer, bad, result);
        if (result.status == 200 && kind != Kind::kBad) remember(result.header("X-Twinlane-Graph"));
      } catch (const std::exception& error) {
        const std::string what = error.what();
        if (bad != nullptr && bad->status >= 413 && cutOff(what)) {
          answer.code = "reset";  // counted and shown, not a problem: see cutOff
        } else {
          answer.problem = "no answer to " + method + " " + target.substr(0, 80) + ": " +
                           what.substr(what.size() > 200 ? what.size() - 200 : 0);
        }
      }
      const std::lock_guard<std::mutex> lock(mutex_);
      answers_.push_back(std::move(answer));
    }
  }

  // nginx refuses an oversized request (413, 414, 431) while the client may still be sending
  // it, then closes; a reset that reaches the client before the answer loses the answer (HTTP's
  // known race, RFC 9112 section 9.6). Only for those requests is such a cut accepted.
  static bool cutOff(const std::string& what) {
    return what.find("reset") != std::string::npos || what.find("Broken pipe") != std::string::npos ||
           what.find("I/O error") != std::string::npos;
  }

  static void judge(Answer& answer, const BadRequest* bad, const HttpResult& result) {
    // 502: a request in flight on a killed worker (bad input for the slow lane too); the caller
    // counts them against the kills.
    if (answer.status == 502 && answer.code == "bad_gateway") return;
    if (bad != nullptr) {
      if (answer.status != bad->status || answer.code != bad->code) {
        answer.problem = "expected " + std::to_string(bad->status) + " " + bad->code + ", got " + result.describe().substr(0, 300);
      }
      return;
    }
    if (answer.status == 200) {
      try {
        (void)result.json();
      } catch (const std::exception& error) {
        answer.problem = std::string("a 200 that is not JSON: ") + error.what();
      }
      return;
    }
    answer.problem = "a good request answered " + result.describe().substr(0, 300);
  }

  void remember(const std::string& graph) {
    const std::lock_guard<std::mutex> lock(mutex_);
    last_graph_ = graph;
  }

  const TwinlaneStack& stack_;
  long nodes_;
  Clock::time_point start_, end_;
  std::vector<BadRequest> bad_;
  std::mutex mutex_;
  std::vector<Answer> answers_;
  std::string last_graph_;
  std::vector<std::jthread> threads_;
};

// ---- the master as an operator watches it -----------------------------------------------

struct MasterReading {
  int fds = 0;
  int threads = 0;
  std::uint64_t private_bytes = 0;
};

MasterReading readMaster(pid_t pid) {
  MasterReading reading;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++reading.fds;
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("Threads:", 0) == 0) reading.threads = std::stoi(line.substr(8));
  }
  reading.private_bytes = processPrivateBytes(pid).value_or(0);
  return reading;
}

// Children of `parent` in state Z (exited, not reaped).
std::vector<pid_t> zombieChildren(pid_t parent) {
  std::vector<pid_t> zombies;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text;
    std::getline(stat, text);
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent && state == 'Z') zombies.push_back(std::stoi(name));
  }
  return zombies;
}

// ---- the faults ---------------------------------------------------------------------------

struct FaultCounts {
  std::map<std::string, int> done;  // fault -> how many times
  int fast_kills = 0;
  int slow_kills = 0;  // SIGKILLs and SIGSTOPs past the deadline of a busy slow worker
  std::vector<std::string> problems;
  std::set<pid_t> workers_seen;
};

int countOf(const std::string& text, const std::string& what) {
  int count = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

class Faults {
 public:
  // `served`: the graph file the config names, which changeGraph replaces.
  Faults(TwinlaneStack& stack, const Graphs& graphs, std::filesystem::path served, Clients& clients)
      : stack_(stack), graphs_(graphs), served_(std::move(served)), clients_(clients),
        config_(readFile(stack.configPath())) {}

  // The next fault of the cycle.
  void next(std::mt19937_64& random) {
    const int which = step_++ % 7;
    for (const pid_t pid : stack_.workerPids("fast")) counts_.workers_seen.insert(pid);
    for (const pid_t pid : stack_.workerPids("slow")) counts_.workers_seen.insert(pid);
    switch (which) {
      case 0: reload(); break;
      case 1: changeGraph(); break;
      case 2: brokenConfig(); break;
      case 3: killWorker(random); break;
      case 4: stopBusySlowWorker(); break;
      case 5: signalMaster(SIGTTIN, "TTIN (one more slow worker)"); break;
      default: signalMaster(SIGTTOU, "TTOU (one fewer slow worker)"); break;
    }
  }
  FaultCounts& counts() { return counts_; }

 private:
  static std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void count(const std::string& fault) { ++counts_.done[fault]; }
  void problem(const std::string& what) { counts_.problems.push_back(what); }

  void signalMaster(int signo, const std::string& fault) {
    stack_.master().signal(signo);
    count(fault);
  }

  void reload() { signalMaster(SIGHUP, "HUP"); }

  // The other graph renamed over the served file, then HUP: answers must name it within 30 s.
  void changeGraph() {
    use_b_ = !use_b_;
    renameInto(use_b_ ? graphs_.b : graphs_.a, served_);
    const std::string before = clients_.graphSeen();
    stack_.master().signal(SIGHUP);
    count("HUP with a changed graph (renamed into place)");
    if (!waitFor([&] { return !clients_.graphSeen().empty() && clients_.graphSeen() != before; }, 30s, 50ms)) {
      problem("after renaming a changed graph into place and HUP, answers still name graph " + before);
    }
  }

  // A config that does not parse: the reload must be refused (logged) and the lanes serve on.
  void brokenConfig() {
    const int refused_before = countOf(stack_.masterLog(), "reload failed");
    std::ofstream(stack_.configPath(), std::ios::trunc) << config_ << "\nlanes: [\n";
    stack_.master().signal(SIGHUP);
    count("HUP with a broken config");
    if (!waitFor([&] { return countOf(stack_.masterLog(), "reload failed") > refused_before; }, 15s, 50ms)) {
      problem("a broken config was not refused within 15 s");
    }
    std::ofstream(stack_.configPath(), std::ios::trunc) << config_;
  }

  void killWorker(std::mt19937_64& random) {
    const bool fast = random() % 2 == 0;
    const auto pids = stack_.workerPids(fast ? "fast" : "slow");
    if (pids.empty()) return;
    ::kill(pids[random() % pids.size()], SIGKILL);
    (fast ? counts_.fast_kills : counts_.slow_kills) += 1;
    count(fast ? "SIGKILL a fast worker" : "SIGKILL a slow worker");
  }

  // A busy slow worker stopped: its request passes request_timeout and the master kills it
  // (a stopped process still takes SIGKILL). One that went idle just before the stop is not
  // killed; it is let go when the deadline and the master's grace have passed.
  void stopBusySlowWorker() {
    const auto busy = stack_.poolStatus().lane("slow").inState("busy");
    if (busy.empty()) return;
    const pid_t pid = busy.front().pid;
    ::kill(pid, SIGSTOP);
    count("SIGSTOP a busy slow worker past its deadline");
    if (waitFor([&] { return processGone(pid); }, kRequestTimeout + 3s, 50ms)) {
      counts_.slow_kills += 1;
    } else {
      ::kill(pid, SIGCONT);
    }
  }

  TwinlaneStack& stack_;
  const Graphs& graphs_;
  std::filesystem::path served_;
  Clients& clients_;
  std::string config_;
  FaultCounts counts_;
  int step_ = 0;
  bool use_b_ = false;
};

// ---- the report --------------------------------------------------------------------------

std::string percentiles(std::vector<std::chrono::microseconds> latencies) {
  if (latencies.empty()) return "-";
  std::sort(latencies.begin(), latencies.end());
  const auto at = [&](double q) { return latencies[static_cast<std::size_t>(q * static_cast<double>(latencies.size() - 1))]; };
  const auto ms = [](std::chrono::microseconds value) { return static_cast<double>(value.count()) / 1000.0; };
  char line[96];
  std::snprintf(line, sizeof line, "%6zu %8.1f %8.1f %8.1f", latencies.size(), ms(at(0.5)), ms(at(0.99)),
                ms(latencies.back()));
  return line;
}

void printReport(const std::vector<Answer>& answers, int minutes, const FaultCounts& faults, const MasterReading& first,
                 const MasterReading& last, const std::string& graph) {
  std::printf("\nsoak: %d minutes, %d clients, graph %s\n", minutes, kClients, graph.c_str());
  std::printf("\nlatency per minute (ms):\n%-6s %-15s %6s %8s %8s %8s\n", "minute", "class", "count", "p50", "p99", "max");
  for (int minute = 0; minute < minutes; ++minute) {
    for (const Kind kind : {Kind::kLookup, Kind::kRoute, Kind::kMatrix, Kind::kBad}) {
      std::vector<std::chrono::microseconds> latencies;
      for (const Answer& a : answers) {
        if (a.minute == minute && a.kind == kind && a.status != 0) latencies.push_back(a.latency);
      }
      std::printf("%-6d %-15s %s\n", minute + 1, kindName(kind), percentiles(latencies).c_str());
    }
  }
  std::map<std::string, int> statuses;
  for (const Answer& a : answers) {
    const std::string status = std::to_string(a.status) + (a.code.empty() ? "" : " " + a.code);
    ++statuses[a.status == 0 ? "cut off by a reset (oversized request)" : status];
  }
  std::printf("\nanswers: %zu\n", answers.size());
  for (const auto& [status, count] : statuses) std::printf("  %-32s %d\n", status.c_str(), count);
  std::printf("\nfaults:\n");
  for (const auto& [fault, count] : faults.done) std::printf("  %-48s %d\n", fault.c_str(), count);
  std::printf("\nmaster        %10s %10s\n", "minute 1", "end");
  std::printf("  fds         %10d %10d   (tolerance %d)\n", first.fds, last.fds, kFdTolerance);
  std::printf("  threads     %10d %10d\n", first.threads, last.threads);
  std::printf("  private MiB %10.1f %10.1f   (tolerance %.0f MiB)\n", static_cast<double>(first.private_bytes) / 1048576.0,
              static_cast<double>(last.private_bytes) / 1048576.0, static_cast<double>(kMemoryToleranceBytes) / 1048576.0);
  std::fflush(stdout);
}

int soakMinutes() {
  const char* text = std::getenv("TWINLANE_SOAK_MINUTES");
  const int minutes = text == nullptr ? 10 : std::atoi(text);
  return std::clamp(minutes, 1, 24 * 60);
}

TEST(Soak, UnderLoadAndFaultsEveryRequestIsAnsweredAndNothingLeaks) {
  const int minutes = soakMinutes();
  TempDir graph_dir("twinlane-soak-graphs");
  const Graphs graphs = makeGraphs(graph_dir);

  StackOptions options;
  options.binary = TWINLANE_BIN;
  options.fast_processes = kFastWorkers;
  options.fast_threads = kFastThreads;
  options.slow_processes = kSlowWorkers;
  options.request_timeout = std::to_string(kRequestTimeout.count()) + "s";
  options.queue_capacity = 256;
  options.queue_timeout = "10s";
  options.fast_settings = {"keepalive: 16"};
  options.expected_log_errors = {"killed by SIGKILL", "reload failed", "killing "};
  // The sanitizer's quarantine holds freed memory back by design; capped, so that private
  // memory measures what the master keeps, not what ASan delays.
  options.env["ASAN_OPTIONS"] = "abort_on_error=1:detect_leaks=1:quarantine_size_mb=4:thread_local_quarantine_size_kb=64";
  options.graph = graph_dir.file("graph.twg");
  renameInto(graphs.a, *options.graph);
  TwinlaneStack stack(options);

  const long nodes = [&] {
    const auto graph = stack.get("/api/v1/graph");
    return graph.json()->getValue<long>("nodes");
  }();
  const auto start = Clock::now();
  const auto end = start + std::chrono::minutes(minutes);
  // Ids both graphs have: the other one has a different node count.
  Clients clients(stack, std::min<long>(nodes, 2000), start, end);
  Faults faults(stack, graphs, *options.graph, clients);
  std::mt19937_64 random(42);
  MasterReading first;
  bool first_taken = false;
  while (Clock::now() + kFaultInterval < end) {
    std::this_thread::sleep_for(kFaultInterval);
    if (!first_taken && Clock::now() - start >= 1min) {
      ASSERT_TRUE(waitFor([&] { return stack.poolStatus().ready(); }, 30s)) << "the pool was not ready after minute 1";
      first = readMaster(stack.masterPid());
      first_taken = true;
    }
    faults.next(random);
  }
  const std::vector<Answer> answers = clients.finish();
  ASSERT_TRUE(waitFor([&] { return stack.poolStatus().ready(); }, 30s)) << "the pool was not ready at the end";
  const MasterReading last = readMaster(stack.masterPid());
  if (!first_taken) first = last;
  const std::vector<pid_t> zombies = zombieChildren(stack.masterPid());
  FaultCounts& counts = faults.counts();
  for (const pid_t pid : stack.workerPids("fast")) counts.workers_seen.insert(pid);
  for (const pid_t pid : stack.workerPids("slow")) counts.workers_seen.insert(pid);
  printReport(answers, minutes, counts, first, last, graphs.what);

  // Every request answered as documented; the 502s no more than the kills could lose.
  int bad_gateway = 0;
  std::map<std::string, int> problems;
  for (const Answer& a : answers) {
    if (a.status == 502 && a.problem.empty()) ++bad_gateway;
    if (!a.problem.empty()) ++problems[a.problem.substr(0, 200)];
  }
  for (const auto& [problem, count] : problems) ADD_FAILURE() << count << " x " << problem;
  const int may_lose = counts.fast_kills * kFastThreads + counts.slow_kills;
  EXPECT_LE(bad_gateway, may_lose) << "502s beyond the requests in flight on killed workers";
  for (const auto& problem : counts.problems) ADD_FAILURE() << problem;
  EXPECT_GT(answers.size(), 100u * static_cast<std::size_t>(minutes)) << "the load hardly ran";

  // Resources: the same at the end as after the first minute; no zombie.
  EXPECT_LE(std::abs(last.fds - first.fds), kFdTolerance) << "master fds " << first.fds << " -> " << last.fds;
  EXPECT_EQ(last.threads, first.threads) << "master threads";
  EXPECT_LE(last.private_bytes, first.private_bytes + kMemoryToleranceBytes) << "master private memory grew";
  EXPECT_TRUE(zombies.empty()) << zombies.size() << " zombie children of the master";

  const std::string nginx_log = stack.nginxErrorLog();
  EXPECT_EQ(nginx_log.find("[alert]"), std::string::npos) << nginx_log.substr(0, 4000);
  EXPECT_EQ(nginx_log.find("[emerg]"), std::string::npos) << nginx_log.substr(0, 4000);

  // Stopped: every worker ever seen is gone (no orphan); the stack's stop checks the master's
  // log for unexpected errors.
  stack.stop();
  std::vector<pid_t> left;
  for (const pid_t pid : counts.workers_seen) {
    if (!processGone(pid)) left.push_back(pid);
  }
  EXPECT_TRUE(left.empty()) << left.size() << " workers outlived the master";
}

}  // namespace
}  // namespace twinlane::test
