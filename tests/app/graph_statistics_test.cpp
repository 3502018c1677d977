// SPDX-License-Identifier: Apache-2.0
// computeGraphStatistics on small graphs whose degrees, one-way arcs and medians are known.
#include "graph_statistics.h"

#include <gtest/gtest.h>

namespace twinlane::app {
namespace {

TEST(GraphStatisticsTest, CountsDistinctNeighboursInEitherDirection) {
  // 0 <-> 1 <-> 2, a chain; 1 -> 3 one-way; 3 -> 1 twice in parallel; 4 alone with a self loop.
  const Graph graph = Graph::fromArcs(
      5, {{0, 1, 10}, {1, 0, 10}, {1, 2, 30}, {2, 1, 30}, {1, 3, 5}, {3, 1, 7}, {3, 1, 8}, {4, 4, 1}}, {}, "t");
  const GraphStatistics statistics = computeGraphStatistics(graph);
  EXPECT_EQ(statistics.nodes, 5u);
  EXPECT_EQ(statistics.arcs, 8u);
  EXPECT_DOUBLE_EQ(statistics.arcs_per_node, 8.0 / 5);
  const std::array<NodeId, 6> expected{1, 3, 0, 1, 0, 0};  // 4: 0; 0, 2, 3: 1; 1: 3
  EXPECT_EQ(statistics.nodes_by_degree, expected);
  EXPECT_DOUBLE_EQ(statistics.degreeShare(1), 0.6);
  EXPECT_DOUBLE_EQ(statistics.degreeShare(2), 0);
  EXPECT_EQ(statistics.one_way_arcs, 0u);  // 1 -> 3 has 3 -> 1 back, and the other way round
  ASSERT_TRUE(statistics.median_weight.has_value());
  EXPECT_EQ(*statistics.median_weight, 10u);  // 1 5 7 8 10 10 30 30: the upper median
  EXPECT_FALSE(statistics.median_length_m.has_value()) << "fromArcs has no lengths";
}

TEST(GraphStatisticsTest, CountsOneWayArcsAndHighDegrees) {
  // A star: 0 -> 1..6 one-way, 7 <-> 0 two-way.
  std::vector<Arc> arcs;
  for (NodeId leaf = 1; leaf <= 6; ++leaf) arcs.push_back({0, leaf, leaf});
  arcs.push_back({0, 7, 1});
  arcs.push_back({7, 0, 1});
  const GraphStatistics statistics = computeGraphStatistics(Graph::fromArcs(8, arcs, {}, "star"));
  EXPECT_EQ(statistics.one_way_arcs, 6u);
  EXPECT_EQ(statistics.nodes_by_degree[5], 1u) << "degree 7 counts as 5+";
  EXPECT_EQ(statistics.nodes_by_degree[1], 7u);
  EXPECT_DOUBLE_EQ(statistics.degreeShare(9), 1.0 / 8);
}

TEST(GraphStatisticsTest, MedianLengthOfARoadGraph) {
  const Graph graph = Graph::fromRoads(3, {{0, 1, 100, 50}, {1, 2, 20, 9}, {2, 0, 40, 30}}, {}, {},
                                       Metric::kDurationDeciseconds, "roads");
  const GraphStatistics statistics = computeGraphStatistics(graph);
  EXPECT_EQ(statistics.median_length_m, 40u);
  EXPECT_EQ(statistics.median_weight, 30u) << "weights are the durations";
  EXPECT_EQ(statistics.nodes_by_degree[2], 3u);
  EXPECT_EQ(statistics.one_way_arcs, 3u);
}

TEST(GraphStatisticsTest, EmptyGraphHasNoSharesAndNoMedians) {
  const GraphStatistics statistics = computeGraphStatistics(Graph::fromArcs(0, {}, {}, "empty"));
  EXPECT_EQ(statistics.arcs_per_node, 0);
  EXPECT_EQ(statistics.degreeShare(2), 0);
  EXPECT_FALSE(statistics.median_weight.has_value());
}

}  // namespace
}  // namespace twinlane::app
