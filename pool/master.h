// SPDX-License-Identifier: Apache-2.0
// Master: the one process that owns everything long-lived: the config, the loaded service
// (its read-only data), the listening sockets and the scoreboard. It forks the workers of both lanes,
// replaces those that die, kills those stuck past their deadline, reloads config and data on
// HUP without closing the sockets, and stops on TERM/INT (graceful) or QUIT (immediate). It is
// single-threaded and never serves a request.
#pragma once

#include <Poco/Logger.h>

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "pool/config.h"
#include "pool/generations.h"
#include "pool/lane_cgroups.h"
#include "pool/listeners.h"
#include "pool/ready_notices.h"
#include "pool/signals.h"
#include "pool/systemd.h"
#include "pool/worker_table.h"

namespace twinlane::pool {

class Master {
 public:
  Master(Config config, ConfigLoader reload_config, ServiceFactory make_service, Poco::Logger& log);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Opens the sockets, drops privileges, loads the service, runs until stopped. Returns the
  // process exit code.
  int run();

 private:
  // The lane's target worker count lives in the worker table (WorkerTable::target).
  struct LaneSupervision {
    unsigned consecutive_failures = 0;
    std::int64_t next_spawn_ms = 0;  // back-off after a crash loop
  };

  void start();
  void waitForEvents();
  void reapChildren();
  void handleSignals();
  void killOverdueWorkers();
  void retireOldGenerations();
  void spawnMissingWorkers();
  void spawnWorker(Lane lane);
  void reload();
  void changeSlowWorkers(int delta);
  void stopWorkers(int signal_number, std::chrono::milliseconds deadline);

  LaneListeners openSockets(const Config& settings);
  std::unique_ptr<Generation> makeGeneration(Config config, LaneListeners sockets);
  bool currentGenerationReady() const;
  bool laneReady(Lane lane) const;
  void releaseRecyclingLocks();
  pid_t longestWaitingToRecycle(Lane lane) const;
  void announceReadiness();
  void accountExit(std::size_t slot, int wait_status, std::int64_t lived_ms);

  Generation& current() { return *generations_.back(); }
  const Generation& current() const { return *generations_.back(); }
  LaneSupervision& supervision(Lane lane) { return lanes_[static_cast<std::size_t>(lane)]; }
  unsigned servingWorkers(Lane lane) const;

  Config initial_config_;
  ConfigLoader reload_config_;
  ServiceFactory make_service_;
  Poco::Logger& log_;
  pid_t pid_;
  std::string started_at_;
  std::unique_ptr<WorkerTable> workers_;  // made in start(), before the first fork
  std::unique_ptr<MasterSignals> signals_;
  std::unique_ptr<ReadyNotices> ready_notices_;
  std::vector<std::unique_ptr<Generation>> generations_;  // the current one last
  std::array<LaneSupervision, kLaneCount> lanes_{};
  std::unique_ptr<Listeners> listeners_;
  LaneCgroups cgroups_;  // inactive unless the master's cgroup is delegated to it
  bool announced_ready_ = false;
  enum class Stop { kNone, kGraceful, kFast } stop_ = Stop::kNone;
};

}  // namespace twinlane::pool
