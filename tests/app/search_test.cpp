// SPDX-License-Identifier: Apache-2.0
// PathSearch against textbook Dijkstra on many random graphs, and its behaviour when a
// checkpoint throws. Seeds are printed; TWINLANE_TEST_SEED replays one.
#include "search.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "plain_dijkstra.h"
#include "generator.h"
#include "test_support.h"

namespace twinlane::app {
namespace {

using testing::isShortestPathOfLength;
using testing::randomGraph;
using testing::testSeed;

void expectRouteMatchesReference(PathSearch& search, const Graph& graph, NodeId from, NodeId to,
                                 const std::vector<Distance>& reference) {
  SCOPED_TRACE(::testing::Message() << "route " << from << " -> " << to);
  const PathSearch::Route route = search.route(from, to);
  ASSERT_EQ(route.distance, reference[to]);
  if (reference[to] == kUnreachable) {
    EXPECT_TRUE(route.nodes.empty());
  } else {
    EXPECT_TRUE(isShortestPathOfLength(graph, route.nodes, from, to, route.distance));
  }
}

TEST(PathSearchTest, RoutesMatchDijkstraOnManyRandomSmallGraphs) {
  const std::uint64_t seed = testSeed();
  std::cout << "seed " << seed << " (set TWINLANE_TEST_SEED to replay)\n";
  std::mt19937_64 random(seed);
  int pairs = 0;
  int unreachable = 0;
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", graph " << round);
    const Graph graph = randomGraph(random, round % 2 == 0 ? 8 : 40);
    PathSearch search(graph);
    for (int query = 0; query < 4; ++query) {
      const auto from = static_cast<NodeId>(random() % graph.nodeCount());
      const NodeId to = query == 0 ? from : static_cast<NodeId>(random() % graph.nodeCount());
      const std::vector<Distance> reference = plainDijkstra(graph, from);
      expectRouteMatchesReference(search, graph, from, to, reference);
      if (::testing::Test::HasFatalFailure()) return;
      ++pairs;
      unreachable += reference[to] == kUnreachable;
    }
  }
  std::cout << pairs << " pairs, " << unreachable << " unreachable\n";
  EXPECT_GT(unreachable, 50);
}

TEST(PathSearchTest, RoutesMatchDijkstraWithAStraightLineHeuristic) {
  const std::uint64_t seed = testSeed() + 3;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  int pairs = 0;
  for (int round = 0; round < 300; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", graph " << round);
    // Weights in metres, and in decimetres, where the heuristic scale is about 10.
    const Weight unit = round % 3 == 0 ? 10 : 1;
    const Graph graph = testing::randomGeometricGraph(random, round % 2 == 0 ? 10 : 60, unit);
    if (graph.arcCount() > 0) {
      ASSERT_GE(graph.lowerBoundScale(), 0.99 * unit);
    }
    PathSearch search(graph);
    for (int query = 0; query < 4; ++query) {
      const auto from = static_cast<NodeId>(random() % graph.nodeCount());
      const auto to = static_cast<NodeId>(random() % graph.nodeCount());
      expectRouteMatchesReference(search, graph, from, to, plainDijkstra(graph, from));
      if (::testing::Test::HasFatalFailure()) return;
      ++pairs;
    }
  }
  std::cout << pairs << " pairs\n";
}

