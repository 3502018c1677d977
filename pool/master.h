// SPDX-License-Identifier: Apache-2.0
// Master: the one process that owns everything long-lived: the config, the loaded service
// (the graph), the listening sockets and the scoreboard. It forks the workers of both lanes,
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

#include "fcgi/service.h"
#include "fcgi/unique_fd.h"
#include "pool/config.h"
#include "pool/scoreboard.h"
#include "pool/signals.h"
#include "pool/status.h"
#include "pool/systemd.h"
#include "pool/worker_table.h"

namespace twinlane::pool {

using ServiceFactory = std::function<std::unique_ptr<fcgi::Service>(const Config&)>;
// Re-reads and validates the config file, for a reload. Throws ConfigError.
using ConfigLoader = std::function<Config()>;

// A listening socket; shared by the generations that listen on the same address. The last
// owner closes it and removes its file.
struct Listener {
  fcgi::ListenAddress address;
  UniqueFd fd;
  ino_t inode = 0;
  pid_t owner = 0;  // the process that removes the socket file; 0 for a socket systemd owns
  ~Listener();
};

// Everything one reload produces. Workers of a generation serve its config and service.
struct Generation {
  std::uint32_t number = 0;
  std::unique_ptr<const Config> config;
  std::unique_ptr<fcgi::Service> service;
  std::array<std::shared_ptr<Listener>, kLaneCount> listeners;
  PoolView view;
};

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

  std::unique_ptr<Generation> makeGeneration(Config config);
  std::shared_ptr<Listener> listenerFor(const LaneConfig& lane);
  void dropPrivileges(const Config& config);
  bool currentGenerationReady() const;
  bool laneReady(Lane lane) const;
  void releaseRecyclingLocks();
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
  std::vector<std::unique_ptr<Generation>> generations_;  // the current one last
  std::array<LaneSupervision, kLaneCount> lanes_{};
  std::vector<InheritedSocket> inherited_sockets_;  // passed by systemd, not yet used by a lane
  bool announced_ready_ = false;
  enum class Stop { kNone, kGraceful, kFast } stop_ = Stop::kNone;
};

}  // namespace twinlane::pool
