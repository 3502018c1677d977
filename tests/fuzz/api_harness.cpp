// SPDX-License-Identifier: Apache-2.0
#include "api_harness.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <cstdio>
#include <cstdlib>
#include <exception>

#include "fcgi/http_error.h"
#include "fcgi/request.h"
#include "fcgi/response.h"
#include "contraction_hierarchy.h"
#include "finding.h"
#include "generator.h"

namespace twinlane::fuzz {
namespace {

constexpr std::uint64_t kMatrixMaxCells = 400;
constexpr std::size_t kMaxBody = 64 * 1024;

[[noreturn]] void finding(const fcgi::Request& request, const std::string& what) {
  fuzz::finding(std::string(request.method()) + " " + std::string(request.path()) + "?" +
                std::string(request.queryString()) + ": " + what);
}

bool isJson(const std::string& text) {
  try {
    Poco::JSON::Parser().parse(text);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string coordinateText(const app::Graph& graph, app::NodeId node) {
  const app::Coordinate at = graph.coordinate(node);
  return std::to_string(at.lon()) + "," + std::to_string(at.lat());
}

}  // namespace

void quietLogging() { Poco::Logger::root().setLevel(Poco::Message::PRIO_FATAL); }

ApiHarness::ApiHarness(std::unique_ptr<app::GraphService> service, Data data)
    : service_(std::move(service)), data_(data), router_(app::graphRoutes()), thread_(service_->newThread()) {}

ApiHarness& ApiHarness::generated() {
  static ApiHarness* const instance = [] {
    quietLogging();
    app::GeneratorOptions options;
    options.nodes = 300;
    return new ApiHarness(app::GraphService::fromGraph(app::generateRoadGraph(options), kMatrixMaxCells));
  }();
  return *instance;
}

void ApiHarness::serveAndCheck(const ApiCall& call) {
  fcgi::Request request({{"REQUEST_METHOD", call.method},
                         {"DOCUMENT_URI", call.path},
                         {"QUERY_STRING", call.query},
                         {"CONTENT_TYPE", call.content_type},
                         {"CONTENT_LENGTH", std::to_string(call.body.size())}},
                        call.body, kMaxBody);
  (void)serveAndCheck(request);
}

fcgi::Response ApiHarness::serveAndCheck(fcgi::Request& request) {
  fcgi::Response response;
  try {
    thread_->handle(router_.match(request.method(), request.path()), request, response);
  } catch (const fcgi::HttpError& error) {
    response = fcgi::Response();
    response.setError(error);
  } catch (const app::DamagedHierarchy& error) {
    if (data_ != Data::kDamagedHierarchyIs500) finding(request, std::string("a sound hierarchy failed: ") + error.what());
    response = fcgi::Response();
    response.setError(fcgi::HttpError(500, "internal", "internal error; the server log has the details"));
    return response;
  } catch (const std::exception& error) {
    // The worker answers this with 500 internal: input a client sent must never get there.
    finding(request, std::string("an exception that is not an HttpError (a 500 internal): ") + error.what());
  }
  const int status = response.status();
  if (status != 200 && (status < 400 || status >= 500)) {
    finding(request, "answered " + std::to_string(status) + ": " + response.body());
  }
  if (!isJson(response.body())) {
    finding(request, "answer " + std::to_string(status) + " is not JSON: " + response.body().substr(0, 300));
  }
  return response;
}

void ApiHarness::askEveryRoute() {
  const app::Graph& graph = service_->data().graph;
  const app::NodeId last = graph.nodeCount() - 1;
  const std::string first_id = "1";
  const std::string last_id = std::to_string(std::uint64_t{last} + 1);
  serveAndCheck({.path = "/api/v1/graph"});
  serveAndCheck({.path = "/api/v1/nodes/" + last_id});
  serveAndCheck({.path = "/api/v1/route", .query = "from=" + first_id + "&to=" + last_id});
  serveAndCheck({.path = "/api/v1/route", .query = "from=" + last_id + "&to=" + first_id});
  serveAndCheck({.method = "POST", .path = "/api/v1/matrix",
                 .body = R"({"sources":[1,)" + last_id + R"(],"targets":[)" + last_id + R"(,1],"metric":"duration"})"});
  if (!graph.hasCoordinates()) return;
  const std::string first_at = coordinateText(graph, 0);
  const std::string last_at = coordinateText(graph, last);
  serveAndCheck({.path = "/api/v1/route", .query = "from=" + first_at + "&to=" + last_at + "&geometry=polyline"});
  serveAndCheck({.path = "/api/v1/route", .query = "from=" + last_at + "&to=" + first_id + "&geometry=geojson"});
  serveAndCheck({.path = "/api/v1/nearest", .query = "lon=" + first_at.substr(0, first_at.find(',')) + "&lat=" +
                                                       first_at.substr(first_at.find(',') + 1)});
  serveAndCheck({.path = "/api/v1/segments", .query = "bbox=-180,-90,180,90"});
  serveAndCheck({.method = "POST", .path = "/api/v1/matrix",
                 .body = "{\"sources\":[[" + first_at + "]],\"targets\":[[" + last_at + "],1]}"});
}

}  // namespace twinlane::fuzz
