// SPDX-License-Identifier: Apache-2.0
// NearestIndex returns exactly what a brute-force haversine scan returns.
#include "nearest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "graph_geometry.h"
#include "test_support.h"

namespace twinlane::app {
namespace {

NearestIndex::Hit bruteForce(const Graph& graph, double lon, double lat) {
  NearestIndex::Hit best{kInvalidNode, std::numeric_limits<double>::infinity()};
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    const Coordinate where = graph.coordinate(node);
    const double metres = haversineMeters(lon, lat, where.lon(), where.lat());
    if (metres < best.distance_m) best = {node, metres};
  }
  return best;
}

Graph randomPoints(std::mt19937_64& random, NodeId n, std::int32_t lon0, std::int32_t lat0,
                   std::uint32_t spread_e6) {
  std::vector<Coordinate> where;
  for (NodeId node = 0; node < n; ++node) {
    if (node > 0 && random() % 10 == 0) {
      where.push_back(where[random() % node]);  // duplicate positions: ties go to the lower id
    } else {
      where.push_back({static_cast<std::int32_t>(lon0 + random() % spread_e6),
                       static_cast<std::int32_t>(lat0 + random() % spread_e6)});
    }
  }
  return Graph::fromArcs(n, {}, std::move(where), "points");
}

void expectMatchesBruteForce(const Graph& graph, const NearestIndex& index, double lon, double lat) {
  const auto hit = index.nearest(lon, lat);
  ASSERT_TRUE(hit.has_value());
  const NearestIndex::Hit expected = bruteForce(graph, lon, lat);
  EXPECT_EQ(hit->node, expected.node) << "query " << lon << "," << lat;
  EXPECT_EQ(hit->distance_m, expected.distance_m) << "query " << lon << "," << lat;
}

TEST(NearestIndexTest, MatchesBruteForceOnRandomPointsInACity) {
  const std::uint64_t seed = testing::testSeed() + 10;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  const Graph graph = randomPoints(random, 20'000, 8'400'000, 49'400'000, 200'000);
  const NearestIndex index(graph);
  EXPECT_EQ(index.size(), graph.nodeCount());
  for (int query = 0; query < 2'000; ++query) {
    const double lon = 8.35 + static_cast<double>(random() % 300'000) / 1e6;
    const double lat = 49.35 + static_cast<double>(random() % 300'000) / 1e6;
    expectMatchesBruteForce(graph, index, lon, lat);
    if (query % 10 == 0) {
      // Exactly on a node.
      const Coordinate on = graph.coordinate(static_cast<NodeId>(random() % graph.nodeCount()));
      expectMatchesBruteForce(graph, index, on.lon(), on.lat());
    }
  }
}

TEST(NearestIndexTest, MatchesBruteForceAcrossTheGlobe) {
  const std::uint64_t seed = testing::testSeed() + 11;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  const Graph graph = randomPoints(random, 3'000, -180'000'000, -90'000'000, 180'000'000);
  const NearestIndex index(graph);
  for (int query = 0; query < 1'000; ++query) {
    const double lon = -180 + static_cast<double>(random() % 360'000'001) / 1e6;
    const double lat = -90 + static_cast<double>(random() % 180'000'001) / 1e6;
    expectMatchesBruteForce(graph, index, lon, lat);
  }
  // Across the antimeridian and at the poles.
  expectMatchesBruteForce(graph, index, 180, 0);
  expectMatchesBruteForce(graph, index, -180, 0);
  expectMatchesBruteForce(graph, index, 0, 90);
  expectMatchesBruteForce(graph, index, 0, -90);
}

TEST(NearestIndexTest, EmptyWithoutCoordinatesAndNulloptForImpossiblePositions) {
  const NearestIndex bare(Graph::fromArcs(3, {}, {}, "bare"));
  EXPECT_EQ(bare.size(), 0u);
  EXPECT_FALSE(bare.nearest(8.5, 49.4).has_value());

  const Graph one = Graph::fromArcs(1, {}, {{8'500'000, 49'400'000}}, "one");
  const NearestIndex index(one);
  ASSERT_TRUE(index.nearest(8.5, 49.4).has_value());
  EXPECT_EQ(index.nearest(8.5, 49.4)->node, 0u);
  EXPECT_EQ(index.nearest(8.5, 49.4)->distance_m, 0.0);
  EXPECT_NEAR(index.nearest(8.5, 49.5)->distance_m, 11'119.5, 1.0);  // 0.1 degree of latitude
  EXPECT_FALSE(index.nearest(std::nan(""), 49.4).has_value());
  EXPECT_FALSE(index.nearest(8.5, std::numeric_limits<double>::infinity()).has_value());
  EXPECT_FALSE(index.nearest(181, 0).has_value());
  EXPECT_FALSE(index.nearest(0, -90.5).has_value());
}

}  // namespace
}  // namespace twinlane::app
