// SPDX-License-Identifier: Apache-2.0
// The successful answers of API v1 (design.md, "HTTP API v1") through nginx: every route's
// fields and their consistency with each other (a matrix agrees with single routes, a route's
// distance is the sum of its arcs).
#include <Poco/JSON/Array.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <map>

#include "api_stack.h"
#include "integration_stack.h"

namespace twinlane::test {
namespace {

// Bounds the node lookups of the route check: a best path is no longer than the walk.
constexpr int kWalkSteps = 40;
constexpr std::size_t kMaxPathToVerify = kWalkSteps + 1;

// "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123+02:00" (std::regex trips GCC 12's
// -Wmaybe-uninitialized under the sanitizers, hence by hand).
bool isRfc3339(const std::string& text) {
  const auto digits = [&](std::size_t at, std::size_t count) {
    if (at + count > text.size()) return false;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
    }
    return true;
  };
  const auto at = [&](std::size_t i, char c) { return i < text.size() && text[i] == c; };
  if (!(digits(0, 4) && at(4, '-') && digits(5, 2) && at(7, '-') && digits(8, 2) && (at(10, 'T') || at(10, 't')) &&
        digits(11, 2) && at(13, ':') && digits(14, 2) && at(16, ':') && digits(17, 2))) {
    return false;
  }
  std::size_t i = 19;
  if (at(i, '.')) {
    const std::size_t first = ++i;
    while (digits(i, 1)) ++i;
    if (i == first) return false;
  }
  if (at(i, 'Z') || at(i, 'z')) return i + 1 == text.size();
  return (at(i, '+') || at(i, '-')) && digits(i + 1, 2) && at(i + 3, ':') && digits(i + 4, 2) && i + 6 == text.size();
}

class ApiShapes : public ApiStack {
 protected:
  Poco::JSON::Object::Ptr okJson(const std::string& path) {
    const auto result = get(path);
    EXPECT_TRUE(isJsonOk(result));
    return result.json();
  }
  // The lightest arc from -> to, from /api/v1/nodes/{from}; -1 if there is none.
  long arcWeight(long from, long to) {
    long best = -1;
    const auto arcs = okJson("/api/v1/nodes/" + std::to_string(from))->getArray("arcs");
    for (std::size_t i = 0; i < arcs->size(); ++i) {
      const auto arc = arcs->getObject(static_cast<unsigned>(i));
      const long weight = arc->getValue<long>("weight");
      if (arc->getValue<long>("to") == to && (best < 0 || weight < best)) best = weight;
    }
    return best;
  }
};

TEST_F(ApiShapes, HealthIsOk) {
  const auto health = okJson("/api/v1/health");
  EXPECT_EQ(toString(health), R"({"status":"ok"})");
}

TEST_F(ApiShapes, GraphDescribesTheLoadedData) {
  const auto graph = okJson("/api/v1/graph");
  EXPECT_GT(graph->getValue<long>("nodes"), 0);
  EXPECT_GT(graph->getValue<long>("arcs"), 0);
  EXPECT_TRUE(graph->getValue<bool>("coordinates")) << "the generated default graph has coordinates";
  EXPECT_FALSE(graph->getValue<std::string>("source").empty());
  EXPECT_FALSE(graph->getValue<std::string>("checksum").empty());
  EXPECT_TRUE(isRfc3339(graph->getValue<std::string>("loaded_at"))) << toString(graph);
}

// Every answer, an error's too, says which data and which host computed it: a rolling data
// update across hosts can be watched from outside.
TEST_F(ApiShapes, EveryAnswerNamesItsGraphAndHost) {
  const std::string checksum = okJson("/api/v1/graph")->getValue<std::string>("checksum");
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof(host) - 1), 0);
  for (const std::string path : {"/api/v1/health", "/api/v1/nodes/1", "/api/v1/route?from=1&to=2", "/api/v1/nodes/x"}) {
    const auto answer = get(path);
    EXPECT_EQ(answer.header("X-Twinlane-Graph"), checksum) << path << " (" << answer.status << ")";
    EXPECT_EQ(answer.header("X-Twinlane-Host"), host) << path;
  }
}

TEST_F(ApiShapes, NodeHasCoordinatesAndOutgoingArcs) {
  for (const long id : {1L, nodes() / 2, nodes()}) {
    SCOPED_TRACE("node " + std::to_string(id));
    const auto node = okJson("/api/v1/nodes/" + std::to_string(id));
    EXPECT_EQ(node->getValue<long>("id"), id);
    const double lon = node->getValue<double>("lon");
    const double lat = node->getValue<double>("lat");
    EXPECT_TRUE(lon >= -180 && lon <= 180) << lon;
    EXPECT_TRUE(lat >= -90 && lat <= 90) << lat;
    const auto arcs = node->getArray("arcs");
    ASSERT_TRUE(arcs) << toString(node);
    for (std::size_t i = 0; i < arcs->size(); ++i) {
      const auto arc = arcs->getObject(static_cast<unsigned>(i));
      const long to = arc->getValue<long>("to");
      EXPECT_TRUE(to >= 1 && to <= nodes()) << toString(arc);
      EXPECT_GE(arc->getValue<long>("weight"), 0) << toString(arc);
    }
  }
}

