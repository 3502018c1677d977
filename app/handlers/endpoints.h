// SPDX-License-Identifier: Apache-2.0
// Where a route starts or ends, or a matrix row or column: a node id, or a coordinate snapped to
// the nearest node. This file owns both written forms (`123` or `8.4660,49.4875` in a query, a
// number or a `[lon, lat]` pair in JSON), their 400 errors naming the parameter, and the
// `snapped` description an answer gives for each coordinate.
#pragma once

#include <Poco/Dynamic/Var.h>
#include <Poco/JSON/Object.h>

#include <optional>
#include <string>
#include <string_view>

#include "handlers/graph_service.h"

namespace twinlane::app {

struct Endpoint {
  NodeId node;
  std::optional<double> snap_distance_m;  // set when a coordinate was given
};

// `123` (a node id, 1-based) or `lon,lat` in degrees. Throws HttpError 400 naming `name`
// (or 404 unknown_node for an id outside the graph).
Endpoint parseEndpoint(const GraphData& data, const std::string& name, std::string_view text);
// A JSON number (node id) or a [lon, lat] array. Throws like parseEndpoint.
Endpoint parseJsonEndpoint(const GraphData& data, const std::string& name, const Poco::Dynamic::Var& value);

// {"id","lon","lat","snap_distance_m"}: the node a coordinate was snapped to and how far away.
Poco::JSON::Object::Ptr describeSnap(const Graph& graph, const Endpoint& endpoint);

}  // namespace twinlane::app
