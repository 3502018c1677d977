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
