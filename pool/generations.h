// SPDX-License-Identifier: Apache-2.0
// Generation: everything one start or reload produces (config, loaded service, the lanes'
// sockets, the view /status reads). Workers of a generation serve its config and service; a
// generation lives while any of its workers does. Loading one is here; when to load, start or
// retire one is the master loop's business (master.cpp). Master only.
#pragma once

#include <Poco/Logger.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "fcgi/service.h"
#include "pool/config.h"
#include "pool/lane.h"
#include "pool/listeners.h"
#include "pool/scoreboard.h"
#include "pool/status.h"

namespace twinlane::pool {

using ServiceFactory = std::function<std::unique_ptr<fcgi::Service>(const Config&)>;
// Re-reads and validates the config file, for a reload. Throws ConfigError.
using ConfigLoader = std::function<Config()>;

using LaneListeners = std::array<std::shared_ptr<Listener>, kLaneCount>;  // indexed by laneIndex

struct Generation {
  std::uint32_t number = 0;
  std::unique_ptr<const Config> config;
  std::unique_ptr<fcgi::Service> service;
  LaneListeners listeners;
  PoolView view;
};

// Loads the service for `config` (in the master, before fork, so every worker shares its data)
// and fills the generation's view. Throws what the factory throws; touches nothing running.
std::unique_ptr<Generation> loadGeneration(std::uint32_t number, Config config, LaneListeners listeners,
                                           const ServiceFactory& make_service, const Scoreboard& scoreboard,
                                           const std::string& started_at, Poco::Logger& log);

}  // namespace twinlane::pool
