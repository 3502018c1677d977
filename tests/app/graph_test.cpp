// SPDX-License-Identifier: Apache-2.0
// Graph: CSR construction, validation and checksum.
#include "graph.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "graph_components.h"

namespace twinlane::app {
namespace {

std::vector<std::tuple<NodeId, NodeId, Weight>> forwardArcs(const Graph& graph) {
  std::vector<std::tuple<NodeId, NodeId, Weight>> arcs;
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    for (ArcId arc = graph.firstOut(node); arc < graph.endOut(node); ++arc) {
      arcs.emplace_back(node, graph.head(arc), graph.weight(arc));
    }
  }
  return arcs;
}

std::vector<std::tuple<NodeId, NodeId, Weight>> reverseArcs(const Graph& graph) {
  std::vector<std::tuple<NodeId, NodeId, Weight>> arcs;
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    for (ArcId arc = graph.firstIn(node); arc < graph.endIn(node); ++arc) {
      arcs.emplace_back(graph.tail(arc), node, graph.inWeight(arc));
    }
  }
  return arcs;
}

TEST(GraphTest, GroupsArcsByTailKeepingInputOrderAndMirrorsThemInReverse) {
  const Graph graph = Graph::fromArcs(
      4, {{2, 0, 5}, {0, 1, 3}, {2, 3, 0}, {0, 1, 7}, {3, 3, 1}}, {}, "test");
  EXPECT_EQ(graph.nodeCount(), 4u);
  EXPECT_EQ(graph.arcCount(), 5u);
  using A = std::tuple<NodeId, NodeId, Weight>;
  EXPECT_EQ(forwardArcs(graph), (std::vector<A>{{0, 1, 3}, {0, 1, 7}, {2, 0, 5}, {2, 3, 0}, {3, 3, 1}}));
  auto reverse = reverseArcs(graph);
  auto forward = forwardArcs(graph);
  std::sort(reverse.begin(), reverse.end());
  std::sort(forward.begin(), forward.end());
  EXPECT_EQ(reverse, forward);
  EXPECT_EQ(graph.firstOut(1), graph.endOut(1));
  EXPECT_FALSE(graph.hasCoordinates());
  EXPECT_EQ(graph.source(), "test");
  EXPECT_GT(graph.memoryBytes(), 0u);
}

TEST(GraphTest, RoadArcsKeepBothMetricsInBothDirectionsAndWeighByTheChosenOne) {
  const std::vector<RoadArc> arcs = {{1, 0, 100, 72}, {0, 1, 100, 80}, {0, 2, 30, 9}, {2, 1, 40, 20}};
  const Graph by_time = Graph::fromRoads(3, arcs, {}, {700, 20, 5000}, Metric::kDurationDeciseconds, "t");
  const Graph by_length = Graph::fromRoads(3, arcs, {}, {700, 20, 5000}, Metric::kLengthMeters, "l");
  EXPECT_EQ(by_time.metric(), Metric::kDurationDeciseconds);
  ASSERT_TRUE(by_time.hasLengths() && by_time.hasDurations() && by_time.hasOsmIds());
  using A = std::tuple<NodeId, NodeId, Weight>;
  EXPECT_EQ(forwardArcs(by_time), (std::vector<A>{{0, 1, 80}, {0, 2, 9}, {1, 0, 72}, {2, 1, 20}}));
  EXPECT_EQ(forwardArcs(by_length), (std::vector<A>{{0, 1, 100}, {0, 2, 30}, {1, 0, 100}, {2, 1, 40}}));
  // Forward arc 1 is 0 -> 2: its length and its time travel with it.
  EXPECT_EQ(by_time.lengthMeters(1), 30u);
  EXPECT_EQ(by_time.durationDeciseconds(1), 9u);
  // The reverse arrays carry the chosen metric too: the arcs into node 1 are from 0 and from 2.
  auto reverse = reverseArcs(by_time);
  std::sort(reverse.begin(), reverse.end());
  auto forward = forwardArcs(by_time);
  EXPECT_EQ(reverse, forward);
  EXPECT_EQ(by_time.osmId(2), 5000);
  EXPECT_NE(by_time.checksum(), by_length.checksum());
  EXPECT_THROW((void)Graph::fromRoads(3, arcs, {}, {1}, Metric::kLengthMeters, "x"), std::invalid_argument);
  EXPECT_THROW((void)Graph::fromRoads(3, arcs, {}, {}, Metric::kUnitless, "x"), std::invalid_argument);
}

