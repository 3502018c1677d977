// SPDX-License-Identifier: Apache-2.0
// The contraction hierarchy against textbook Dijkstra: distances, unpacked paths and matrices on
// many random graphs (unreachable pairs, zero weights, parallel arcs, self loops, one-way arcs),
// and validation that refuses a damaged hierarchy. Seeds are printed; TWINLANE_TEST_SEED replays.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "ch_builder.h"
#include "ch_search.h"
#include "generator.h"
#include "plain_dijkstra.h"
#include "test_support.h"

namespace twinlane::app {
namespace {

using testing::randomGraph;
using testing::testSeed;

// The arcs run from `from` to `to`, each starting where the previous one ended, and weigh
// `distance` together; `nodes` are their ends.
::testing::AssertionResult isPathOfArcs(const Graph& graph, const ChSearch::Route& route, NodeId from, NodeId to) {
  if (route.nodes.size() != route.arcs.size() + 1) {
    return ::testing::AssertionFailure() << route.nodes.size() << " nodes for " << route.arcs.size() << " arcs";
  }
  if (route.nodes.front() != from || route.nodes.back() != to) {
    return ::testing::AssertionFailure() << "path runs " << route.nodes.front() << " -> " << route.nodes.back();
  }
  Distance sum = 0;
  for (std::size_t i = 0; i < route.arcs.size(); ++i) {
    const ArcId arc = route.arcs[i];
    if (arc < graph.firstOut(route.nodes[i]) || arc >= graph.endOut(route.nodes[i]) ||
        graph.head(arc) != route.nodes[i + 1]) {
      return ::testing::AssertionFailure() << "arc " << arc << " does not join " << route.nodes[i] << " -> "
                                           << route.nodes[i + 1];
    }
    sum += graph.weight(arc);
  }
  if (sum != route.distance) {
    return ::testing::AssertionFailure() << "arcs weigh " << sum << ", distance says " << route.distance;
  }
  return ::testing::AssertionSuccess();
}

TEST(ContractionHierarchyTest, RoutesAndPathsMatchDijkstraOnManyRandomGraphs) {
  const std::uint64_t seed = testSeed() + 10;
  std::cout << "seed " << seed << " (set TWINLANE_TEST_SEED to replay)\n";
  std::mt19937_64 random(seed);
  int pairs = 0;
  int unreachable = 0;
  for (int round = 0; round < 600; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", graph " << round);
    const Graph graph = randomGraph(random, round % 3 == 0 ? 8 : 60);
    const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
    ASSERT_NO_THROW(validateHierarchy(hierarchy, graph));
    ChSearch search(graph, hierarchy);
    for (int query = 0; query < 4; ++query) {
      const auto from = static_cast<NodeId>(random() % graph.nodeCount());
      const NodeId to = query == 0 ? from : static_cast<NodeId>(random() % graph.nodeCount());
      SCOPED_TRACE(::testing::Message() << "route " << from << " -> " << to);
      const Distance expected = plainDijkstra(graph, from)[to];
      const ChSearch::Route route = search.route(from, to);
      ASSERT_EQ(route.distance, expected);
      if (expected == kUnreachable) {
        EXPECT_TRUE(route.nodes.empty());
      } else {
        ASSERT_TRUE(isPathOfArcs(graph, route, from, to));
      }
      EXPECT_EQ(search.route(from, to, false).distance, expected);
      ++pairs;
      unreachable += expected == kUnreachable;
    }
  }
  std::cout << pairs << " pairs, " << unreachable << " unreachable\n";
  EXPECT_GE(pairs, 1000);
  EXPECT_GT(unreachable, 50);
}

TEST(ContractionHierarchyTest, MatricesMatchOneToManyDijkstra) {
  const std::uint64_t seed = testSeed() + 11;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", graph " << round);
    const Graph graph = randomGraph(random, round % 2 == 0 ? 10 : 80);
    const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
    ChSearch search(graph, hierarchy);
    std::vector<NodeId> sources(1 + random() % 6);
    std::vector<NodeId> targets(1 + random() % 6);
    for (NodeId& node : sources) node = static_cast<NodeId>(random() % graph.nodeCount());
    for (NodeId& node : targets) node = static_cast<NodeId>(random() % graph.nodeCount());
    targets.push_back(targets.front());  // a duplicate
    const ChSearch::Matrix matrix = search.matrix(sources, targets);
    for (std::size_t row = 0; row < sources.size(); ++row) {
      const std::vector<Distance> reference = plainDijkstra(graph, sources[row]);
      for (std::size_t column = 0; column < targets.size(); ++column) {
        ASSERT_EQ(matrix.distance(row, column), reference[targets[column]])
            << "cell " << row << ", " << column << ": " << sources[row] << " -> " << targets[column];
      }
    }
  }
}

