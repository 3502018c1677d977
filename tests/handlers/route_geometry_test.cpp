// SPDX-License-Identifier: Apache-2.0
// Route geometry: the polyline encoding against the reference example of Google's format
// documentation, and the GeoJSON shape.
#include "handlers/route_geometry.h"

#include <Poco/JSON/Stringifier.h>
#include <gtest/gtest.h>

#include <sstream>
#include <vector>

namespace twinlane::app {
namespace {

TEST(RouteGeometry, PolylineMatchesTheFormatsReferenceExample) {
  // (38.5, -120.2), (40.7, -120.95), (43.252, -126.453) as latitude, longitude.
  const std::vector<Coordinate> points = {{-120'200'000, 38'500'000}, {-120'950'000, 40'700'000}, {-126'453'000, 43'252'000}};
  EXPECT_EQ(encodePolyline(points), "_p~iF~ps|U_ulLnnqC_mqNvxq`@");
  EXPECT_EQ(encodePolyline({}), "");
}

TEST(RouteGeometry, PolylineRoundsMicrodegreesToTheFifthDecimal) {
  // 8.466005 rounds up to 8.46601, 49.487504 down to 49.4875: the same as the exact values.
  const std::vector<Coordinate> rounded = {{8'466'005, 49'487'504}};
  const std::vector<Coordinate> exact = {{8'466'010, 49'487'500}};
  EXPECT_EQ(encodePolyline(rounded), encodePolyline(exact));
}

TEST(RouteGeometry, GeoJsonIsALineStringOfLonLatPairs) {
  const std::vector<Coordinate> points = {{8'466'000, 49'487'500}, {8'470'000, 49'480'000}};
  std::ostringstream json;
  Poco::JSON::Stringifier::condense(geoJsonLineString(points), json);
  EXPECT_EQ(json.str(), R"({"type":"LineString","coordinates":[[8.466,49.4875],[8.47,49.48]]})");
}

}  // namespace
}  // namespace twinlane::app
