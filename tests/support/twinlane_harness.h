// SPDX-License-Identifier: Apache-2.0
// A whole twinlane stack as users run it, for one test: a TempDir, the YAML config, the
// twinlane master (`twinlane --config`), nginx with the site `twinlane nginx-config` renders,
// and readiness through nginx's /status. Owns the master process and nginx; stops them in
// stop() (or the destructor) and checks that the stop was clean: the master exits 0 after TERM,
// no worker from the last /status survives, the lane sockets are gone, the master log holds no
// sanitizer report and no unexpected error line, nginx's error log no [alert] or [emerg]. Prints the master log and nginx's error log when the test has failed, or
// always with TWINLANE_TEST_VERBOSE set.
//
//   TwinlaneStack stack({.binary = TWINLANE_BIN, .slow_processes = 3});
//   auto health = stack.get("/api/v1/health");
//   EXPECT_EQ(health.status, 200);
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "child_process.h"
#include "http_client.h"
#include "nginx_harness.h"
#include "pool_status.h"
#include "temp_dir.h"

namespace twinlane::test {

struct StackOptions {
  std::filesystem::path binary;  // the twinlane executable (TWINLANE_BIN in the tests)
  int fast_processes = 1;
  int fast_threads = 4;
  int slow_processes = 3;
  // lanes.slow.listen when it is not the unix socket in the stack's directory: a TCP address
  // such as "127.0.0.1:40123" (a port the test found free).
  std::string slow_listen;
  int queue_capacity = 64;
  std::string queue_timeout = "5s";
  std::string request_timeout = "30s";
  std::string graceful_timeout = "10s";
  std::vector<std::string> fast_routes = {"health", "graph", "node", "nearest", "segments", "status", "metrics"};
  std::vector<std::string> slow_routes = {"route", "matrix"};
  std::optional<std::filesystem::path> graph;        // data.graph; none: the generated default graph
  std::optional<std::filesystem::path> coordinates;  // data.coordinates
  // data.hierarchy of the road-graph service; empty: not written (the test app has no `data`).
  std::string hierarchy;
  std::optional<std::string> max_body;               // limits.max_body, e.g. "4KiB"
  std::optional<std::string> max_params;             // limits.max_params, e.g. "16KiB"
  std::optional<int> matrix_max_cells;               // limits.matrix_max_cells
  std::string log_level = "information";
  std::string extra_yaml;  // appended verbatim at the top level of the YAML
  // Master log lines at Error, Critical or Fatal level fail the test at stop() unless they
  // contain one of these (a test that kills a worker expects "killed by SIGKILL").
  std::vector<std::string> expected_log_errors;
  // Generating the default graph in a sanitizer build takes a while.
  std::chrono::milliseconds ready_deadline = std::chrono::seconds{60};
  // Extra "key: value" lines inside lanes.fast / lanes.slow (e.g. "max_requests: 5", "nice: 10",
  // "socket: { owner: nobody, group: nogroup, mode: \"0660\" }"), written after the keys above.
  std::vector<std::string> fast_settings;
  std::vector<std::string> slow_settings;
  // Added to (or replacing in) the master's environment, e.g. TWINLANE_TESTAPP_FAIL.
  std::map<std::string, std::string> env;
  // A cgroup v2 directory the master starts in (ChildProcess::Options::cgroup); empty: the test's.
  std::filesystem::path cgroup;
};

// The YAML for `options` with sockets in `dir`.
std::string renderConfig(const StackOptions& options, const std::filesystem::path& dir);

class TwinlaneStack {
 public:
  // Starts everything and waits until ready; throws with both logs if the master exits or the
  // stack is not ready within options.ready_deadline.
  explicit TwinlaneStack(StackOptions options);
  ~TwinlaneStack();
  TwinlaneStack(const TwinlaneStack&) = delete;
  TwinlaneStack& operator=(const TwinlaneStack&) = delete;

  uint16_t port() const { return nginx_->port(); }
  pid_t masterPid() const { return master_->pid(); }
  ChildProcess& master() { return *master_; }
  const TempDir& dir() const { return dir_; }
  std::filesystem::path configPath() const { return dir_.file("twinlane.yaml"); }
  std::filesystem::path socketPath(const std::string& lane) const { return dir_.file(lane + ".sock"); }

  HttpResult get(const std::string& path_and_query) const { return client_.get(port(), path_and_query); }
  HttpResult post(const std::string& path, const std::string& body,
                  const std::string& content_type = "application/json") const {
    return client_.post(port(), path, body, content_type);
  }
  const HttpClient& client() const { return client_; }

  // GET /status through nginx; throws unless 200 with a JSON object. Remembers the worker pids.
  Poco::JSON::Object::Ptr status() const;
  PoolStatus poolStatus() const;
  std::vector<pid_t> workerPids(const std::string& lane) const;

  std::string masterLog() const { return master_->readLog(); }
  std::string nginxErrorLog() const { return nginx_->errorLog(); }
  void printLogs() const;

  // Records the worker pids (/status), sends `signo` to the master and waits up to `deadline`
  // for it to exit; nullopt if it still runs. For tests of stopping itself; stop() then checks
  // the rest (workers, sockets) without signalling again.
  std::optional<ExitStatus> signalMasterAndWait(int signo, std::chrono::milliseconds deadline);
  // Every worker pid seen in the latest /status, both lanes.
  const std::vector<pid_t>& lastWorkerPids() const { return last_worker_pids_; }

  // TERM to the master, then the clean-stop checks above as gtest failures; then stops nginx.
  // Returns the master's exit status (nullopt if it had to be killed). Idempotent.
  std::optional<ExitStatus> stop();

 private:
  void waitForSockets();
  void waitUntilReady();
  std::string renderSite(uint16_t port);
  std::string diagnostics() const;
  void expectCleanLogs() const;

  StackOptions options_;
  TempDir dir_;
  HttpClient client_;
  std::unique_ptr<ChildProcess> master_;
  std::unique_ptr<NginxServer> nginx_;
  mutable std::vector<pid_t> last_worker_pids_;
  bool stopped_ = false;
  bool signalled_by_test_ = false;
  std::optional<ExitStatus> master_exit_;
};

}  // namespace twinlane::test
