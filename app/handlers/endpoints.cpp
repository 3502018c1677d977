// SPDX-License-Identifier: Apache-2.0
// Endpoint parsing: node ids, coordinates, and snapping them to the nearest node.
#include "handlers/endpoints.h"

#include <Poco/JSON/Array.h>

#include <cmath>

#include "fcgi/http_error.h"
#include "fcgi/query.h"
#include "fcgi/quote.h"
#include "handlers/handlers.h"

namespace twinlane::app {
namespace {

std::string acceptedForms(const Graph& graph) {
  return "a node id from 1 to " + std::to_string(graph.nodeCount()) + " or a coordinate lon,lat in degrees";
}

Endpoint snap(const GraphData& data, const std::string& name, double lon, double lat) {
  if (!data.nearest) {
    throw fcgi::HttpError::invalidParameter(name, "this graph has no coordinates; give a node id from 1 to " +
                                                      std::to_string(data.graph.nodeCount()));
  }
  const auto hit = data.nearest->nearest(lon, lat);
  if (!hit) throw fcgi::HttpError::invalidParameter(name, "the graph has no node to snap to");
  return {hit->node, hit->distance_m};
}

}  // namespace

Endpoint parseEndpoint(const GraphData& data, const std::string& name, std::string_view text) {
  const auto comma = text.find(',');
  if (comma == std::string_view::npos) return {parseNodeId(data.graph, name, text), std::nullopt};
  const auto lon = fcgi::parseFixedNumber(text.substr(0, comma), -180, 180);
  const auto lat = fcgi::parseFixedNumber(text.substr(comma + 1), -90, 90);
  if (!lon || !lat) {
    throw fcgi::HttpError::invalidParameter(
        name, fcgi::quoteInput(text) + " is not " + acceptedForms(data.graph) +
                  " (longitude -180..180, latitude -90..90, two decimal numbers)");
  }
  return snap(data, name, *lon, *lat);
}

Endpoint parseJsonEndpoint(const GraphData& data, const std::string& name, const Poco::Dynamic::Var& value) {
  // Messages are built only on failure: a matrix parses hundreds of entries.
  const auto form = [&] { return acceptedForms(data.graph) + " as a [lon, lat] array"; };
  if (value.type() == typeid(Poco::JSON::Array::Ptr)) {
    const auto pair = value.extract<Poco::JSON::Array::Ptr>();
    const auto number = [&](unsigned i) -> std::optional<double> {
      const Poco::Dynamic::Var item = pair->get(i);
      if (item.isEmpty() || item.isBoolean() || !item.isNumeric()) return std::nullopt;
      return item.convert<double>();
    };
    const auto lon = pair->size() == 2 ? number(0) : std::nullopt;
    const auto lat = pair->size() == 2 ? number(1) : std::nullopt;
    if (!lon || !lat || !std::isfinite(*lon) || !std::isfinite(*lat) || std::abs(*lon) > 180 || std::abs(*lat) > 90) {
      throw fcgi::HttpError::invalidParameter(name, fcgi::quoteInput(value.toString()) + " is not " + form() +
                                                        " (longitude -180..180, latitude -90..90)");
    }
    return snap(data, name, *lon, *lat);
  }
  if (value.isEmpty() || value.isBoolean() || !value.isInteger()) {
    throw fcgi::HttpError::invalidParameter(
        name, fcgi::quoteInput(value.isEmpty() ? std::string("null") : value.toString()) + " is not " + form());
  }
  return {parseNodeId(data.graph, name, value.toString()), std::nullopt};
}

Poco::JSON::Object::Ptr describeSnap(const Graph& graph, const Endpoint& endpoint) {
  auto snapped = fcgi::orderedObject();
  snapped->set("id", externalId(endpoint.node));
  snapped->set("lon", graph.coordinate(endpoint.node).lon());
  snapped->set("lat", graph.coordinate(endpoint.node).lat());
  snapped->set("snap_distance_m", endpoint.snap_distance_m.value_or(0));
  return snapped;
}

}  // namespace twinlane::app
