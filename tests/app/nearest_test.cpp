// SPDX-License-Identifier: Apache-2.0
// NearestIndex returns exactly what a brute-force haversine scan returns.
#include "nearest.h"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <limits>
#include <random>
#include <vector>

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

std::vector<NodeId> inBoxBruteForce(const Graph& graph, const GeoBox& box) {
  std::vector<NodeId> nodes;
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    if (box.contains(graph.coordinate(node))) nodes.push_back(node);
  }
  return nodes;
}

std::vector<NodeId> inBox(const NearestIndex& index, const GeoBox& box) {
  std::vector<NodeId> nodes;
  index.forEachInBox(box, [&](NodeId node) {
    nodes.push_back(node);
    return true;
  });
  return nodes;
}

GeoBox randomBox(std::mt19937_64& random, std::int32_t lon0, std::int32_t lat0, std::uint32_t lon_spread_e6,
                 std::uint32_t lat_spread_e6) {
  const auto coordinate = [&](std::int32_t origin, std::uint32_t spread) {
    return static_cast<std::int32_t>(origin + static_cast<std::int64_t>(random() % spread));
  };
  const std::int32_t lon[2] = {coordinate(lon0, lon_spread_e6), coordinate(lon0, lon_spread_e6)};
  const std::int32_t lat[2] = {coordinate(lat0, lat_spread_e6), coordinate(lat0, lat_spread_e6)};
  return {std::min(lon[0], lon[1]), std::min(lat[0], lat[1]), std::max(lon[0], lon[1]), std::max(lat[0], lat[1])};
}

void expectBoxMatchesBruteForce(const Graph& graph, const NearestIndex& index, const GeoBox& box) {
  std::vector<NodeId> found = inBox(index, box);
  const std::size_t visited = found.size();
  std::sort(found.begin(), found.end());
  EXPECT_EQ(std::unique(found.begin(), found.end()), found.end()) << "a node was visited twice";
  EXPECT_EQ(found.size(), visited);
  EXPECT_EQ(found, inBoxBruteForce(graph, box))
      << "box " << box.min_lon_e6 << "," << box.min_lat_e6 << "," << box.max_lon_e6 << "," << box.max_lat_e6;
}

TEST(NearestIndexBoxTest, MatchesBruteForceOnRandomBoxesInACity) {
  const std::uint64_t seed = testing::testSeed() + 12;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  const Graph graph = randomPoints(random, 20'000, 8'400'000, 49'400'000, 200'000);
  const NearestIndex index(graph);
  for (int query = 0; query < 500; ++query) {
    expectBoxMatchesBruteForce(graph, index, randomBox(random, 8'350'000, 49'350'000, 300'000, 300'000));
  }
  // Boxes whose edges run exactly through nodes: bounds are inclusive.
  for (int query = 0; query < 100; ++query) {
    const Coordinate a = graph.coordinate(static_cast<NodeId>(random() % graph.nodeCount()));
    const Coordinate b = graph.coordinate(static_cast<NodeId>(random() % graph.nodeCount()));
    expectBoxMatchesBruteForce(graph, index,
                               {std::min(a.lon_e6, b.lon_e6), std::min(a.lat_e6, b.lat_e6),
                                std::max(a.lon_e6, b.lon_e6), std::max(a.lat_e6, b.lat_e6)});
    expectBoxMatchesBruteForce(graph, index, {a.lon_e6, a.lat_e6, a.lon_e6, a.lat_e6});
  }
}

TEST(NearestIndexBoxTest, MatchesBruteForceAcrossTheGlobe) {
  const std::uint64_t seed = testing::testSeed() + 13;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  const Graph graph = randomPoints(random, 3'000, -180'000'000, -90'000'000, 180'000'000);
  const NearestIndex index(graph);
  for (int query = 0; query < 500; ++query) {
    expectBoxMatchesBruteForce(graph, index, randomBox(random, -180'000'000, -90'000'000, 360'000'001, 180'000'001));
  }
  // Boxes over a pole, the antimeridian, the prime meridian and the whole world.
  expectBoxMatchesBruteForce(graph, index, {-180'000'000, 80'000'000, 180'000'000, 90'000'000});
  expectBoxMatchesBruteForce(graph, index, {170'000'000, -10'000'000, 180'000'000, 10'000'000});
  expectBoxMatchesBruteForce(graph, index, {-180'000'000, -10'000'000, -170'000'000, 10'000'000});
  expectBoxMatchesBruteForce(graph, index, {-5'000'000, -90'000'000, 5'000'000, 90'000'000});
  expectBoxMatchesBruteForce(graph, index, {-180'000'000, -90'000'000, 180'000'000, 90'000'000});
}

TEST(NearestIndexBoxTest, StopsWhenTheVisitorSaysSoWithASampleSpreadOverTheBox) {
  const std::uint64_t seed = testing::testSeed() + 14;
  std::mt19937_64 random(seed);
  const Graph graph = randomPoints(random, 20'000, 8'400'000, 49'400'000, 200'000);
  const NearestIndex index(graph);
  const GeoBox all{8'400'000, 49'400'000, 8'600'000, 49'600'000};
  std::vector<NodeId> first;
  index.forEachInBox(all, [&](NodeId node) {
    first.push_back(node);
    return first.size() < 100;
  });
  ASSERT_EQ(first.size(), 100u);
  // Breadth first: the first hundred fall in each quarter of the box, not in one corner.
  int quarters[4] = {};
  for (const NodeId node : first) {
    const Coordinate where = graph.coordinate(node);
    ++quarters[(where.lon_e6 >= 8'500'000 ? 1 : 0) + (where.lat_e6 >= 49'500'000 ? 2 : 0)];
  }
  for (const int count : quarters) EXPECT_GE(count, 10);
  std::vector<NodeId> again;
  index.forEachInBox(all, [&](NodeId node) {
    again.push_back(node);
    return again.size() < 100;
  });
  EXPECT_EQ(again, first) << "the same order on every call";
}

TEST(NearestIndexBoxTest, ExtentAndEmptyCases) {
  const Graph bare = Graph::fromArcs(3, {}, {}, "bare");
  EXPECT_FALSE(coordinateExtent(bare).has_value());
  EXPECT_TRUE(inBox(NearestIndex(bare), {0, 0, 1, 1}).empty());
  const Graph two = Graph::fromArcs(2, {}, {{8'500'000, 49'400'000}, {-1'000'000, 50'000'000}}, "two");
  EXPECT_EQ(coordinateExtent(two), (GeoBox{-1'000'000, 49'400'000, 8'500'000, 50'000'000}));
  EXPECT_TRUE(inBox(NearestIndex(two), {8'500'001, 0, 9'000'000, 60'000'000}).empty());
  EXPECT_EQ(inBox(NearestIndex(two), {8'500'000, 49'400'000, 8'500'000, 49'400'000}), std::vector<NodeId>{0});
}

}  // namespace
}  // namespace twinlane::app