// A road graph weighed in metres whose durations are not proportional to the lengths, with
// weights spread widely so that shortest routes are unique.
Graph randomRoadGraph(std::mt19937_64& random, NodeId n) {
  std::vector<RoadArc> arcs;
  for (NodeId node = 0; node < n; ++node) {
    for (int k = 0; k < 3; ++k) {
      arcs.push_back({node, static_cast<NodeId>(random() % n), static_cast<std::uint32_t>(1 + random() % 1'000'000),
                      static_cast<std::uint32_t>(1 + random() % 10'000)});
    }
  }
  return Graph::fromRoads(n, std::move(arcs), {}, {}, Metric::kLengthMeters, "random-roads");
}

TEST(ContractionHierarchyTest, MatricesCarryTheOtherMetricOfTheRoutesTheyChose) {
  std::mt19937_64 random(testSeed() + 12);
  for (int round = 0; round < 30; ++round) {
    const Graph graph = randomRoadGraph(random, 50);
    const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
    ASSERT_EQ(hierarchy.otherMetric(), Metric::kDurationDeciseconds);
    ASSERT_NO_THROW(validateHierarchy(hierarchy, graph));
    ChSearch search(graph, hierarchy);
    const std::vector<NodeId> sources = {0, 7, 21};
    const std::vector<NodeId> targets = {3, 0, 44, 12};
    const ChSearch::Matrix matrix = search.matrix(sources, targets, true);
    for (std::size_t row = 0; row < sources.size(); ++row) {
      for (std::size_t column = 0; column < targets.size(); ++column) {
        const ChSearch::Route route = search.route(sources[row], targets[column]);
        ASSERT_EQ(matrix.distance(row, column), route.distance);
        std::uint64_t deciseconds = 0;
        for (const ArcId arc : route.arcs) deciseconds += graph.durationDeciseconds(arc);
        EXPECT_EQ(matrix.other[row * matrix.columns + column], deciseconds) << sources[row] << " -> " << targets[column];
      }
    }
  }
}

TEST(ContractionHierarchyTest, RoutesOnTheGeneratedRoadNetworkMatchDijkstra) {
  GeneratorOptions options;
  options.nodes = 20'000;
  const Graph graph = generateRoadGraph(options);
  const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
  ASSERT_NO_THROW(validateHierarchy(hierarchy, graph));
  ChSearch search(graph, hierarchy);
  std::mt19937_64 random(testSeed() + 13);
  for (int query = 0; query < 100; ++query) {
    const auto from = static_cast<NodeId>(random() % graph.nodeCount());
    const auto to = static_cast<NodeId>(random() % graph.nodeCount());
    const ChSearch::Route route = search.route(from, to);
    ASSERT_EQ(route.distance, plainDistance(graph, from, to)) << from << " -> " << to;
    ASSERT_TRUE(isPathOfArcs(graph, route, from, to));
  }
}

TEST(ContractionHierarchyTest, ASearchCutShortByItsCheckpointLeavesTheNextOneCorrect) {
  GeneratorOptions options;
  options.nodes = 20'000;
  const Graph graph = generateRoadGraph(options);
  const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
  ChSearch search(graph, hierarchy);
  const std::vector<NodeId> everyone = [&] {
    std::vector<NodeId> nodes;
    for (NodeId node = 0; node < graph.nodeCount(); node += 97) nodes.push_back(node);
    return nodes;
  }();
  EXPECT_THROW(search.matrix(everyone, everyone, false, [] { throw std::runtime_error("deadline"); }),
               std::runtime_error);
  const NodeId to = graph.nodeCount() - 1;
  EXPECT_EQ(search.route(0, to).distance, plainDistance(graph, 0, to));
}

TEST(ContractionHierarchyTest, ValidationRefusesADamagedHierarchy) {
  std::mt19937_64 random(testSeed() + 14);
  const Graph graph = randomRoadGraph(random, 40);
  const ContractionHierarchy built = buildContractionHierarchy(graph);
  const auto damaged = [&](auto&& damage) {
    auto storage = std::make_shared<ChStorage>();
    const ChArrays& a = built.arrays();
    storage->rank.assign(a.rank.begin(), a.rank.end());
    storage->order.assign(a.order.begin(), a.order.end());
    storage->up_first.assign(a.up.first.begin(), a.up.first.end());
    storage->up_other_end.assign(a.up.other_end.begin(), a.up.other_end.end());
    storage->up_weight.assign(a.up.weight.begin(), a.up.weight.end());
    storage->up_unpack.assign(a.up.unpack.begin(), a.up.unpack.end());
    storage->up_other_metric.assign(a.up.other_metric.begin(), a.up.other_metric.end());
    storage->down_first.assign(a.down.first.begin(), a.down.first.end());
    storage->down_other_end.assign(a.down.other_end.begin(), a.down.other_end.end());
    storage->down_weight.assign(a.down.weight.begin(), a.down.weight.end());
    storage->down_unpack.assign(a.down.unpack.begin(), a.down.unpack.end());
    storage->down_other_metric.assign(a.down.other_metric.begin(), a.down.other_metric.end());
    damage(*storage);
    return ContractionHierarchy::fromStorage(storage, built.otherMetric());
  };
  EXPECT_NO_THROW(validateHierarchy(damaged([](ChStorage&) {}), graph));
  const auto refused = [&](auto&& damage, const std::string& words) {
    try {
      validateHierarchy(damaged(damage), graph);
      ADD_FAILURE() << "accepted a hierarchy with " << words;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
    }
  };
  refused([](ChStorage& s) { std::swap(s.rank[0], s.rank[1]); }, "inverse permutations");
  refused([](ChStorage& s) { s.up_other_end[0] = 0; }, "does not climb");
  refused([](ChStorage& s) { ++s.up_weight[0]; }, "weigh");
  refused([](ChStorage& s) { s.down_first.back() += 1; }, "down.first");
  const auto firstShortcut = [](const std::vector<ChUnpack>& unpack) {
    for (std::size_t i = 0; i < unpack.size(); ++i) {
      if (unpack[i].isShortcut()) return i;
    }
    return unpack.size();
  };
  const std::vector<ChUnpack> up_unpack(built.arrays().up.unpack.begin(), built.arrays().up.unpack.end());
  ASSERT_LT(firstShortcut(up_unpack), up_unpack.size()) << "the test graph has no shortcut to damage";
  refused([&](ChStorage& s) { s.up_unpack[firstShortcut(s.up_unpack)].second = kGraphArc - 1; },
          "unpacks into arcs that do not exist");
  refused([&](ChStorage& s) { std::swap(s.up_unpack[firstShortcut(s.up_unpack)].first, s.up_unpack[firstShortcut(s.up_unpack)].second); },
          "shortcut");
  refused([&](ChStorage& s) { s.down_unpack[0] = {s.down_unpack[0].first + 1, kGraphArc}; }, "down arc 0");

  // A load checks bounds only: a shortcut that names itself as its child passes, and a route
  // that unpacks it ends with an error instead of looping until memory runs out.
  const ContractionHierarchy looping = damaged([&](ChStorage& s) {
    const std::size_t shortcut = firstShortcut(s.up_unpack);
    s.up_unpack[shortcut].second = static_cast<std::uint32_t>(shortcut);
  });
  EXPECT_NO_THROW(checkHierarchyBounds(looping, graph));
  EXPECT_THROW(validateHierarchy(looping, graph), std::invalid_argument);
  ChSearch search(graph, looping);
  std::size_t cut_off = 0;
  for (NodeId from = 0; from < graph.nodeCount(); ++from) {
    for (NodeId to = 0; to < graph.nodeCount(); ++to) {
      try {
        search.route(from, to, true);
      } catch (const DamagedHierarchy& error) {
        EXPECT_NE(std::string(error.what()).find("do not unpack into a path"), std::string::npos) << error.what();
        ++cut_off;
      }
    }
  }
  EXPECT_GT(cut_off, 0u) << "no route used the looping shortcut";
}

}  // namespace
}  // namespace twinlane::app
