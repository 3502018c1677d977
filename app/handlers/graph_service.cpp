// SPDX-License-Identifier: Apache-2.0
// Loading the graph once and serving it: see graph_service.h.
#include "handlers/graph_service.h"

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "ch_builder.h"
#include "default_graph.h"
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
  explicit GraphServiceThread(const GraphData& data) : data_(data), scratch_(data) {}

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
  LoadedGraph loaded =
      options.graph_path.empty()
          ? loadDefaultGraph({.generator = {}, .with_hierarchy = options.use_hierarchy,
                              .cache_directory = options.default_graph_cache})
          : loadGraphFile(options.graph_path, options.coordinates_path);
  auto service = fromLoaded(std::move(loaded), options.matrix_max_cells, options.use_hierarchy);
  service->data_->segments_max = options.segments_max;
  return service;
}

std::unique_ptr<GraphService> GraphService::fromGraph(Graph graph, std::uint64_t matrix_max_cells) {
  std::optional<NearestIndex> nearest;
  if (graph.hasCoordinates()) nearest.emplace(graph);
  return fromLoaded({std::move(graph), std::move(nearest), std::nullopt, "memory", snapshot::Profile::kDimacs},
                    matrix_max_cells);
}

namespace {

// The hierarchy of a graph loaded without one, logged with its time so that an operator sees
// what converting the file ahead would save. Weights too large for shortcuts leave the graph
// without one (and the searches on bidirectional A*), which is logged as a warning.
std::optional<ContractionHierarchy> buildAtLoad(const Graph& graph) {
  Poco::Logger& log = Poco::Logger::get("twinlane.graph");
  const auto start = std::chrono::steady_clock::now();
  try {
    ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.2f", took.count());
    log.information("graph: %s has no contraction hierarchy; built one at load in %s s (%z arcs); "
                    "`twinlane-graph convert` or `import` writes a snapshot that has it ready",
                    graph.source(), std::string(seconds), hierarchy.arcCount());
    return hierarchy;
  } catch (const std::overflow_error& error) {
    log.warning("graph: %s: %s; routes and matrices use bidirectional A* and Dijkstra instead", graph.source(),
                std::string(error.what()));
    return std::nullopt;
  }
}

}  // namespace

std::unique_ptr<GraphService> GraphService::fromLoaded(LoadedGraph loaded, std::uint64_t matrix_max_cells,
                                                     bool use_hierarchy) {
  const bool ready_made = loaded.hierarchy.has_value();
  if (!use_hierarchy) {
    loaded.hierarchy.reset();
  } else if (!ready_made) {
    loaded.hierarchy = buildAtLoad(loaded.graph);
  }
  const char* origin = !use_hierarchy ? "off (data.hierarchy)" : ready_made ? "snapshot" : "built at load";
  const std::optional<GeoBox> extent = coordinateExtent(loaded.graph);
  auto data = std::make_unique<GraphData>(GraphData{
      std::move(loaded.graph), std::move(loaded.nearest), std::move(loaded.hierarchy), origin,
      std::move(loaded.format), loaded.profile,
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

std::vector<std::pair<std::string, std::string>> GraphService::answerHeaders() const {
  return {{"X-Twinlane-Graph", data_->graph.checksum()}};
}

std::string GraphService::metrics() const {
  return "# HELP twinlane_graph_nodes Nodes of the loaded graph.\n# TYPE twinlane_graph_nodes gauge\n"
         "twinlane_graph_nodes " + std::to_string(data_->graph.nodeCount()) + "\n"
         "# HELP twinlane_graph_arcs Arcs of the loaded graph.\n# TYPE twinlane_graph_arcs gauge\n"
         "twinlane_graph_arcs " + std::to_string(data_->graph.arcCount()) + "\n";
}

}  // namespace twinlane::app
