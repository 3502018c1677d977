// SPDX-License-Identifier: Apache-2.0
// generateRoadGraph: deterministic, the requested size, strongly connected, with coordinates and
// both road metrics, lengths never below the great-circle length of an arc, and shaped like real
// roads (Rhein-Neckar: 1.86 arcs per node, 80% of the nodes of degree 2, some one-way arcs).
#include "generator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <set>

#include "graph_components.h"
#include "graph_geometry.h"
#include "graph_statistics.h"

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

TEST(GeneratorTest, IsTheRequestedSizeStronglyConnectedAndHasCoordinates) {
  for (const NodeId nodes : {2'000u, 50'000u}) {
    SCOPED_TRACE(nodes);
    const auto start = std::chrono::steady_clock::now();
    const Graph graph = generateRoadGraph(withNodes(nodes));
    std::cout << "generated " << graph.nodeCount() << " nodes, " << graph.arcCount() << " arcs in "
              << std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count()
              << " ms\n";
    EXPECT_GE(graph.nodeCount(), nodes * 9 / 10);
    EXPECT_LE(graph.nodeCount(), nodes * 11 / 10);
    EXPECT_TRUE(graph.hasCoordinates());
    EXPECT_EQ(computeStronglyConnectedComponents(graph).count, 1u);
  }
}

TEST(GeneratorTest, IsShapedLikeRealRoads) {
  const Graph graph = generateRoadGraph(withNodes(60'000, 3));
  const GraphStatistics statistics = computeGraphStatistics(graph);
  std::cout << "arcs/node " << statistics.arcs_per_node << ", degree 1..5+:";
  for (unsigned degree = 1; degree <= 5; ++degree) std::cout << " " << statistics.degreeShare(degree);
  std::cout << ", one-way arcs " << statistics.one_way_arcs << "\n";
  // A perturbed grid has about 3.5 arcs per node and hardly any nodes of degree 2.
  EXPECT_GT(statistics.arcs_per_node, 1.6);
  EXPECT_LT(statistics.arcs_per_node, 2.2);
  EXPECT_GT(statistics.degreeShare(2), 0.65) << "roads are chains of shape points";
  EXPECT_LT(statistics.degreeShare(2), 0.9);
  EXPECT_GT(statistics.degreeShare(3), statistics.degreeShare(4)) << "T-junctions outnumber crossings";
  EXPECT_GT(statistics.degreeShare(1), 0.005) << "dead ends";
  EXPECT_GT(statistics.one_way_arcs, statistics.arcs / 20) << "one-way streets and carriageways";
  EXPECT_LT(statistics.one_way_arcs, statistics.arcs / 3);
  // Arcs between shape points are tens of metres, as on real roads (Rhein-Neckar's median: 19 m).
  ASSERT_TRUE(statistics.median_length_m.has_value());
  EXPECT_GE(*statistics.median_length_m, 8u);
  EXPECT_LE(*statistics.median_length_m, 50u);
}

TEST(GeneratorTest, ArcsCarryLengthAndTravelTimeWeighedByLength) {
  const Graph graph = generateRoadGraph(withNodes(60'000, 7));  // big enough for motorways
  ASSERT_TRUE(graph.hasLengths());
  ASSERT_TRUE(graph.hasDurations());
  EXPECT_EQ(graph.metric(), Metric::kLengthMeters);
  std::set<std::uint32_t> kmh_seen;  // class speeds consistent with an arc's rounded-up duration
  for (NodeId tail = 0; tail < graph.nodeCount(); ++tail) {
    const Coordinate a = graph.coordinate(tail);
    for (ArcId arc = graph.firstOut(tail); arc < graph.endOut(tail); ++arc) {
      const Coordinate b = graph.coordinate(graph.head(arc));
      const double length = haversineMeters(a.lon(), a.lat(), b.lon(), b.lat());
      ASSERT_GE(graph.weight(arc), 1u);
      ASSERT_EQ(graph.weight(arc), graph.lengthMeters(arc)) << "arc " << arc;
      ASSERT_GE(static_cast<double>(graph.weight(arc)), length) << "arc " << arc;
      ASSERT_LT(static_cast<double>(graph.weight(arc)), length + 1) << "arc " << arc;
      ASSERT_GE(graph.durationDeciseconds(arc), 1u);
      const double kmh = 3.6 * graph.lengthMeters(arc) / (graph.durationDeciseconds(arc) / 10.0);
      ASSERT_LE(kmh, 130) << "arc " << arc;
      const double kmh_if_one_less = 3.6 * graph.lengthMeters(arc) / ((graph.durationDeciseconds(arc) - 1) / 10.0);
      for (const std::uint32_t speed : {30u, 50u, 120u}) {
        if (kmh <= speed && speed < kmh_if_one_less) kmh_seen.insert(speed);
      }
    }
  }
  EXPECT_GE(graph.lowerBoundScale(), 0.99);
  EXPECT_TRUE(kmh_seen.count(30) && kmh_seen.count(50) && kmh_seen.count(120))
      << "local streets, arterials and motorways; seen: " << ::testing::PrintToString(kmh_seen);
}

TEST(GeneratorTest, RejectsTooFewNodesAndImpossibleOptions) {
  EXPECT_THROW(generateRoadGraph(withNodes(3)), std::invalid_argument);
  GeneratorOptions options;
  options.block_m = 0;
  EXPECT_THROW(generateRoadGraph(options), std::invalid_argument);
  options = {};
  options.one_way_permille = 1001;
  EXPECT_THROW(generateRoadGraph(options), std::invalid_argument);
}

TEST(GeneratorTest, TinyRequestsStillMakeAStronglyConnectedGraph) {
  for (const NodeId nodes : {4u, 50u, 300u}) {
    const Graph graph = generateRoadGraph(withNodes(nodes));
    EXPECT_GE(graph.nodeCount(), 2u) << nodes;
    EXPECT_EQ(computeStronglyConnectedComponents(graph).count, 1u) << nodes;
  }
}

}  // namespace
}  // namespace twinlane::app
