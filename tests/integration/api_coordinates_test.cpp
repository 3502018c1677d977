// SPDX-License-Identifier: Apache-2.0
// Routes and matrices between coordinates, through nginx on the generated default graph: each
// coordinate is snapped to the node /nearest names, the answer says where and how far, and a
// coordinate that is not one is a 400 naming the parameter.
#include <gtest/gtest.h>

#include "api_stack.h"
#include "integration_stack.h"

namespace twinlane::test {
namespace {

class ApiCoordinates : public ApiStack {};

std::string lonLat(const Poco::JSON::Object::Ptr& place) {
  return std::to_string(place->getValue<double>("lon")) + "," + std::to_string(place->getValue<double>("lat"));
}

TEST_F(ApiCoordinates, ARouteBetweenCoordinatesGoesBetweenTheNodesNearestToThem) {
  const auto a = get("/api/v1/nearest?lon=8.47&lat=49.48").json();
  const auto b = get("/api/v1/nearest?lon=8.52&lat=49.51").json();
  const std::string from = "8.47,49.48";
  const std::string to = "8.52,49.51";
  const auto by_coordinates = get("/api/v1/route?from=" + from + "&to=" + to).json();
  const auto by_ids = get("/api/v1/route?from=" + std::to_string(a->getValue<long>("id")) + "&to=" +
                          std::to_string(b->getValue<long>("id"))).json();
  EXPECT_EQ(by_coordinates->getValue<long>("from"), a->getValue<long>("id"));
  EXPECT_EQ(by_coordinates->getValue<long>("to"), b->getValue<long>("id"));
  EXPECT_EQ(by_coordinates->getValue<long>("distance"), by_ids->getValue<long>("distance"));
  const auto snapped = by_coordinates->getObject("snapped");
  ASSERT_TRUE(snapped);
  EXPECT_EQ(snapped->getObject("from")->getValue<long>("id"), a->getValue<long>("id"));
  EXPECT_DOUBLE_EQ(snapped->getObject("from")->getValue<double>("snap_distance_m"), a->getValue<double>("distance_m"));
  EXPECT_EQ(lonLat(snapped->getObject("to")), lonLat(b));
  EXPECT_FALSE(by_ids->has("snapped"));
}

TEST_F(ApiCoordinates, AMatrixTakesLonLatPairs) {
  const auto a = get("/api/v1/nearest?lon=8.47&lat=49.48").json();
  const auto answer = post("/api/v1/matrix", R"({"sources":[[8.47,49.48]],"targets":[1,[8.47,49.48]]})").json();
  EXPECT_EQ(answer->getArray("sources")->getElement<long>(0), a->getValue<long>("id"));
  EXPECT_EQ(answer->getArray("distances")->getArray(0)->getElement<long>(1), 0) << "from a node to itself";
  EXPECT_TRUE(answer->getObject("snapped")->getArray("targets")->isNull(0));
}

TEST_F(ApiCoordinates, WhatIsNotACoordinateIs400NamingTheParameter) {
  for (const std::string bad : {"8.4,91", "NaN,49", "8.4,49.4,3", "8.4,", "8.4%2C49.4x"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(isApiError(get("/api/v1/route?from=1&to=" + bad), 400, "invalid_parameter", "to"));
  }
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", R"({"sources":[[8.4,49.4,1]],"targets":[1]})"), 400,
                         "invalid_parameter", "sources[0]"));
}

}  // namespace
}  // namespace twinlane::test
