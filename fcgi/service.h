// SPDX-License-Identifier: Apache-2.0
// Service: the contract between the server (pool/) and the application it serves (app/).
// The master loads a Service once, before forking, so its read-only data is shared by every
// worker; each serving thread of each worker then asks it for a ServiceThread holding that
// thread's private scratch. Neither side knows the other's internals. Part of the public API
// (see pool/twinlane.h); the routes are declared with the ServiceSpec (pool/service_spec.h).
#pragma once

#include <Poco/JSON/Object.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/router.h"

namespace twinlane::fcgi {

// Per-thread request handling. Created in a worker after fork; used by one thread only.
class ServiceThread {
 public:
  virtual ~ServiceThread() = default;
  // Fills `response` or throws HttpError; any other exception becomes a 500.
  virtual void handle(const RouteMatch& match, Request& request, Response& response) = 0;
};

// Shared, read-only after construction. Built in the master.
class Service {
 public:
  virtual ~Service() = default;
  // Called in the worker, once per serving thread.
  virtual std::unique_ptr<ServiceThread> newThread() const = 0;
  // A short description of the loaded data for /status and start-up logs (counts, source).
  virtual Poco::JSON::Object::Ptr summary() const = 0;
  // The service's own lines for /metrics, in Prometheus text format (may be empty).
  virtual std::string metrics() const { return {}; }
  // Headers on every answer served with this data, so a client can tell which data answered
  // it (a rolling update across hosts is watched that way), e.g. {"X-Data-Version", "2026-12-01"}.
  virtual std::vector<std::pair<std::string, std::string>> answerHeaders() const { return {}; }
};

}  // namespace twinlane::fcgi
