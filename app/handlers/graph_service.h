// SPDX-License-Identifier: Apache-2.0
// GraphService: the road-graph application as a twinlane service. The master builds it once
// (maps a snapshot, reads DIMACS files, or generates the default graph); every
// serving thread of every worker then gets its own search scratch through newThread().
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fcgi/service.h"
#include "contraction_hierarchy.h"
#include "graph.h"
#include "graph_file.h"
#include "nearest.h"

namespace twinlane::app {

struct GraphServiceOptions {
  std::string graph_path;        // a snapshot, or DIMACS .gr (plain or gzip); empty: the generated default
  std::string coordinates_path;  // optional DIMACS .co (not with a snapshot)
  std::uint64_t matrix_max_cells = 250'000;  // 500 x 500: tens of milliseconds on the hierarchy
  // data.hierarchy: false serves without a contraction hierarchy (none is built, a snapshot's
  // is not used): bidirectional A* and Dijkstra answer, for start-up time or for comparison.
  bool use_hierarchy = true;
  // Where the generated default graph is cached between starts ($CACHE_DIRECTORY); empty: nowhere.
  std::string default_graph_cache;
  std::uint64_t segments_max = 20000;  // the most segments one /segments answer holds
};

// Read-only after construction, shared by every worker through fork.
struct GraphData {
  Graph graph;
  std::optional<NearestIndex> nearest;  // only for graphs with coordinates
  // Routes and matrices search it. Absent only when it could not be built (weights too large
  // for its shortcuts): then bidirectional A* and one-to-many Dijkstra answer.
  std::optional<ContractionHierarchy> hierarchy;
  std::string hierarchy_origin;         // "snapshot", "built at load" or "off (data.hierarchy)"
  std::string format;                   // "snapshot", "dimacs" or "memory"
  snapshot::Profile profile;
  std::string loaded_at;                // RFC 3339
  std::uint64_t matrix_max_cells;
  std::uint64_t segments_max;
  std::optional<GeoBox> extent;         // where the nodes lie: for /graph's bbox
};

// The routes the service answers, for config validation and nginx-config; no data needed.
std::vector<fcgi::RouteSpec> graphRoutes();

class GraphService : public fcgi::Service {
 public:
  // Loads or generates the graph, and builds its contraction hierarchy when the file has none
  // (logged with its time). Throws GraphFormatError / std::runtime_error with context.
  static std::unique_ptr<GraphService> load(const GraphServiceOptions& options);
  // Serves a graph already in memory (indexes its coordinates, builds its hierarchy).
  static std::unique_ptr<GraphService> fromGraph(Graph graph, std::uint64_t matrix_max_cells);
  static std::unique_ptr<GraphService> fromLoaded(LoadedGraph loaded, std::uint64_t matrix_max_cells,
                                                  bool use_hierarchy = true);

  std::unique_ptr<fcgi::ServiceThread> newThread() const override;
  Poco::JSON::Object::Ptr summary() const override;
  std::string metrics() const override;
  std::vector<std::pair<std::string, std::string>> answerHeaders() const override;

  const GraphData& data() const { return *data_; }

 private:
  explicit GraphService(std::unique_ptr<GraphData> data) : data_(std::move(data)) {}
  std::unique_ptr<GraphData> data_;
};

}  // namespace twinlane::app
