// SPDX-License-Identifier: Apache-2.0
// The slow lane's computations: one best route, and a distance matrix.
#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/JSONException.h>
#include <Poco/JSON/Parser.h>

#include "fcgi/http_error.h"
#include "fcgi/query.h"
#include "fcgi/quote.h"
#include "handlers/endpoints.h"
#include "handlers/handlers.h"
#include "handlers/route_geometry.h"

#include <algorithm>
#include <functional>

namespace twinlane::app {
namespace {

Poco::Dynamic::Var distanceValue(Distance distance) {
  return distance == kUnreachable ? Poco::Dynamic::Var() : Poco::Dynamic::Var(static_cast<Poco::UInt64>(distance));
}

// Accepts "application/json" with optional parameters such as "; charset=utf-8".
void requireJsonContentType(const fcgi::Request& request) {
  const std::string_view type = request.header("CONTENT_TYPE");
  const std::string_view media = type.substr(0, type.find(';'));
  if (media != "application/json") {
    throw fcgi::HttpError(415, "unsupported_media_type",
                          "Content-Type " + fcgi::quoteInput(type) + " is not accepted; send application/json");
  }
}

Poco::JSON::Object::Ptr parseJsonObject(const std::string& body) {
  Poco::Dynamic::Var parsed;
  try {
    parsed = Poco::JSON::Parser().parse(body);
  } catch (const Poco::Exception& error) {
    throw fcgi::HttpError(400, "invalid_json", "the body is not valid JSON: " + error.message());
  }
  if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) {
    throw fcgi::HttpError(400, "invalid_json", "the body must be a JSON object like {\"sources\":[1],\"targets\":[2]}");
  }
  return parsed.extract<Poco::JSON::Object::Ptr>();
}

std::vector<Endpoint> endpointList(const GraphData& data, const Poco::JSON::Object& body, const std::string& key) {
  const auto form = [&] {
    return "a non-empty array of node ids from 1 to " + std::to_string(data.graph.nodeCount()) +
           " or [lon, lat] coordinates";
  };
  if (!body.has(key)) throw fcgi::HttpError::missingParameter(key, form());
  const Poco::JSON::Array::Ptr array = body.getArray(key);
  if (!array || array->size() == 0) throw fcgi::HttpError::invalidParameter(key, "expected " + form());
  std::vector<Endpoint> endpoints;
  endpoints.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    endpoints.push_back(parseJsonEndpoint(data, key + "[" + std::to_string(i) + "]", array->get(static_cast<unsigned>(i))));
  }
  return endpoints;
}

std::vector<NodeId> nodesOf(const std::vector<Endpoint>& endpoints) {
  std::vector<NodeId> nodes;
  for (const Endpoint& endpoint : endpoints) nodes.push_back(endpoint.node);
  return nodes;
}

// Where each coordinate of `endpoints` was snapped, null for the node ids; nothing when every
// entry was a node id, so that answers to id-only requests stay as they were.
void addSnapped(const Graph& graph, const std::vector<Endpoint>& endpoints, const std::string& key,
                Poco::JSON::Object& snapped) {
  const bool any = std::any_of(endpoints.begin(), endpoints.end(), [](const Endpoint& e) { return e.snap_distance_m.has_value(); });
  if (!any) return;
  Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
  for (const Endpoint& endpoint : endpoints) {
    entries->add(endpoint.snap_distance_m ? Poco::Dynamic::Var(describeSnap(graph, endpoint)) : Poco::Dynamic::Var());
  }
  snapped.set(key, entries);
}

// The arcs a route of nodes (from the A* search, which reports nodes) takes: the lightest one
// between each two consecutive nodes, which is the one the search chose.
std::vector<ArcId> lightestArcs(const Graph& graph, const std::vector<NodeId>& nodes) {
  std::vector<ArcId> arcs;
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    ArcId lightest = kInvalidNode;
    for (ArcId arc = graph.firstOut(nodes[i - 1]); arc < graph.endOut(nodes[i - 1]); ++arc) {
      if (graph.head(arc) == nodes[i] && (lightest == kInvalidNode || graph.weight(arc) < graph.weight(lightest))) {
        lightest = arc;
      }
    }
    arcs.push_back(lightest);
  }
  return arcs;
}

// A best route between two nodes with the graph's arcs along it: on the hierarchy where there
// is one, by bidirectional A* otherwise.
ChSearch::Route findRoute(const HandlerContext& context, NodeId from, NodeId to) {
  const Checkpoint checkpoint = [&] { context.request.checkpoint(); };
  if (context.data.hierarchy) return context.scratch.hierarchySearch().route(from, to, true, checkpoint);
  PathSearch::Route route = context.scratch.search().route(from, to, checkpoint);
  std::vector<ArcId> arcs = lightestArcs(context.data.graph, route.nodes);
  return {route.distance, std::move(route.nodes), std::move(arcs)};
}