TEST(GraphTest, DimacsGraphsHaveNeitherMetricNorOsmIds) {
  const Graph graph = Graph::fromArcs(2, {{0, 1, 1}}, {}, "g");
  EXPECT_EQ(graph.metric(), Metric::kUnitless);
  EXPECT_FALSE(graph.hasLengths());
  EXPECT_FALSE(graph.hasDurations());
  EXPECT_FALSE(graph.hasOsmIds());
  EXPECT_FALSE(graph.isMapped());
}

TEST(GraphTest, KeepsCoordinates) {
  const Graph graph = Graph::fromArcs(2, {{0, 1, 1}}, {{8'500'000, 49'000'000}, {-73'985'000, 40'750'000}}, "c");
  ASSERT_TRUE(graph.hasCoordinates());
  EXPECT_EQ(graph.coordinate(1), (Coordinate{-73'985'000, 40'750'000}));
  EXPECT_DOUBLE_EQ(graph.coordinate(1).lon(), -73.985);
  EXPECT_DOUBLE_EQ(graph.coordinate(1).lat(), 40.75);
}

TEST(GraphTest, RejectsArcOutsideTheNodeRangeNamingIt) {
  try {
    (void)Graph::fromArcs(3, {{0, 1, 1}, {1, 3, 1}}, {}, "g.gr");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_STREQ(error.what(), "graph 'g.gr': arc #1 (1 -> 3) names a node outside 0..2");
  }
}

TEST(GraphTest, RejectsCoordinateCountDifferentFromNodeCount) {
  EXPECT_THROW((void)Graph::fromArcs(3, {}, {{0, 0}}, "g"), std::invalid_argument);
}

TEST(GraphTest, ChecksumIsStableAndSeesWeightsAndCoordinates) {
  const auto make = [](Weight w, std::int32_t lat) {
    return Graph::fromArcs(2, {{0, 1, w}, {1, 0, 2}}, {{0, 0}, {1, lat}}, "x");
  };
  EXPECT_EQ(make(1, 5).checksum(), make(1, 5).checksum());
  EXPECT_EQ(make(1, 5).checksum().size(), 40u);
  EXPECT_NE(make(1, 5).checksum(), make(2, 5).checksum());
  EXPECT_NE(make(1, 5).checksum(), make(1, 6).checksum());
  // The source is a label, not content.
  EXPECT_EQ(Graph::fromArcs(1, {}, {}, "a").checksum(), Graph::fromArcs(1, {}, {}, "b").checksum());
}

TEST(GraphComponentsTest, FindsComponentsOfACycleAndATail) {
  // 0 -> 1 -> 2 -> 0 is one component; 3 hangs off it; 4 is alone.
  const Graph graph = Graph::fromArcs(5, {{0, 1, 1}, {1, 2, 1}, {2, 0, 1}, {2, 3, 1}}, {}, "g");
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(graph);
  EXPECT_EQ(components.count, 3u);
  EXPECT_EQ(components.largest_size, 3u);
  EXPECT_EQ(components.component_of[0], components.component_of[2]);
  EXPECT_EQ(components.component_of[0], components.largest);
  EXPECT_NE(components.component_of[3], components.component_of[4]);
}

TEST(GraphComponentsTest, HandlesALongPathWithoutRecursion) {
  const NodeId n = 200'000;
  std::vector<Arc> arcs;
  for (NodeId node = 0; node + 1 < n; ++node) arcs.push_back({node, node + 1, 1});
  arcs.push_back({n - 1, 0, 1});
  const StronglyConnectedComponents components =
      computeStronglyConnectedComponents(Graph::fromArcs(n, std::move(arcs), {}, "ring"));
  EXPECT_EQ(components.count, 1u);
  EXPECT_EQ(components.largest_size, n);
}

}  // namespace
}  // namespace twinlane::app
