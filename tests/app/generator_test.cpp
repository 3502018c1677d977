// SPDX-License-Identifier: Apache-2.0
// generateRoadGraph: deterministic, about the requested size, strongly connected, with
// coordinates, and weights never below the great-circle length of an arc.
#include "generator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "graph_components.h"
#include "graph_geometry.h"

namespace twinlane::app {
namespace {

GeneratorOptions withNodes(NodeId nodes, std::uint64_t seed = 1) {
  GeneratorOptions options;
  options.nodes = nodes;
  options.seed = seed;
  return options;
}

TEST(GeneratorTest, SameOptionsGiveTheSameGraph) {
  const Graph a = generateRoadGraph(withNodes(30'000));
  const Graph b = generateRoadGraph(withNodes(30'000));
  EXPECT_EQ(a.checksum(), b.checksum());
  EXPECT_NE(a.checksum(), generateRoadGraph(withNodes(30'000, 2)).checksum());
  EXPECT_EQ(a.source(), "generated:nodes=30000,seed=1");
}

TEST(GeneratorTest, IsRoughlyTheRequestedSizeStronglyConnectedAndHasCoordinates) {
  const auto start = std::chrono::steady_clock::now();
  const Graph graph = generateRoadGraph(withNodes(50'000));
  std::cout << "generated " << graph.nodeCount() << " nodes, " << graph.arcCount() << " arcs in "
            << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
            << " ms\n";
  EXPECT_GE(graph.nodeCount(), 45'000u);
  EXPECT_LE(graph.nodeCount(), 50'000u);
  EXPECT_GT(graph.arcCount(), 3 * graph.nodeCount());  // mostly two-way streets on a grid
  EXPECT_TRUE(graph.hasCoordinates());
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(graph);
  EXPECT_EQ(components.count, 1u);
}

TEST(GeneratorTest, WeightsAreAtLeastTheGreatCircleLengthAndPositive) {
  const Graph graph = generateRoadGraph(withNodes(20'000, 7));
  std::size_t one_way = 0;
  std::size_t long_arcs = 0;
  for (NodeId tail = 0; tail < graph.nodeCount(); ++tail) {
    const Coordinate a = graph.coordinate(tail);
    for (ArcId arc = graph.firstOut(tail); arc < graph.endOut(tail); ++arc) {
      const Coordinate b = graph.coordinate(graph.head(arc));
      const double length = haversineMeters(a.lon(), a.lat(), b.lon(), b.lat());
      ASSERT_GE(graph.weight(arc), 1u);
      ASSERT_GE(static_cast<double>(graph.weight(arc)), length) << "arc " << arc;
      long_arcs += length > 500;  // highway arcs skip several 120 m blocks
      bool has_reverse = false;
      for (ArcId back = graph.firstOut(graph.head(arc)); back < graph.endOut(graph.head(arc)); ++back) {
        has_reverse |= graph.head(back) == tail;
      }
      one_way += !has_reverse;
    }
  }
  EXPECT_GT(one_way, 0u);
  EXPECT_LT(one_way, graph.arcCount() / 4);
  EXPECT_GT(long_arcs, 20u);
}

TEST(GeneratorTest, RejectsTooFewNodes) {
  EXPECT_THROW(generateRoadGraph(withNodes(3)), std::invalid_argument);
}

}  // namespace
}  // namespace twinlane::app