// Adds what a route measures in metres and seconds, where the graph keeps those metrics.
void addRouteMetrics(const Graph& graph, const std::vector<ArcId>& arcs, Poco::JSON::Object& body) {
  std::uint64_t metres = 0;
  std::uint64_t deciseconds = 0;
  for (const ArcId arc : arcs) {
    if (graph.hasLengths()) metres += graph.lengthMeters(arc);
    if (graph.hasDurations()) deciseconds += graph.durationDeciseconds(arc);
  }
  if (graph.hasLengths()) body.set("distance_m", metres);
  if (graph.hasDurations()) body.set("duration_s", static_cast<double>(deciseconds) / 10.0);
}

}  // namespace

void handleRoute(const HandlerContext& context) {
  const auto query = fcgi::QueryParameters::parse(context.request.queryString());
  query.acceptOnly({"from", "to", "geometry"});
  const Graph& graph = context.data.graph;
  const std::string form = "a node id from 1 to " + std::to_string(graph.nodeCount()) + " or a coordinate lon,lat";
  const std::string_view geometry = query.find("geometry").value_or("none");
  if (geometry != "none" && geometry != "geojson" && geometry != "polyline") {
    throw fcgi::HttpError::invalidParameter("geometry", fcgi::quoteInput(geometry) + " is not one of none, geojson, polyline");
  }
  if (geometry != "none" && !graph.hasCoordinates()) {
    throw fcgi::HttpError::invalidParameter("geometry", "this graph has no coordinates to draw a route with");
  }
  const Endpoint from = parseEndpoint(context.data, "from", query.require("from", form));
  const Endpoint to = parseEndpoint(context.data, "to", query.require("to", form));

  const ChSearch::Route route = findRoute(context, from.node, to.node);

  Poco::JSON::Array::Ptr nodes = new Poco::JSON::Array;
  for (const NodeId node : route.nodes) nodes->add(externalId(node));
  auto body = fcgi::orderedObject();
  body->set("from", externalId(from.node));
  body->set("to", externalId(to.node));
  if (from.snap_distance_m || to.snap_distance_m) {
    auto snapped = fcgi::orderedObject();
    if (from.snap_distance_m) snapped->set("from", describeSnap(graph, from));
    if (to.snap_distance_m) snapped->set("to", describeSnap(graph, to));
    body->set("snapped", snapped);
  }
  body->set("reachable", route.distance != kUnreachable);
  body->set("distance", distanceValue(route.distance));
  if (route.distance != kUnreachable) addRouteMetrics(graph, route.arcs, *body);
  body->set("nodes", nodes);
  if (geometry != "none") {
    std::vector<Coordinate> points;
    points.reserve(route.nodes.size());
    for (const NodeId node : route.nodes) points.push_back(graph.coordinate(node));
    if (geometry == "geojson") body->set("geometry", geoJsonLineString(points));
    if (geometry == "polyline") body->set("polyline", encodePolyline(points));
  }
  context.response.setJson(*body);
}

