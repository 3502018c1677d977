// SPDX-License-Identifier: Apache-2.0
// ServiceSpec: everything the pool needs to know about the service it serves, and nothing
// more. Part of the public API (see twinlane/twinlane.h for how a service is written).
//
// The pool owns lanes, sockets, processes, queueing, deadlines, reload, status, metrics, logs,
// privileges and the nginx rendering; it never names a service's keys or routes. The service
// declares its routes (each with the lane that serves it by default), the URL prefix they live
// under, and how to read its part of the config file; from what it read, it loads its
// read-only data in the master, before the workers fork.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "fcgi/router.h"
#include "fcgi/service.h"
#include "pool/config_section.h"
#include "pool/lane.h"

namespace twinlane::pool {

// A route and the lane that serves it unless the config's lanes.L.routes say otherwise.
// Cheap answers belong in the fast lane; anything that may compute for long in the slow one.
struct ServiceRoute {
  fcgi::RouteSpec route;
  Lane lane = Lane::kFast;
};

// What the service read from one config file: made on every read (start, --check-config,
// nginx-config, each reload), so a reload picks up changed settings.
class ServiceConfig {
 public:
  virtual ~ServiceConfig() = default;
  // What reading the keys cannot tell: that files exist and are readable, that values fit
  // together. Runs for --check-config, before the first load and before each reload's.
  // Throws ConfigError (use ConfigSection::error for the FILE:LINE: key: problem form).
  virtual void check() const {}
  // Loads the read-only data, in the master before it forks (and again on HUP, for the next
  // generation). Throws with context; at a reload, the running generation then keeps serving.
  virtual std::unique_ptr<fcgi::Service> load() const = 0;
  // A directory of static files nginx serves itself (a web page for the API): its index.html
  // at "/" and every file under "/web/". An absolute path, checked by check(); empty: none.
  // Read only by nginx-config.
  virtual std::string staticRoot() const { return {}; }
};

struct ServiceSpec {
  // The program: --help, --version, the logs, and the default socket directory /run/NAME/.
  // Letters, digits, '.', '_' and '-' ("twinlane", "wordfreq").
  std::string name;
  // Every route's path starts with it; it starts and ends with '/' ("/api/v1/"). nginx sends
  // any other path under it to the fast lane, which answers 404 in JSON.
  std::string url_prefix;
  // At least one. Names are unique and not the pool's own (status, metrics).
  std::vector<ServiceRoute> routes;
  // Reads the service's keys from the file's top level: its own sections (top.section("data"))
  // and keys it adds to shared ones (top.section("limits")). Keys nobody reads are errors.
  // Throws ConfigError. Must not touch the data yet: that is ServiceConfig::load's job.
  // Required; it returns a ServiceConfig (never null) whose load() returns a Service.
  std::function<std::unique_ptr<ServiceConfig>(ConfigSection& top)> configure;
};

// Throws std::invalid_argument naming the first rule above that `spec` breaks; serve() calls
// it first, so a mistake in a service's code stops it at once with a clear message.
void checkServiceSpec(const ServiceSpec& spec);

}  // namespace twinlane::pool
