// SPDX-License-Identifier: Apache-2.0
// The road-graph API's handlers, one per route (one file each). A handler reads the request,
// validates every input strictly (HttpError with the parameter and the accepted form) and
// writes the JSON answer. It runs on one serving thread with that thread's scratch.
#pragma once

#include <memory>

#include "fcgi/request.h"
#include "fcgi/response.h"
#include "fcgi/router.h"
#include "handlers/graph_service.h"
#include "ch_search.h"
#include "search.h"

namespace twinlane::app {

// What one serving thread owns: search scratch, reused across requests. It is made on the
// thread's first search: lookups never need it, so fast-lane threads carry none. The
// hierarchy's scratch follows what queries touch (touched_labels.h); A*'s, for a graph without
// a hierarchy, is sized to the graph.
class ThreadScratch {
 public:
  explicit ThreadScratch(const GraphData& data) : data_(data) {}
  // Precondition: data.hierarchy.
  ChSearch& hierarchySearch() {
    if (!hierarchy_search_) hierarchy_search_ = std::make_unique<ChSearch>(data_.graph, *data_.hierarchy);
    return *hierarchy_search_;
  }
  PathSearch& search() {
    if (!search_) search_ = std::make_unique<PathSearch>(data_.graph);
    return *search_;
  }

 private:
  const GraphData& data_;
  std::unique_ptr<ChSearch> hierarchy_search_;
  std::unique_ptr<PathSearch> search_;
};

struct HandlerContext {
  const GraphData& data;
  ThreadScratch& scratch;
  const fcgi::RouteMatch& match;
  fcgi::Request& request;
  fcgi::Response& response;
};

void handleHealth(const HandlerContext& context);
void handleGraph(const HandlerContext& context);
// What /graph and /status say about the loaded graph.
Poco::JSON::Object::Ptr describeGraph(const GraphData& data);
void handleNode(const HandlerContext& context);
void handleNearest(const HandlerContext& context);
void handleSegments(const HandlerContext& context);
void handleRoute(const HandlerContext& context);
void handleMatrix(const HandlerContext& context);

// Shared by handlers: an external (1-based DIMACS) node id in text form -> internal NodeId.
// Not a decimal integer: 400 invalid_parameter; outside 1..n: 404 unknown_node.
NodeId parseNodeId(const Graph& graph, std::string_view name, std::string_view text);
inline std::uint64_t externalId(NodeId node) { return std::uint64_t{node} + 1; }

}  // namespace twinlane::app