namespace {

// What a matrix reports besides `distances`: the graph's duration or length along each route.
struct MatrixMetric {
  std::string key;      // "durations_s" or "distances_m"; empty: nothing besides `distances`
  Metric metric = Metric::kUnitless;
  double scale = 1;     // from the stored unit to the answer's
};

MatrixMetric matrixMetric(const GraphData& data, const Poco::JSON::Object& body) {
  if (!body.has("metric")) return {};
  const Poco::Dynamic::Var value = body.get("metric");
  const std::string name = value.isString() ? value.extract<std::string>() : std::string();
  MatrixMetric chosen;
  if (name == "duration") chosen = {"durations_s", Metric::kDurationDeciseconds, 0.1};
  if (name == "distance") chosen = {"distances_m", Metric::kLengthMeters, 1};
  if (chosen.key.empty()) throw fcgi::HttpError::invalidParameter("metric", "expected \"duration\" or \"distance\"");
  const Graph& graph = data.graph;
  const bool stored = chosen.metric == Metric::kDurationDeciseconds ? graph.hasDurations() : graph.hasLengths();
  if (!stored) {
    throw fcgi::HttpError::invalidParameter("metric", "this graph has no " + name + "s; it is weighed in " +
                                                          metricName(graph.metric()));
  }
  // The search's own metric is `distances` itself; the other one the hierarchy carries.
  if (chosen.metric != graph.metric() && !(data.hierarchy && data.hierarchy->otherMetric() == chosen.metric)) {
    throw fcgi::HttpError::invalidParameter("metric", "this graph's " + name +
                                                          "s cannot be summed without its contraction hierarchy");
  }
  return chosen;
}

Poco::JSON::Array::Ptr rowsOf(std::size_t row_count, std::size_t columns,
                              const std::function<Poco::Dynamic::Var(std::size_t, std::size_t)>& cell) {
  Poco::JSON::Array::Ptr rows = new Poco::JSON::Array;
  for (std::size_t row = 0; row < row_count; ++row) {
    Poco::JSON::Array::Ptr values = new Poco::JSON::Array;
    for (std::size_t column = 0; column < columns; ++column) values->add(cell(row, column));
    rows->add(values);
  }
  return rows;
}

// Every cell: on the hierarchy by the bucket method, otherwise one Dijkstra per source.
ChSearch::Matrix computeMatrix(const HandlerContext& context, const std::vector<NodeId>& sources,
                               const std::vector<NodeId>& targets, bool other) {
  const Checkpoint checkpoint = [&] { context.request.checkpoint(); };
  if (context.data.hierarchy) return context.scratch.hierarchySearch().matrix(sources, targets, other, checkpoint);
  ChSearch::Matrix matrix;
  matrix.columns = targets.size();
  for (const NodeId source : sources) {
    const std::vector<Distance> row = context.scratch.search().distances(source, targets, checkpoint);
    matrix.distances.insert(matrix.distances.end(), row.begin(), row.end());
  }
  return matrix;
}

}  // namespace

void handleMatrix(const HandlerContext& context) {
  fcgi::QueryParameters::parse(context.request.queryString()).acceptOnly({});
  requireJsonContentType(context.request);
  const Poco::JSON::Object::Ptr request = parseJsonObject(context.request.readBody());
  for (const auto& [key, value] : *request) {
    if (key != "sources" && key != "targets" && key != "metric") {
      throw fcgi::HttpError::invalidParameter(key, "unknown key; the body takes \"sources\", \"targets\" and \"metric\"");
    }
  }
  const Graph& graph = context.data.graph;
  const std::vector<Endpoint> source_points = endpointList(context.data, *request, "sources");
  const std::vector<Endpoint> target_points = endpointList(context.data, *request, "targets");
  const MatrixMetric metric = matrixMetric(context.data, *request);
  const std::vector<NodeId> sources = nodesOf(source_points);
  const std::vector<NodeId> targets = nodesOf(target_points);
  const std::uint64_t cells = std::uint64_t{sources.size()} * targets.size();
  if (cells > context.data.matrix_max_cells) {
    throw fcgi::HttpError::invalidParameter(
        "sources", std::to_string(sources.size()) + " sources x " + std::to_string(targets.size()) + " targets = " +
                       std::to_string(cells) + " cells exceeds the limit of " +
                       std::to_string(context.data.matrix_max_cells) + " (limits.matrix_max_cells)");
  }

  const bool other = !metric.key.empty() && metric.metric != graph.metric();
  const ChSearch::Matrix matrix = computeMatrix(context, sources, targets, other);
  Poco::JSON::Array::Ptr source_ids = new Poco::JSON::Array;
  for (const NodeId node : sources) source_ids->add(externalId(node));
  Poco::JSON::Array::Ptr target_ids = new Poco::JSON::Array;
  for (const NodeId node : targets) target_ids->add(externalId(node));

  auto body = fcgi::orderedObject();
  body->set("sources", source_ids);
  body->set("targets", target_ids);
  body->set("distances", rowsOf(sources.size(), targets.size(), [&](std::size_t row, std::size_t column) {
              return distanceValue(matrix.distance(row, column));
            }));
  if (!metric.key.empty()) {
    body->set(metric.key, rowsOf(sources.size(), targets.size(), [&](std::size_t row, std::size_t column) {
                const Distance weight = matrix.distance(row, column);
                if (weight == kUnreachable) return Poco::Dynamic::Var();
                const std::uint64_t stored = other ? matrix.other[row * matrix.columns + column] : weight;
                if (metric.scale == 1) return Poco::Dynamic::Var(static_cast<Poco::UInt64>(stored));
                return Poco::Dynamic::Var(static_cast<double>(stored) * metric.scale);
              }));
  }
  auto snapped = fcgi::orderedObject();
  addSnapped(graph, source_points, "sources", *snapped);
  addSnapped(graph, target_points, "targets", *snapped);
  if (snapped->size() > 0) body->set("snapped", snapped);
  context.response.setJson(*body);
}

}  // namespace twinlane::app
