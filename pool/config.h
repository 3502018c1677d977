// SPDX-License-Identifier: Apache-2.0
// Config: the YAML configuration file, parsed once into an immutable struct (yaml-cpp).
// Every key is known: an unknown key, a wrong type, a value without its unit or an
// impossible value is a ConfigError naming the file, line and key, like `nginx -t`.
// Route names are checked later, against the service being served (see validateRoutes).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fcgi/listener.h"

namespace twinlane::pool {

using Millis = std::chrono::milliseconds;

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LaneConfig {
  std::string name;  // "fast" or "slow"
  fcgi::ListenAddress listen;
  fcgi::SocketAccess socket{"", "", 0660};  // unix sockets: owner and group may connect
  unsigned processes = 1;
  unsigned threads = 1;
  std::vector<std::string> routes;
  unsigned queue_capacity = 64;  // the listen backlog
  Millis queue_timeout{5000};
  Millis request_timeout{30000};
  std::uint64_t max_requests = 0;  // 0: never recycle on count
  std::uint64_t max_requests_jitter = 0;
  std::uint64_t max_private_memory = 0;  // bytes; 0: never recycle on memory
  int nice = 0;
  // CPU scheduling policy of the lane's workers: SCHED_OTHER, SCHED_BATCH or SCHED_IDLE.
  enum class Scheduler { kOther, kBatch, kIdle } scheduler = Scheduler::kOther;
};

struct Config {
  std::string source;  // the file it came from, for messages
  struct Data {
    std::string graph;        // empty: the generated default graph
    std::string coordinates;  // optional
  } data;
  LaneConfig fast;
  LaneConfig slow;
  struct Limits {
    std::uint64_t max_body = 1 << 20;
    std::uint64_t max_params = 64 << 10;  // FastCGI parameters (headers and CGI variables) of one request
    std::uint64_t matrix_max_cells = 10000;
  } limits;
  Millis graceful_timeout{30000};
  std::string log_level = "information";
  Millis slow_request{1000};  // requests slower than this are logged; 0 logs none
  std::string user;  // privileges are dropped to these after binding, when started as root
  std::string group;

  const LaneConfig& lane(std::string_view name) const { return name == "fast" ? fast : slow; }
};

// Throws ConfigError "FILE:LINE: KEY: problem".
Config loadConfig(const std::string& path);
Config parseConfig(const std::string& yaml_text, const std::string& source_name);

// "5s", "250ms", "2m" -> milliseconds; "1MiB", "512KiB", "100B" -> bytes. nullopt if malformed.
std::optional<Millis> parseDuration(std::string_view text);
std::optional<std::uint64_t> parseSize(std::string_view text);

// Every route a lane names must be one that `known` offers. Throws ConfigError.
void validateRoutes(const Config& config, const std::vector<std::string>& known);

}  // namespace twinlane::pool
