// SPDX-License-Identifier: Apache-2.0
// Loading the graph once and serving it: see graph_service.h.
#include "handlers/graph_service.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include "dimacs.h"
#include "fcgi/http_error.h"
#include "generator.h"
#include "handlers/handlers.h"

namespace twinlane::app {
namespace {

using HandlerFunction = void (*)(const HandlerContext&);

struct RouteEntry {
  fcgi::RouteSpec spec;
  HandlerFunction handler;
};

const std::vector<RouteEntry>& routeTable() {
  static const std::vector<RouteEntry> table = {
      {{"health", "/api/v1/health", false, {"GET"}}, handleHealth},
      {{"graph", "/api/v1/graph", false, {"GET"}}, handleGraph},
      {{"node", "/api/v1/nodes/", true, {"GET"}}, handleNode},
      {{"nearest", "/api/v1/nearest", false, {"GET"}}, handleNearest},
      {{"segments", "/api/v1/segments", false, {"GET"}}, handleSegments},
      {{"route", "/api/v1/route", false, {"GET"}}, handleRoute},
      {{"matrix", "/api/v1/matrix", false, {"POST"}}, handleMatrix},
  };
  return table;
}

class GraphServiceThread : public fcgi::ServiceThread {
 public:
  explicit GraphServiceThread(const GraphData& data) : data_(data), scratch_(data.graph) {}

  void handle(const fcgi::RouteMatch& match, fcgi::Request& request, fcgi::Response& response) override {
    for (const RouteEntry& entry : routeTable()) {
      if (entry.spec.name == match.route->name) {
        entry.handler(HandlerContext{data_, scratch_, match, request, response});
        return;
      }
    }
    throw fcgi::HttpError::notFound(std::string(request.path()));
  }

 private:
  const GraphData& data_;
  ThreadScratch scratch_;
};

}  // namespace

std::vector<fcgi::RouteSpec> graphRoutes() {
  std::vector<fcgi::RouteSpec> routes;
  for (const RouteEntry& entry : routeTable()) routes.push_back(entry.spec);
  return routes;
}

std::unique_ptr<GraphService> GraphService::load(const GraphServiceOptions& options) {
  LoadedGraph loaded = options.graph_path.empty() ? loadDefaultGraph()
                                                  : loadGraphFile(options.graph_path, options.coordinates_path);
  auto service = fromLoaded(std::move(loaded), options.matrix_max_cells);
  service->data_->segments_max = options.segments_max;
  return service;
}

std::unique_ptr<GraphService> GraphService::fromGraph(Graph graph, std::uint64_t matrix_max_cells) {
  std::optional<NearestIndex> nearest;
  if (graph.hasCoordinates()) nearest.emplace(graph);
  return fromLoaded({std::move(graph), std::move(nearest), "memory", snapshot::Profile::kDimacs},
                    matrix_max_cells);
}

std::unique_ptr<GraphService> GraphService::fromLoaded(LoadedGraph loaded, std::uint64_t matrix_max_cells) {
  const std::optional<GeoBox> extent = coordinateExtent(loaded.graph);
  auto data = std::make_unique<GraphData>(GraphData{
      std::move(loaded.graph), std::move(loaded.nearest), std::move(loaded.format), loaded.profile,
      Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT),
      matrix_max_cells, GraphServiceOptions{}.segments_max, extent});
  return std::unique_ptr<GraphService>(new GraphService(std::move(data)));
}

std::unique_ptr<fcgi::ServiceThread> GraphService::newThread() const {
  return std::make_unique<GraphServiceThread>(*data_);
}

Poco::JSON::Object::Ptr GraphService::summary() const { return describeGraph(*data_); }

}  // namespace twinlane::app

namespace twinlane::app {

std::string GraphService::metrics() const {
  return "# HELP twinlane_graph_nodes Nodes of the loaded graph.\n# TYPE twinlane_graph_nodes gauge\n"
         "twinlane_graph_nodes " + std::to_string(data_->graph.nodeCount()) + "\n"
         "# HELP twinlane_graph_arcs Arcs of the loaded graph.\n# TYPE twinlane_graph_arcs gauge\n"
         "twinlane_graph_arcs " + std::to_string(data_->graph.arcCount()) + "\n";
}

}  // namespace twinlane::app
