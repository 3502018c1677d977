// SPDX-License-Identifier: Apache-2.0
// Reading the pool's part of the YAML configuration: see config.h.
#include "pool/config.h"

#include "pool/nginx_config.h"

#include <Poco/String.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "fcgi/query.h"
#include "pool/scoreboard.h"
#include "pool/status.h"

namespace twinlane::pool {
namespace {

unsigned cpuCount() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(n) : 1;
}

// Where the master's cgroup is delegated, the lanes share the CPU 10:1 as two groups: the fast
// lane's requests take microseconds and come first; the slow lane keeps a tenth of a busy
// machine (the nice 10 it has outside cgroups gives each slow thread about that much against
// each fast one) and all of an idle one.
constexpr unsigned kFastLaneCpuWeight = 1000;
constexpr unsigned kSlowLaneCpuWeight = 100;

// The documented defaults of each lane, before the file has its say. Sockets live in
// /run/NAME/, the program's own directory (the twinlane package's tmpfiles make /run/twinlane).
LaneConfig defaultLane(Lane which, const ServiceSpec& service, const std::vector<ServiceRoute>& routes) {
  LaneConfig lane;
  lane.lane = which;
  const std::string socket_dir = "/run/" + (service.name.empty() ? std::string("twinlane") : service.name) + "/";
  for (const auto& route : routes) {
    if (route.lane == which) lane.routes.push_back(route.route.name);
  }
  if (which == Lane::kFast) {
    lane.listen = fcgi::ListenAddress::parse(socket_dir + "fast.sock");
    lane.processes = 1;
    lane.threads = 8;
    // Kept connections wait in epoll, not in threads (fcgi/connection_hub.h): nginx may keep
    // one for every request it has in flight, and reusing them saves a connect and an accept
    // per request. A fast request takes tens of microseconds: a deep backlog drains quickly.
    lane.keepalive = 256;
    lane.queue_capacity = 1024;
    lane.cpu_weight = kFastLaneCpuWeight;
  } else {
    lane.listen = fcgi::ListenAddress::parse(socket_dir + "slow.sock");
    lane.processes = cpuCount();
    lane.threads = 1;
    lane.nice = 10;
    lane.cpu_weight = kSlowLaneCpuWeight;
  }
  return lane;
}

LaneConfig::Scheduler schedulerNamed(const std::string& name) {
  if (name == "batch") return LaneConfig::Scheduler::kBatch;
  if (name == "idle") return LaneConfig::Scheduler::kIdle;
  return LaneConfig::Scheduler::kOther;
}

// cpu.max: a number of CPUs ("1.5"), or "max" for no cap. The kernel takes no quota below
// 1 ms per 100 ms period: 0.01 CPU.
double cpuCap(ConfigSection& cpu) {
  const std::string text = cpu.string("max");
  if (text == "max") return 0;
  double cpus = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), cpus);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw cpu.error("max", "'" + text + "' is not a number of CPUs like 1.5, or max");
  }
  if (cpus < 0.01 || cpus > 4096) throw cpu.error("max", "must be from 0.01 to 4096 CPUs, or max");
  return cpus;
}

void readSocket(ConfigSection socket, LaneConfig& lane) {
  lane.socket.owner = socket.string("owner", lane.socket.owner);
  lane.socket.group = socket.string("group", lane.socket.group);
  if (!socket.has("mode")) return;
  const std::string text = socket.string("mode");
  unsigned mode = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mode, 8);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || mode > 0777) {
    throw socket.error("mode", "'" + text + "' is not an octal mode like \"0660\"");
  }
  lane.socket.mode = static_cast<mode_t>(mode);
}

void readProcesses(ConfigSection& section, LaneConfig& lane) {
  if (!section.has("processes")) return;
  const std::string text = section.string("processes");
  const auto count = text == "auto" ? std::optional<std::uint64_t>(cpuCount()) : fcgi::parseDecimal(text, 1, 256);
  if (!count) throw section.error("processes", "'" + text + "' is not 'auto' or a number from 1 to 256");
  lane.processes = static_cast<unsigned>(*count);
}