TEST(PathSearchTest, RoutesMatchDijkstraOnAGeneratedRoadGraph) {
  const std::uint64_t seed = testSeed() + 4;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  GeneratorOptions options;
  options.nodes = 5'000;
  options.seed = seed;
  const Graph graph = generateRoadGraph(options);
  ASSERT_GT(graph.lowerBoundScale(), 0.99);
  PathSearch search(graph);
  for (int query = 0; query < 200; ++query) {
    const auto from = static_cast<NodeId>(random() % graph.nodeCount());
    const auto to = static_cast<NodeId>(random() % graph.nodeCount());
    expectRouteMatchesReference(search, graph, from, to, plainDijkstra(graph, from, to));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(PathSearchTest, OneSearchObjectServesManyQueriesOnALargerGraph) {
  const std::uint64_t seed = testSeed() + 1;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  std::vector<Arc> arcs;
  const NodeId n = 3000;
  for (int i = 0; i < 7000; ++i) {
    arcs.push_back({static_cast<NodeId>(random() % n), static_cast<NodeId>(random() % n),
                    static_cast<Weight>(random() % 100)});
  }
  const Graph sparse = Graph::fromArcs(n, std::move(arcs), {}, "sparse");
  PathSearch search(sparse);
  for (int query = 0; query < 300; ++query) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", query " << query);
    const auto from = static_cast<NodeId>(random() % n);
    const auto to = static_cast<NodeId>(random() % n);
    expectRouteMatchesReference(search, sparse, from, to, plainDijkstra(sparse, from));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(PathSearchTest, DistancesMatchDijkstraOnManyRandomSmallGraphs) {
  const std::uint64_t seed = testSeed() + 2;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  for (int round = 0; round < 400; ++round) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed << ", graph " << round);
    const Graph graph = randomGraph(random, 40);
    PathSearch search(graph);
    for (int query = 0; query < 3; ++query) {
      const auto source = static_cast<NodeId>(random() % graph.nodeCount());
      std::vector<NodeId> targets;
      const std::size_t count = random() % 6;
      for (std::size_t i = 0; i < count; ++i) targets.push_back(static_cast<NodeId>(random() % graph.nodeCount()));
      if (count > 0) targets.push_back(targets.front());  // duplicates are allowed
      if (random() % 4 == 0) targets.push_back(source);
      const std::vector<Distance> reference = plainDijkstra(graph, source);
      const std::vector<Distance> got = search.distances(source, targets);
      ASSERT_EQ(got.size(), targets.size());
      for (std::size_t i = 0; i < targets.size(); ++i) {
        ASSERT_EQ(got[i], reference[targets[i]]) << "source " << source << " target " << targets[i];
      }
      // Interleave routes, so both kinds of query share the stamps.
      const auto to = static_cast<NodeId>(random() % graph.nodeCount());
      expectRouteMatchesReference(search, graph, source, to, reference);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
}

TEST(PathSearchTest, FromEqualsToIsZeroAndSingleNode) {
  const Graph graph = Graph::fromArcs(2, {{0, 1, 4}}, {}, "g");
  PathSearch search(graph);
  const PathSearch::Route route = search.route(1, 1);
  EXPECT_EQ(route.distance, 0u);
  EXPECT_EQ(route.nodes, std::vector<NodeId>{1});
  const PathSearch::Route back = search.route(1, 0);
  EXPECT_EQ(back.distance, kUnreachable);
  EXPECT_TRUE(back.nodes.empty());
  const NodeId none[] = {0};
  EXPECT_EQ(search.distances(1, none), std::vector<Distance>{kUnreachable});
  EXPECT_TRUE(search.distances(0, {}).empty());
}

TEST(PathSearchTest, RejectsNodeIdsOutsideTheGraph) {
  const Graph graph = Graph::fromArcs(2, {{0, 1, 4}}, {}, "g");
  PathSearch search(graph);
  EXPECT_THROW(search.route(0, 2), std::out_of_range);
  EXPECT_THROW(search.route(2, 0), std::out_of_range);
  const NodeId bad[] = {0, 5};
  EXPECT_THROW(search.distances(0, bad), std::out_of_range);
}

struct DeadlinePassed : std::runtime_error {
  DeadlinePassed() : std::runtime_error("deadline") {}
};

class PathSearchCheckpointTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GeneratorOptions options;
    options.nodes = 40'000;
    graph_ = new Graph(generateRoadGraph(options));
  }
  static void TearDownTestSuite() {
    delete graph_;
    graph_ = nullptr;
  }
  // Corners of the grid, far enough apart for many checkpoint intervals.
  NodeId first() const { return 0; }
  NodeId last() const { return graph_->nodeCount() - 1; }

  static Graph* graph_;
};
Graph* PathSearchCheckpointTest::graph_ = nullptr;

TEST_F(PathSearchCheckpointTest, IsCalledPeriodicallyDuringLongSearches) {
  PathSearch search(*graph_);
  int calls = 0;
  const PathSearch::Route route = search.route(first(), last(), [&] { ++calls; });
  EXPECT_EQ(calls, static_cast<int>(search.settledNodes() / PathSearch::kCheckpointInterval));
  EXPECT_GE(calls, 2);
  EXPECT_NE(route.distance, kUnreachable);
}

TEST_F(PathSearchCheckpointTest, ThrowingCheckpointPropagatesAndLeavesTheSearchReusable) {
  PathSearch search(*graph_);
  int calls = 0;
  const Checkpoint throw_on_second = [&] {
    if (++calls == 2) throw DeadlinePassed();
  };
  EXPECT_THROW(search.route(first(), last(), throw_on_second), DeadlinePassed);
  EXPECT_EQ(calls, 2);

  const NodeId middle = graph_->nodeCount() / 2;
  const std::vector<Distance> reference = plainDijkstra(*graph_, middle);
  expectRouteMatchesReference(search, *graph_, middle, last(), reference);
  expectRouteMatchesReference(search, *graph_, middle, first(), reference);

  calls = 0;
  const NodeId targets[] = {last(), first()};
  EXPECT_THROW(search.distances(middle, targets, throw_on_second), DeadlinePassed);
  EXPECT_EQ(search.distances(middle, targets),
            (std::vector<Distance>{reference[last()], reference[first()]}));
}

}  // namespace
}  // namespace twinlane::app