TEST_F(ApiShapes, NearestToANodesOwnCoordinatesIsThatSpot) {
  const auto node = okJson("/api/v1/nodes/" + std::to_string(nodes() / 3));
  const std::string query = "lon=" + std::to_string(node->getValue<double>("lon")) +
                            "&lat=" + std::to_string(node->getValue<double>("lat"));
  const auto nearest = okJson("/api/v1/nearest?" + query);
  const long id = nearest->getValue<long>("id");
  EXPECT_TRUE(id >= 1 && id <= nodes()) << toString(nearest);
  EXPECT_TRUE(nearest->has("lon") && nearest->has("lat")) << toString(nearest);
  // std::to_string keeps 6 decimals: about 0.1 m of error.
  EXPECT_LT(nearest->getValue<double>("distance_m"), 1.0) << toString(nearest);
}

TEST_F(ApiShapes, RouteToItselfIsEmptyDistance) {
  const auto route = okJson("/api/v1/route?from=5&to=5");
  EXPECT_EQ(route->getValue<long>("from"), 5);
  EXPECT_EQ(route->getValue<long>("to"), 5);
  EXPECT_TRUE(route->getValue<bool>("reachable"));
  EXPECT_EQ(route->getValue<long>("distance"), 0);
  const auto path = route->getArray("nodes");
  ASSERT_TRUE(path);
  ASSERT_EQ(path->size(), 1u);
  EXPECT_EQ(path->getElement<long>(0), 5);
}

TEST_F(ApiShapes, RouteDistanceIsTheSumOfItsArcs) {
  // A target some arcs away: follow the last arc of each node for a bounded walk.
  const long from = 1;
  long to = from;
  for (int step = 0; step < kWalkSteps; ++step) {
    const auto arcs = okJson("/api/v1/nodes/" + std::to_string(to))->getArray("arcs");
    if (!arcs || arcs->size() == 0) break;
    to = arcs->getObject(static_cast<unsigned>(arcs->size() - 1))->getValue<long>("to");
  }
  ASSERT_NE(to, from);
  const auto route = okJson("/api/v1/route?from=" + std::to_string(from) + "&to=" + std::to_string(to));
  ASSERT_TRUE(route->getValue<bool>("reachable")) << toString(route);
  const auto path = route->getArray("nodes");
  ASSERT_TRUE(path && path->size() >= 2) << toString(route);
  EXPECT_EQ(path->getElement<long>(0), from);
  EXPECT_EQ(path->getElement<long>(static_cast<unsigned>(path->size() - 1)), to);
  ASSERT_LE(path->size(), kMaxPathToVerify) << "a walk of " << kWalkSteps << " arcs has a longer best path";
  long sum = 0;
  for (std::size_t i = 0; i + 1 < path->size(); ++i) {
    const long a = path->getElement<long>(static_cast<unsigned>(i));
    const long b = path->getElement<long>(static_cast<unsigned>(i + 1));
    const long weight = arcWeight(a, b);
    ASSERT_GE(weight, 0) << "the route uses " << a << " -> " << b << ", which is no arc";
    sum += weight;
  }
  EXPECT_EQ(route->getValue<long>("distance"), sum);
}

TEST_F(ApiShapes, RouteToANeighbourIsAtMostTheArc) {
  const auto arcs = okJson("/api/v1/nodes/1")->getArray("arcs");
  ASSERT_TRUE(arcs && arcs->size() > 0) << "node 1 has no outgoing arcs";
  const auto arc = arcs->getObject(0);
  const long to = arc->getValue<long>("to");
  const auto route = okJson("/api/v1/route?from=1&to=" + std::to_string(to));
  EXPECT_TRUE(route->getValue<bool>("reachable"));
  EXPECT_LE(route->getValue<long>("distance"), arc->getValue<long>("weight"));
}

TEST_F(ApiShapes, MatrixAgreesWithSingleRoutes) {
  const std::vector<long> sources = {1, nodes() / 2};
  const std::vector<long> targets = {nodes() / 3, nodes(), 1};
  const MatrixRequest request{sources, targets};
  const auto result = post("/api/v1/matrix", request.body());
  ASSERT_TRUE(isJsonOk(result));
  const auto matrix = result.json();
  ASSERT_EQ(matrix->getArray("sources")->size(), sources.size());
  ASSERT_EQ(matrix->getArray("targets")->size(), targets.size());
  const auto distances = matrix->getArray("distances");
  ASSERT_EQ(distances->size(), sources.size());
  for (std::size_t i = 0; i < sources.size(); ++i) {
    EXPECT_EQ(matrix->getArray("sources")->getElement<long>(static_cast<unsigned>(i)), sources[i]);
    const auto row = distances->getArray(static_cast<unsigned>(i));
    ASSERT_EQ(row->size(), targets.size());
    for (std::size_t j = 0; j < targets.size(); ++j) {
      SCOPED_TRACE(std::to_string(sources[i]) + " -> " + std::to_string(targets[j]));
      const auto route = okJson("/api/v1/route?from=" + std::to_string(sources[i]) + "&to=" + std::to_string(targets[j]));
      if (route->getValue<bool>("reachable")) {
        EXPECT_EQ(row->getElement<long>(static_cast<unsigned>(j)), route->getValue<long>("distance"));
      } else {
        EXPECT_TRUE(row->isNull(static_cast<unsigned>(j)));
      }
    }
  }
  EXPECT_EQ(distances->getArray(0)->getElement<long>(2), 0) << "node 1 to itself";
}

TEST_F(ApiShapes, StatusAndMetricsAnswer) {
  const auto status = okJson("/status");
  EXPECT_TRUE(parsePoolStatus(status).ready()) << toString(status);
  const auto metrics = get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_TRUE(metrics.content_type.starts_with("text/plain")) << metrics.content_type;
  EXPECT_NE(metrics.body.find("twinlane_requests_total"), std::string::npos) << metrics.body;
}

}  // namespace
}  // namespace twinlane::test
