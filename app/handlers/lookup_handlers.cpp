// SPDX-License-Identifier: Apache-2.0
// The fast lane's lookups: health, graph summary, one node, nearest node.
#include <Poco/JSON/Array.h>

#include "fcgi/http_error.h"
#include "fcgi/query.h"
#include "fcgi/quote.h"
#include "handlers/handlers.h"

namespace twinlane::app {

NodeId parseNodeId(const Graph& graph, std::string_view name, std::string_view text) {
  const std::string range = "a node id from 1 to " + std::to_string(graph.nodeCount());
  const auto id = fcgi::parseDecimal(text, 0, UINT64_MAX);
  if (!id) throw fcgi::HttpError::invalidParameter(std::string(name), fcgi::quoteInput(text) + " is not " + range);
  if (*id < 1 || *id > graph.nodeCount()) {
    throw fcgi::HttpError(404, "unknown_node",
                          std::string(name) + ": node " + fcgi::quoteInput(text) + " is not in the graph; expected " + range);
  }
  return static_cast<NodeId>(*id - 1);
}

void handleHealth(const HandlerContext& context) {
  fcgi::QueryParameters::parse(context.request.queryString()).acceptOnly({});
  auto body = fcgi::orderedObject();
  body->set("status", "ok");
  context.response.setJson(*body);
}

Poco::JSON::Object::Ptr describeGraph(const GraphData& data) {
  const Graph& graph = data.graph;
  auto body = fcgi::orderedObject();
  body->set("nodes", graph.nodeCount());
  body->set("arcs", graph.arcCount());
  body->set("coordinates", graph.hasCoordinates());
  body->set("source", graph.source());
  body->set("checksum", graph.checksum());
  body->set("format", data.format);
  body->set("profile", std::string(snapshot::profileName(data.profile)));
  body->set("metric", metricName(graph.metric()));
  // What answers routes and matrices, so a slow answer can be told from a missing hierarchy.
  auto search = fcgi::orderedObject();
  search->set("algorithm", data.hierarchy ? "contraction hierarchy" : "bidirectional A*");
  if (data.hierarchy) {
    search->set("hierarchy_arcs", static_cast<Poco::UInt64>(data.hierarchy->arcCount()));
    search->set("hierarchy_from", data.hierarchy_origin);
  }
  body->set("search", search);
  body->set("loaded_at", data.loaded_at);
  if (data.extent) {
    Poco::JSON::Array::Ptr bbox = new Poco::JSON::Array;
    for (const std::int32_t e6 : {data.extent->min_lon_e6, data.extent->min_lat_e6, data.extent->max_lon_e6,
                                  data.extent->max_lat_e6}) {
      bbox->add(e6 / 1e6);
    }
    body->set("bbox", bbox);
  }
  return body;
}

void handleGraph(const HandlerContext& context) {
  fcgi::QueryParameters::parse(context.request.queryString()).acceptOnly({});
  context.response.setJson(*describeGraph(context.data));
}

void handleNode(const HandlerContext& context) {
  fcgi::QueryParameters::parse(context.request.queryString()).acceptOnly({});
  const Graph& graph = context.data.graph;
  if (context.match.rest.find('/') != std::string_view::npos) {
    throw fcgi::HttpError::notFound(std::string(context.request.path()));
  }
  const NodeId node = parseNodeId(graph, "id", context.match.rest);

  auto body = fcgi::orderedObject();
  body->set("id", externalId(node));
  if (graph.hasOsmIds()) body->set("osm_id", static_cast<Poco::Int64>(graph.osmId(node)));
  if (graph.hasCoordinates()) {
    body->set("lon", graph.coordinate(node).lon());
    body->set("lat", graph.coordinate(node).lat());
  }
  Poco::JSON::Array::Ptr arcs = new Poco::JSON::Array;
  for (ArcId arc = graph.firstOut(node); arc < graph.endOut(node); ++arc) {
    auto entry = fcgi::orderedObject();
    entry->set("to", externalId(graph.head(arc)));
    entry->set("weight", graph.weight(arc));
    if (graph.hasLengths()) entry->set("distance_m", graph.lengthMeters(arc));
    if (graph.hasDurations()) entry->set("duration_s", graph.durationDeciseconds(arc) / 10.0);
    arcs->add(entry);
  }
  body->set("arcs", arcs);
  context.response.setJson(*body);
}

void handleNearest(const HandlerContext& context) {
  const auto query = fcgi::QueryParameters::parse(context.request.queryString());
  query.acceptOnly({"lon", "lat"});
  const double lon = query.requireNumber("lon", -180, 180);
  const double lat = query.requireNumber("lat", -90, 90);
  if (!context.data.nearest) {
    throw fcgi::HttpError(404, "not_found", "this graph has no coordinates, so it has no nearest node");
  }
  const auto hit = context.data.nearest->nearest(lon, lat);
  if (!hit) throw fcgi::HttpError(404, "not_found", "the graph has no nodes");

  const Coordinate at = context.data.graph.coordinate(hit->node);
  auto body = fcgi::orderedObject();
  body->set("id", externalId(hit->node));
  body->set("lon", at.lon());
  body->set("lat", at.lat());
  body->set("distance_m", hit->distance_m);
  context.response.setJson(*body);
}

}  // namespace twinlane::app