LaneConfig readLane(ConfigSection section, LaneConfig lane) {
  if (section.has("listen")) {
    try {
      lane.listen = fcgi::ListenAddress::parse(section.string("listen"));
    } catch (const std::invalid_argument& e) {
      throw section.error("listen", e.what());
    }
  }
  readSocket(section.section("socket"), lane);
  if (section.has("allow")) {
    try {
      lane.allow = fcgi::PeerAllowList::parse(section.stringList("allow"));
    } catch (const std::invalid_argument& e) {
      throw section.error("allow", e.what());
    }
  }
  readProcesses(section, lane);
  lane.threads = static_cast<unsigned>(section.integer("threads", lane.threads, 1, kMaxThreads));
  lane.routes = section.stringList("routes", lane.routes);

  ConfigSection queue = section.section("queue");
  lane.queue_capacity = static_cast<unsigned>(queue.integer("capacity", lane.queue_capacity, 1, 65535));
  lane.queue_timeout = queue.duration("timeout", lane.queue_timeout, Millis(1));

  lane.request_timeout = section.duration("request_timeout", lane.request_timeout, Millis(1));
  lane.max_requests = section.integer("max_requests", lane.max_requests, 0, UINT32_MAX);
  lane.max_requests_jitter = section.integer("max_requests_jitter", lane.max_requests_jitter, 0, UINT32_MAX);
  lane.max_private_memory = section.size("max_private_memory", lane.max_private_memory, 0);
  lane.nice = section.signedInteger("nice", lane.nice, -20, 19);
  if (section.has("scheduler")) lane.scheduler = schedulerNamed(section.choice("scheduler", "other", {"other", "batch", "idle"}));
  lane.keepalive = static_cast<unsigned>(section.integer("keepalive", lane.keepalive, 0, 1024));
  ConfigSection cpu = section.section("cpu");
  lane.cpu_slice = cpu.shortDuration("slice", lane.cpu_slice, Micros(0), Micros(100'000));
  // The kernel's bounds for a custom slice: 0.1 ms to 100 ms (0 keeps its default).
  if (lane.cpu_slice.count() != 0 && lane.cpu_slice < Micros(100)) {
    throw cpu.error("slice", "must be 0 (the kernel's default) or from 100us to 100ms");
  }
  lane.cpu_weight = static_cast<unsigned>(cpu.integer("weight", lane.cpu_weight, 1, 10000));
  if (cpu.has("max")) lane.cpu_max = cpuCap(cpu);
  return lane;
}

// Each route a lane names must exist, and belong to one lane only.
void checkRoutes(ConfigSection& lanes, const Config& config, const std::vector<ServiceRoute>& known) {
  std::vector<std::string> names;
  for (const auto& route : known) names.push_back(route.route.name);
  for (const LaneConfig& lane : config.lanes) {
    ConfigSection section = lanes.section(std::string(lane.name()));
    for (const auto& route : lane.routes) {
      if (std::find(names.begin(), names.end(), route) != names.end()) continue;
      const std::string list = Poco::cat(std::string(", "), names.begin(), names.end());
      throw section.error("routes", "unknown route '" + route + "'; known routes: " + list);
    }
  }
  const auto& slow_routes = config.lane(Lane::kSlow).routes;
  for (const auto& route : config.lane(Lane::kFast).routes) {
    if (std::find(slow_routes.begin(), slow_routes.end(), route) != slow_routes.end()) {
      // Blame the lane whose list says so explicitly; the other may be using its defaults.
      ConfigSection fast = lanes.section("fast");
      ConfigSection blamed = fast.has("routes") ? fast : lanes.section("slow");
      throw blamed.error("routes", "route '" + route + "' is assigned to both lanes");
    }
  }
}

}  // namespace

std::vector<ServiceRoute> allRoutes(const ServiceSpec& service) {
  std::vector<ServiceRoute> routes = service.routes;
  for (auto& route : poolRoutes()) routes.push_back({std::move(route), Lane::kFast});
  return routes;
}

void readUpstreams(ConfigSection section, Config::Upstreams& upstreams) {
  for (const Lane lane : kLanes) {
    const std::string key(laneName(lane));
    for (const std::string& server : section.stringList(key)) {
      try {
        upstreams.servers[laneIndex(lane)].push_back(fcgi::ListenAddress::parse(server));
      } catch (const std::exception& e) {
        throw section.error(key, "'" + server + "': " + e.what());
      }
    }
  }
  upstreams.max_fails = static_cast<unsigned>(section.integer("max_fails", upstreams.max_fails, 0, 100));
  upstreams.fail_timeout = section.duration("fail_timeout", upstreams.fail_timeout, Millis(1000));
  upstreams.tries = static_cast<unsigned>(section.integer("tries", upstreams.tries, 0, 16));
  upstreams.keepalive = section.boolean("keepalive", upstreams.keepalive);
  upstreams.connect_timeout = section.duration("connect_timeout", upstreams.connect_timeout, Millis(1));
  if (upstreams.connect_timeout > Millis(75000)) throw section.error("connect_timeout", "must be at most 75s (nginx's limit)");
}

Config parseConfig(const std::string& yaml_text, const std::string& source_name, const ServiceSpec& service) {
  ConfigSection top = ConfigSection::parseDocument(yaml_text, source_name);
  Config config;
  config.source = source_name;

  config.routes = allRoutes(service);
  ConfigSection lanes = top.section("lanes");
  for (const Lane lane : kLanes) {
    config.lane(lane) = readLane(lanes.section(std::string(laneName(lane))), defaultLane(lane, service, config.routes));
  }

  ConfigSection limits = top.section("limits");
  config.limits.max_body = limits.size("max_body", config.limits.max_body, 1);
  // A worker thread keeps a pipe this large for libfcgi (pipe-max-size is 1 MiB by default). The
  // least is what nginx sends with its smallest header buffers (nginx_config.h).
  config.limits.max_params = limits.size("max_params", config.limits.max_params, smallestMaxParams(), 512 << 10);

  config.graceful_timeout = top.section("shutdown").duration("graceful_timeout", config.graceful_timeout);
  readUpstreams(top.section("upstreams"), config.upstreams);
  config.host_header = top.section("headers").boolean("host", config.host_header);

  ConfigSection log = top.section("log");
  config.log_level = log.choice("level", config.log_level,
                                {"fatal", "critical", "error", "warning", "notice", "information", "debug", "trace"});
  config.slow_request = log.duration("slow_request", config.slow_request);

  config.user = top.string("user");
  config.group = top.string("group");

  if (service.configure) {
    try {
      config.service = service.configure(top);
    } catch (const ConfigError&) {
      top.rejectUnknown();  // a misspelt key ("grpah") explains the service's complaint best
      throw;
    }
    if (!config.service) throw ConfigError(source_name + ": the service read its keys but returned no configuration");
  }
  top.rejectUnknown();

  if (config.lane(Lane::kFast).listen.toString() == config.lane(Lane::kSlow).listen.toString()) {
    throw lanes.section("slow").error("listen", "the same address as lanes.fast.listen");
  }
  checkRoutes(lanes, config, config.routes);
  return config;
}

Config loadConfig(const std::string& path, const ServiceSpec& service) {
  std::ifstream in(path);
  // errno from the failed open tells "no such file" from "permission denied".
  if (!in) throw ConfigError(path + ": cannot read the config file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return parseConfig(text.str(), path, service);
}

}  // namespace twinlane::pool
