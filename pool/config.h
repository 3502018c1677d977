// SPDX-License-Identifier: Apache-2.0
// Config: the YAML configuration file, parsed once into an immutable struct (yaml-cpp).
// Every key is known: an unknown key, a wrong type, a value without its unit or an
// impossible value is a ConfigError naming the file, line and key, like `nginx -t`.
// The service's own keys are read by the service, through the same ConfigSection readers.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fcgi/listener.h"
#include "fcgi/peer_allow_list.h"
#include "pool/config_section.h"
#include "pool/lane.h"
#include "pool/service_spec.h"

namespace twinlane::pool {

struct LaneConfig {
  Lane lane = Lane::kFast;
  fcgi::ListenAddress listen;
  fcgi::SocketAccess socket{"", "", 0660};  // unix sockets: owner and group may connect
  fcgi::PeerAllowList allow = fcgi::PeerAllowList::loopback();  // TCP: the peers that may connect
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
  // Idle connections nginx keeps to the lane per nginx worker (its upstream `keepalive`), 0 for
  // none. They wait in the workers' epoll sets, not in serving threads.
  unsigned keepalive = 0;
  // CPU scheduling policy of the lane's workers: SCHED_OTHER, SCHED_BATCH or SCHED_IDLE.
  enum class Scheduler { kOther, kBatch, kIdle } scheduler = Scheduler::kOther;
  // The time slice each serving thread asks of the scheduler (sched_setattr, Linux 6.12 and
  // later: EEVDF lets a waking thread with a shorter slice preempt a running one). 0: the
  // kernel's default.
  Micros cpu_slice{0};
  // The lane's cgroup v2 share of the CPU against the other lane (cpu.weight, 1..10000; 0: the
  // kernel's 100), and its cap in CPUs (cpu.max; 0: none). Applied where the master's cgroup is
  // delegated to it (pool/lane_cgroups.h).
  unsigned cpu_weight = 0;
  double cpu_max = 0;

  std::string_view name() const { return laneName(lane); }
  // How long nginx waits for this lane's answer (the rendered fastcgi_read_timeout): longer than
  // a request may queue and compute, so the pool's own 503 and 504 reach the client.
  Millis upstreamReadTimeout() const { return queue_timeout + request_timeout + Millis(5000); }
};

struct Config {
  std::string source;  // the file it came from, for messages
  std::array<LaneConfig, kLaneCount> lanes;
  struct Limits {
    std::uint64_t max_body = 1 << 20;
    std::uint64_t max_params = 128 << 10;  // FastCGI parameters (headers and CGI variables) of one request
  } limits;
  Millis graceful_timeout{30000};
  // headers.host: every answer names the host that computed it (X-Twinlane-Host).
  bool host_header = true;
  // upstreams: every host's address per lane, when the lanes run on several hosts behind one
  // nginx. Read only by nginx-config (pool/nginx_config.h); the master serves its own lanes.
  struct Upstreams {
    std::array<std::vector<fcgi::ListenAddress>, kLaneCount> servers;  // empty: the lane's own listen
    unsigned max_fails = 1;        // failed attempts within fail_timeout that take a host out...
    Millis fail_timeout{10000};    // ...for this long
    unsigned tries = 0;            // hosts tried per request; 0: each host of the lane once
    Millis connect_timeout{1000};  // a host that does not accept within this is skipped
    bool keepalive = false;        // lanes.L.keepalive across several hosts (nginx_config.cpp says why not)
    bool several() const { return !servers[0].empty() || !servers[1].empty(); }
  } upstreams;
  std::string log_level = "information";
  Millis slow_request{1000};  // requests slower than this are logged; 0 logs none
  std::string user;  // privileges are dropped to these after binding, when started as root
  std::string group;
  // Every route a lane may serve: the service's and the pool's own (status, metrics).
  std::vector<ServiceRoute> routes;
  // What the service read from its own keys; it loads the data from it. Null when the file
  // was parsed without a service (the pool's unit tests).
  std::shared_ptr<const ServiceConfig> service;

  const LaneConfig& lane(Lane which) const { return lanes[laneIndex(which)]; }
  LaneConfig& lane(Lane which) { return lanes[laneIndex(which)]; }
};

// Reads the pool's keys and lets `service` read its own (ServiceSpec::configure); every other
// key is an error. Lanes route what the config names, or by default what each route declares
// (the pool's status and metrics go to the fast lane). Throws ConfigError "FILE:LINE: KEY: problem".
Config loadConfig(const std::string& path, const ServiceSpec& service);
Config parseConfig(const std::string& yaml_text, const std::string& source_name, const ServiceSpec& service);

// Every route a lane can serve: the service's and the pool's own (status, metrics).
std::vector<ServiceRoute> allRoutes(const ServiceSpec& service);

}  // namespace twinlane::pool
