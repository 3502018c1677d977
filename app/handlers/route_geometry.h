// SPDX-License-Identifier: Apache-2.0
// The shape of a route for drawing: a GeoJSON LineString, or an encoded polyline (the format of
// Google's and OSRM's APIs: latitude, longitude, precision 5). Pure functions of the path's
// coordinates.
#pragma once

#include <Poco/JSON/Object.h>

#include <span>
#include <string>

#include "graph.h"

namespace twinlane::app {

// {"type":"LineString","coordinates":[[lon,lat],..]}
Poco::JSON::Object::Ptr geoJsonLineString(std::span<const Coordinate> points);

// Each point as the difference to the previous one in 1e-5 degrees (latitude first), in the
// polyline algorithm's 5-bit ASCII chunks.
std::string encodePolyline(std::span<const Coordinate> points);

}  // namespace twinlane::app
