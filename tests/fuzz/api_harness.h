// SPDX-License-Identifier: Apache-2.0
// The road-graph API as the fuzz targets drive it: a GraphService, its routes and one serving
// thread, called the way a worker calls them (a request from CGI parameters and a body, routed,
// answered or refused by an HttpError).
//
// The oracle is what a client would see: every answer is a 200 whose body is JSON, or the 4xx
// JSON error the API documents. Anything else (a 5xx, an exception that is not an HttpError,
// a sanitizer report) is a finding: it aborts, and libFuzzer keeps the input.
#pragma once

#include <memory>
#include <string>

#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/router.h"
#include "fcgi/service.h"
#include "handlers/graph_service.h"

namespace twinlane::fuzz {

struct ApiCall {
  std::string method = "GET";
  std::string path;
  std::string query;
  std::string body;
  std::string content_type = "application/json";
};

class ApiHarness {
 public:
  // kDamagedHierarchyIs500: for hierarchies read from files, whose load checks only bounds
  // (contraction_hierarchy.h): a route that meets shortcuts that loop is the documented 500.
  enum class Data { kSound, kDamagedHierarchyIs500 };
  explicit ApiHarness(std::unique_ptr<app::GraphService> service, Data data = Data::kSound);

  // A small generated road graph (300 nodes with coordinates and a contraction hierarchy),
  // made once per process.
  static ApiHarness& generated();

  // Serves `call` and checks its answer; aborts naming the call and the answer on a finding.
  void serveAndCheck(const ApiCall& call);
  // The same for a request as the worker has it (for example read from a FastCGI connection);
  // returns the answer to write.
  fcgi::Response serveAndCheck(fcgi::Request& request);
  // Asks every route about the graph's first and last nodes (and their coordinates): for
  // targets that make graphs, so that whatever a loaded graph holds is searched.
  void askEveryRoute();

 private:
  std::unique_ptr<app::GraphService> service_;
  Data data_;
  fcgi::Router router_;
  std::unique_ptr<fcgi::ServiceThread> thread_;
};

// Turns the service's logging off: a fuzz target logs nothing per input.
void quietLogging();

}  // namespace twinlane::fuzz
