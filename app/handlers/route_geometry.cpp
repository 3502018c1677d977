// SPDX-License-Identifier: Apache-2.0
// GeoJSON and encoded polylines of a route.
#include "handlers/route_geometry.h"

#include <Poco/JSON/Array.h>

#include <cmath>
#include <cstdint>

#include "fcgi/response.h"

namespace twinlane::app {
namespace {

// Microdegrees to the polyline's 1e-5 degrees, rounded half away from zero as Google's
// reference encoder does.
std::int64_t toE5(std::int32_t e6) { return std::llround(static_cast<double>(e6) / 10.0); }

void appendSigned(std::int64_t value, std::string& out) {
  std::uint64_t bits = static_cast<std::uint64_t>(value) << 1;
  if (value < 0) bits = ~bits;
  while (bits >= 0x20) {
    out.push_back(static_cast<char>((0x20 | (bits & 0x1f)) + 63));
    bits >>= 5;
  }
  out.push_back(static_cast<char>(bits + 63));
}

}  // namespace

Poco::JSON::Object::Ptr geoJsonLineString(std::span<const Coordinate> points) {
  Poco::JSON::Array::Ptr coordinates = new Poco::JSON::Array;
  for (const Coordinate& point : points) {
    Poco::JSON::Array::Ptr pair = new Poco::JSON::Array;
    pair->add(point.lon());
    pair->add(point.lat());
    coordinates->add(pair);
  }
  auto line = fcgi::orderedObject();
  line->set("type", "LineString");
  line->set("coordinates", coordinates);
  return line;
}

std::string encodePolyline(std::span<const Coordinate> points) {
  std::string out;
  std::int64_t last_lat = 0;
  std::int64_t last_lon = 0;
  for (const Coordinate& point : points) {
    const std::int64_t lat = toE5(point.lat_e6);
    const std::int64_t lon = toE5(point.lon_e6);
    appendSigned(lat - last_lat, out);
    appendSigned(lon - last_lon, out);
    last_lat = lat;
    last_lon = lon;
  }
  return out;
}

}  // namespace twinlane::app
