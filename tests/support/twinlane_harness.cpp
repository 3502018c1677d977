// SPDX-License-Identifier: Apache-2.0
// TwinlaneStack: config, master, rendered nginx site, readiness and the clean-stop checks.
#include "twinlane_harness.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "wait_for.h"

namespace twinlane::test {
namespace {

// The margin over graceful_timeout the master gets to exit after TERM.
constexpr std::chrono::milliseconds kStopMargin{10'000};
constexpr std::chrono::milliseconds kWorkerExitDeadline{5'000};

std::string flowList(const std::vector<std::string>& items) {
  std::string list = "[";
  for (const auto& item : items) list += (list.size() > 1 ? ", " : "") + item;
  return list + "]";
}

// "10s" / "500ms" / "2m" as milliseconds, for the deadlines derived from the config.
std::chrono::milliseconds parseDuration(const std::string& text) {
  std::size_t used = 0;
  const long value = std::stol(text, &used);
  const std::string unit = text.substr(used);
  if (unit == "ms") return std::chrono::milliseconds{value};
  if (unit == "s") return std::chrono::seconds{value};
  if (unit == "m") return std::chrono::minutes{value};
  throw std::invalid_argument("duration without a known unit: " + text);
}

bool verbose() { return std::getenv("TWINLANE_TEST_VERBOSE") != nullptr; }

// Sanitizer reports end up in the master's stderr, workers' included.
const char* const kSanitizerMarkers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"};
// Poco's pattern in twinlane's log: "<time> <Priority> [<pid>] <source>: <text>".
const char* const kLogErrorLevels[] = {" Error [", " Critical [", " Fatal ["};
const char* const kNginxAlarmLevels[] = {"[alert]", "[emerg]"};

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) result.push_back(line);
  return result;
}

}  // namespace

std::string renderConfig(const StackOptions& options, const std::filesystem::path& dir) {
  std::ostringstream yaml;
  if (options.graph || !options.hierarchy.empty()) yaml << "data:\n";
  if (!options.hierarchy.empty()) yaml << "  hierarchy: " << options.hierarchy << "\n";
  if (options.graph) {
    yaml << "  graph: " << options.graph->string() << "\n";
    if (options.coordinates) yaml << "  coordinates: " << options.coordinates->string() << "\n";
  }
  yaml << "lanes:\n"
       << "  fast:\n"
       << "    listen: " << (dir / "fast.sock").string() << "\n"
       << "    processes: " << options.fast_processes << "\n"
       << "    threads: " << options.fast_threads << "\n"
       << "    routes: " << flowList(options.fast_routes) << "\n";
  for (const auto& setting : options.fast_settings) yaml << "    " << setting << "\n";
  yaml << "  slow:\n"
       << "    listen: " << (options.slow_listen.empty() ? (dir / "slow.sock").string() : options.slow_listen) << "\n"
       << "    processes: " << options.slow_processes << "\n"
       << "    queue: { capacity: " << options.queue_capacity << ", timeout: " << options.queue_timeout << " }\n"
       << "    request_timeout: " << options.request_timeout << "\n"
       << "    routes: " << flowList(options.slow_routes) << "\n";
  for (const auto& setting : options.slow_settings) yaml << "    " << setting << "\n";
  if (options.max_body || options.matrix_max_cells || options.max_params) {
    yaml << "limits:\n";
    if (options.max_body) yaml << "  max_body: " << *options.max_body << "\n";
    if (options.max_params) yaml << "  max_params: " << *options.max_params << "\n";
    if (options.matrix_max_cells) yaml << "  matrix_max_cells: " << *options.matrix_max_cells << "\n";
  }
  yaml << "shutdown: { graceful_timeout: " << options.graceful_timeout << " }\n"
       << "log: { level: " << options.log_level << " }\n"
       << options.extra_yaml;
  return yaml.str();
}

TwinlaneStack::TwinlaneStack(StackOptions options) : options_(std::move(options)), dir_("twinlane-it") {
  if (options_.binary.empty()) throw std::invalid_argument("StackOptions.binary: the twinlane executable is required");
  dir_.write("twinlane.yaml", renderConfig(options_, dir_.path()));
  master_ = std::make_unique<ChildProcess>(ChildProcess::Options{
      {options_.binary.string(), "--config", configPath().string()}, options_.env, dir_.file("master.log"), {},
      options_.cgroup});
  try {
    waitForSockets();
    nginx_ = std::make_unique<NginxServer>(dir_.file("nginx"), [this](uint16_t port) { return renderSite(port); });
    waitUntilReady();
  } catch (const std::exception& error) {
    const std::string message = std::string(error.what()) + diagnostics();
    nginx_.reset();
    master_.reset();
    throw std::runtime_error(message);
  }
  if (verbose()) std::cout << "[twinlane-test] stack ready in " << dir_.path() << " on port " << port() << "\n";
}

TwinlaneStack::~TwinlaneStack() {
  try {
    stop();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "stopping the twinlane stack: " << error.what() << diagnostics();
  }
}

std::string TwinlaneStack::renderSite(uint16_t port) {
  const auto rendered = runToCompletion(
      {options_.binary.string(), "nginx-config", "--config", configPath().string(), "--listen",
       "127.0.0.1:" + std::to_string(port)},
      dir_.path(), "nginx-config", std::chrono::seconds{30});
  if (!rendered.status.success()) {
    throw std::runtime_error("twinlane nginx-config failed (" + rendered.status.describe() + "):\n" + rendered.err +
                             rendered.out);
  }
  return rendered.out;
}

void TwinlaneStack::waitForSockets() {
  // nginx starts once the master listens, so its error log holds no failed connects from the
  // readiness polls.
  bool master_exited = false;
  const bool listening = waitFor(
      [&] {
        master_exited = !master_->running();
        return master_exited || (std::filesystem::exists(socketPath("fast")) &&
                                 (!options_.slow_listen.empty() || std::filesystem::exists(socketPath("slow"))));
      },
      options_.ready_deadline, std::chrono::milliseconds{20});
  if (master_exited) {
    throw std::runtime_error("twinlane master exited before listening (" +
                             master_->waitExit(std::chrono::milliseconds{0})->describe() + ")");
  }
  if (!listening) {
    throw std::runtime_error("twinlane master made no lane sockets within " +
                             std::to_string(options_.ready_deadline.count()) + " ms");
  }
}

void TwinlaneStack::waitUntilReady() {
  std::string last_problem = "no answer yet";
  bool master_exited = false;
  const bool ready = waitFor(
      [&] {
        if (!master_->running()) {
          master_exited = true;
          return true;
        }
        try {
          const auto result = client_.get(port(), "/status");
          if (result.status != 200) {
            last_problem = result.describe();
            return false;
          }
          const auto pool = parsePoolStatus(result.json());
          last_problem = "not every worker is idle or busy: " + result.body;
          return pool.ready();
        } catch (const std::exception& error) {
          last_problem = error.what();
          return false;
        }
      },
      options_.ready_deadline, std::chrono::milliseconds{50});
  if (master_exited) {
    throw std::runtime_error("twinlane master exited before ready (" +
                             master_->waitExit(std::chrono::milliseconds{0})->describe() + ")");
  }
  if (!ready) {
    throw std::runtime_error("twinlane not ready within " + std::to_string(options_.ready_deadline.count()) +
                             " ms; last /status: " + last_problem);
  }
  (void)poolStatus();
}

Poco::JSON::Object::Ptr TwinlaneStack::status() const {
  const auto result = get("/status");
  if (result.status != 200) throw std::runtime_error("/status failed: " + result.describe());
  auto json = result.json();
  try {
    const auto pool = parsePoolStatus(json);
    last_worker_pids_.clear();
    for (const auto& [name, lane] : pool.lanes) {
      for (const pid_t pid : lane.pids()) last_worker_pids_.push_back(pid);
    }
  } catch (const std::exception&) {
    // status() is also for tests that look at other fields; poolStatus() reports the problem.
  }
  return json;
}

PoolStatus TwinlaneStack::poolStatus() const { return parsePoolStatus(status()); }

std::vector<pid_t> TwinlaneStack::workerPids(const std::string& lane) const { return poolStatus().lane(lane).pids(); }

std::string TwinlaneStack::diagnostics() const {
  std::string text = "\n--- twinlane master log (" + dir_.file("master.log").string() + ") ---\n";
  text += master_ ? master_->readLog() : readFile(dir_.file("master.log"));
  text += "\n--- nginx error log ---\n" + readFile(dir_.file("nginx") / "nginx-error.log");
  text += "\n--- twinlane nginx-config stderr ---\n" + readFile(dir_.file("nginx-config.err"));
  return text;
}

void TwinlaneStack::expectCleanLogs() const {
  const std::string log = master_->readLog();
  for (const char* marker : kSanitizerMarkers) {
    EXPECT_EQ(log.find(marker), std::string::npos) << "the master log holds a sanitizer report (\"" << marker << "\")";
  }
  for (const auto& line : lines(log)) {
    const bool error = std::any_of(std::begin(kLogErrorLevels), std::end(kLogErrorLevels),
                                   [&](const char* level) { return line.find(level) != std::string::npos; });
    const bool expected = std::any_of(options_.expected_log_errors.begin(), options_.expected_log_errors.end(),
                                      [&](const std::string& allowed) { return line.find(allowed) != std::string::npos; });
    EXPECT_FALSE(error && !expected) << "unexpected error in the master log: " << line;
  }
  for (const auto& line : lines(nginx_->errorLog())) {
    const bool alarm = std::any_of(std::begin(kNginxAlarmLevels), std::end(kNginxAlarmLevels),
                                   [&](const char* level) { return line.find(level) != std::string::npos; });
    EXPECT_FALSE(alarm) << "nginx error log: " << line;
  }
}

void TwinlaneStack::printLogs() const { std::cout << diagnostics() << std::endl; }

std::optional<ExitStatus> TwinlaneStack::signalMasterAndWait(int signo, std::chrono::milliseconds deadline) {
  if (master_->running()) {
    try {
      (void)status();
    } catch (const std::exception& error) {
      std::cout << "[twinlane-test] no /status before signalling the master (" << error.what()
                << "); keeping the pids of an earlier one\n";
    }
  }
  signalled_by_test_ = true;
  if (!master_->signal(signo)) {
    ADD_FAILURE() << "the twinlane master (pid " << master_->pid() << ") had already exited ("
                  << master_->waitExit(std::chrono::milliseconds{0})->describe() << ") before signal " << signo;
  }
  master_exit_ = master_->waitExit(deadline);
  return master_exit_;
}

std::optional<ExitStatus> TwinlaneStack::stop() {
  if (stopped_) return master_exit_;
  stopped_ = true;
  const auto deadline = parseDuration(options_.graceful_timeout) + kStopMargin;
  if (!signalled_by_test_) {
    signalMasterAndWait(SIGTERM, deadline);
  } else if (!master_exit_) {
    master_exit_ = master_->waitExit(deadline);
  }
  EXPECT_TRUE(master_exit_.has_value()) << "the twinlane master (pid " << master_->pid() << ") did not exit within "
                                        << deadline.count() << " ms of its signal; killing it";
  if (master_exit_) {
    EXPECT_TRUE(master_exit_->success()) << "the twinlane master ended with " << master_exit_->describe()
                                         << " after its signal, not exit 0";
  } else {
    master_->signal(SIGKILL);
    master_->waitExit(kWorkerExitDeadline);
  }
  // A master that stopped cleanly has reaped every worker; after a kill, init reaps them.
  const bool reaped_by_master = master_exit_ && master_exit_->success();
  std::vector<pid_t> survivors;
  waitFor(
      [&] {
        survivors.clear();
        for (const pid_t pid : last_worker_pids_) {
          if (!(reaped_by_master ? processGone(pid) : processEnded(pid))) survivors.push_back(pid);
        }
        return survivors.empty();
      },
      kWorkerExitDeadline);
  EXPECT_TRUE(survivors.empty()) << survivors.size() << " worker(s) of the last /status still run "
                                 << kWorkerExitDeadline.count() << " ms after the master exited, first pid "
                                 << (survivors.empty() ? 0 : survivors.front());
  for (const pid_t pid : survivors) ::kill(pid, SIGKILL);  // our own grandchildren; never leave strays
  for (const auto& lane : {"fast", "slow"}) {
    EXPECT_FALSE(std::filesystem::exists(socketPath(lane))) << "the " << lane << " lane's socket " << socketPath(lane)
                                                            << " outlived the master";
  }
  const auto nginx_exit = nginx_->stop();
  EXPECT_TRUE(nginx_exit.success()) << "nginx ended with " << nginx_exit.describe();
  expectCleanLogs();
  if (::testing::Test::HasFailure() || verbose()) printLogs();
  return master_exit_;
}

}  // namespace twinlane::test
