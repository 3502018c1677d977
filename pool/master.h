// Master: the one process that owns everything long-lived: the config, the loaded service
// (the graph), the listening sockets and the scoreboard. It forks the workers of both lanes,
// replaces those that die, and stops them on TERM/INT (graceful) or QUIT (immediate). It is
// single-threaded and never serves a request.
#pragma once

#include <Poco/Logger.h>

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

namespace twinlane::pool {

using ServiceFactory = std::function<std::unique_ptr<fcgi::Service>(const Config&)>;

class Master {
 public:
  Master(Config config, ServiceFactory make_service, Poco::Logger& log);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  // Loads the service, opens the sockets, runs until stopped. Returns the process exit code.
  int run();

 private:
  struct LaneState {
    Lane lane;
    const LaneConfig* config;
    UniqueFd listener;
    unsigned consecutive_failures = 0;
    std::int64_t next_spawn_ms = 0;  // back-off after a crash loop
  };
  struct Child {
    pid_t pid;
    Lane lane;
    std::size_t slot;
    std::int64_t started_ms;
  };

  void start();
  void waitForEvents();
  void reapChildren();
  void handleSignals();
  void spawnMissingWorkers();
  void spawnWorker(LaneState& lane);
  void stopWorkers(int signal_number, std::chrono::milliseconds deadline);
  void closeListeners();

  LaneState& laneState(Lane lane) { return lanes_[static_cast<std::size_t>(lane)]; }
  unsigned liveWorkers(Lane lane) const;
  std::optional<std::size_t> freeSlot() const;

  Config config_;
  ServiceFactory make_service_;
  Poco::Logger& log_;
  pid_t pid_;
  std::unique_ptr<fcgi::Service> service_;
  std::unique_ptr<Scoreboard> scoreboard_;
  std::unique_ptr<MasterSignals> signals_;
  std::vector<LaneState> lanes_;
  std::vector<Child> children_;
  PoolView view_;
  enum class Stop { kNone, kGraceful, kFast } stop_ = Stop::kNone;
};

}  // namespace twinlane::pool
