// SPDX-License-Identifier: Apache-2.0
// Real data: the Rhein-Neckar road graph (158,558 nodes) from ../shared/data. Checks routes,
// distances and nearest-node answers against plain Dijkstra and brute force, and prints load
// and route times (the product's hot path) next to Boost.Graph's early-exit Dijkstra.
// Skips, saying why, when the data or `xz` is absent (a fresh clone has no ../shared).
#include <gtest/gtest.h>

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <unistd.h>

#include "plain_dijkstra.h"
#include "ch_builder.h"
#include "ch_search.h"
#include "dimacs.h"
#include "graph_components.h"
#include "graph_geometry.h"
#include "nearest.h"
#include "search.h"
#include "test_support.h"

#ifndef TWINLANE_SHARED_DATA_DIR
#error "tests/app/CMakeLists.txt defines TWINLANE_SHARED_DATA_DIR"
#endif

namespace twinlane::app {
namespace {

using Clock = std::chrono::steady_clock;

double millisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

class RheinNeckarTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::filesystem::path data = TWINLANE_SHARED_DATA_DIR;
    const std::filesystem::path gr_xz = data / "OSM-road-d.rhein-neckar.gr.xz";
    const std::filesystem::path co_xz = data / "OSM-road-d.rhein-neckar.co.xz";
    for (const auto& file : {gr_xz, co_xz}) {
      if (!std::filesystem::exists(file)) {
        skip_reason_ = new std::string("Rhein-Neckar data absent: " + file.string());
        return;
      }
    }
    if (!testing::xzOnPath()) {
      skip_reason_ = new std::string("xz absent: install xz-utils to decompress " + gr_xz.string());
      return;
    }
    dir_ = new testing::TempDir();
    const std::string gr = dir_->file("rhein-neckar.gr");
    const std::string co = dir_->file("rhein-neckar.co");
    for (const auto& [from, to] : {std::pair{gr_xz.string(), gr}, std::pair{co_xz.string(), co}}) {
      const std::string command = "xz -dc '" + from + "' > '" + to + "'";
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
    const auto start = Clock::now();
    graph_ = new Graph(readDimacs(gr, co));
    std::cout << "loaded " << graph_->nodeCount() << " nodes, " << graph_->arcCount()
              << " arcs with coordinates in " << millisecondsSince(start) << " ms\n";
    const auto contract_start = Clock::now();
    hierarchy_ = new ContractionHierarchy(buildContractionHierarchy(*graph_));
    std::cout << "contraction hierarchy: " << hierarchy_->arcCount() << " arcs in " << millisecondsSince(contract_start)
              << " ms (this build's flags; bench/ times Release)\n";
  }
  static void TearDownTestSuite() {
    delete hierarchy_;
    hierarchy_ = nullptr;
    delete graph_;
    delete dir_;
    delete skip_reason_;
    graph_ = nullptr;
    dir_ = nullptr;
    skip_reason_ = nullptr;
  }
  void SetUp() override {
    if (skip_reason_ != nullptr) GTEST_SKIP() << *skip_reason_;
    ASSERT_NE(graph_, nullptr);
  }

  static std::vector<std::pair<NodeId, NodeId>> randomPairs(std::uint64_t seed, int count) {
    std::mt19937_64 random(seed);
    std::vector<std::pair<NodeId, NodeId>> pairs;
    for (int i = 0; i < count; ++i) {
      pairs.emplace_back(static_cast<NodeId>(random() % graph_->nodeCount()),
                         static_cast<NodeId>(random() % graph_->nodeCount()));
    }
    return pairs;
  }

  static Graph* graph_;
  static ContractionHierarchy* hierarchy_;
  static testing::TempDir* dir_;
  static std::string* skip_reason_;
};
Graph* RheinNeckarTest::graph_ = nullptr;
ContractionHierarchy* RheinNeckarTest::hierarchy_ = nullptr;
testing::TempDir* RheinNeckarTest::dir_ = nullptr;
std::string* RheinNeckarTest::skip_reason_ = nullptr;

TEST_F(RheinNeckarTest, HasTheDocumentedShape) {
  EXPECT_EQ(graph_->nodeCount(), 158'558u);
  EXPECT_EQ(graph_->arcCount(), 295'254u);
  EXPECT_TRUE(graph_->hasCoordinates());
  EXPECT_EQ(computeStronglyConnectedComponents(*graph_).count, 1u);
  // Weights are great-circle lengths rounded up, computed before the coordinates were rounded
  // to microdegrees, so straight-line distance is almost, not quite, a lower bound.
  EXPECT_GT(graph_->lowerBoundScale(), 0.9);
  EXPECT_LE(graph_->lowerBoundScale(), 1.0);
}

TEST_F(RheinNeckarTest, HundredRandomRoutesMatchPlainDijkstra) {
  const std::uint64_t seed = testing::testSeed() + 100;
  std::cout << "seed " << seed << "\n";
  PathSearch search(*graph_);
  std::vector<double> ours_ms;
  std::vector<double> plain_ms;
  std::size_t settled = 0;
  for (const auto& [from, to] : randomPairs(seed, 100)) {
    SCOPED_TRACE(::testing::Message() << "route " << from << " -> " << to);
    auto start = Clock::now();
    const PathSearch::Route route = search.route(from, to);
    ours_ms.push_back(millisecondsSince(start));
    settled += search.settledNodes();
    start = Clock::now();
    const Distance expected = plainDistance(*graph_, from, to);
    plain_ms.push_back(millisecondsSince(start));
    ASSERT_EQ(route.distance, expected);
    ASSERT_TRUE(testing::isShortestPathOfLength(*graph_, route.nodes, from, to, route.distance));
  }
  std::cout << "median route: bidirectional " << median(ours_ms) << " ms, plain early-exit Dijkstra "
            << median(plain_ms) << " ms (x" << median(plain_ms) / median(ours_ms) << "); "
            << settled / 100 << " nodes settled on average\n";
}

TEST_F(RheinNeckarTest, ContractionHierarchyRoutesAndPathsMatchPlainDijkstra) {
  const std::uint64_t seed = testing::testSeed() + 100;  // the pairs of the test above
  std::cout << "seed " << seed << "\n";
  ASSERT_NO_THROW(validateHierarchy(*hierarchy_, *graph_));
  ChSearch search(*graph_, *hierarchy_);
  for (const auto& [from, to] : randomPairs(seed, 300)) {
    SCOPED_TRACE(::testing::Message() << "route " << from << " -> " << to);
    const ChSearch::Route route = search.route(from, to);
    ASSERT_EQ(route.distance, plainDistance(*graph_, from, to));
    ASSERT_TRUE(testing::isShortestPathOfLength(*graph_, route.nodes, from, to, route.distance));
    Distance along = 0;
    for (std::size_t i = 0; i < route.arcs.size(); ++i) {
      ASSERT_EQ(graph_->head(route.arcs[i]), route.nodes[i + 1]);
      along += graph_->weight(route.arcs[i]);
    }
    ASSERT_EQ(along, route.distance);
  }
}

TEST_F(RheinNeckarTest, ContractionHierarchyMatricesMatchPlainDijkstra) {
  std::mt19937_64 random(testing::testSeed() + 102);
  ChSearch search(*graph_, *hierarchy_);
  std::vector<NodeId> sources(12), targets(40);
  for (NodeId& node : sources) node = static_cast<NodeId>(random() % graph_->nodeCount());
  for (NodeId& node : targets) node = static_cast<NodeId>(random() % graph_->nodeCount());
  const ChSearch::Matrix matrix = search.matrix(sources, targets);
  for (std::size_t row = 0; row < sources.size(); ++row) {
    const std::vector<Distance> reference = plainDijkstra(*graph_, sources[row]);
    for (std::size_t column = 0; column < targets.size(); ++column) {
      ASSERT_EQ(matrix.distance(row, column), reference[targets[column]]) << sources[row] << " -> " << targets[column];
    }
  }
}

TEST_F(RheinNeckarTest, DistancesToManyTargetsMatchPlainDijkstra) {
  std::mt19937_64 random(testing::testSeed() + 101);
  PathSearch search(*graph_);
  for (int round = 0; round < 5; ++round) {
    const auto source = static_cast<NodeId>(random() % graph_->nodeCount());
    std::vector<NodeId> targets;
    for (int i = 0; i < 50; ++i) targets.push_back(static_cast<NodeId>(random() % graph_->nodeCount()));
    const std::vector<Distance> reference = plainDijkstra(*graph_, source);
    const std::vector<Distance> got = search.distances(source, targets);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      ASSERT_EQ(got[i], reference[targets[i]]) << "source " << source << " target " << targets[i];
    }
  }
}

TEST_F(RheinNeckarTest, NearestMatchesBruteForce) {
  std::mt19937_64 random(testing::testSeed() + 102);
  const auto start = Clock::now();
  const NearestIndex index(*graph_);
  std::cout << "nearest index built in " << millisecondsSince(start) << " ms\n";
  for (int query = 0; query < 200; ++query) {
    const Coordinate near = graph_->coordinate(static_cast<NodeId>(random() % graph_->nodeCount()));
    const double lon = near.lon() + (static_cast<double>(random() % 20'001) - 10'000) / 1e6;
    const double lat = near.lat() + (static_cast<double>(random() % 20'001) - 10'000) / 1e6;
    const auto hit = index.nearest(lon, lat);
    ASSERT_TRUE(hit.has_value());
    double best = std::numeric_limits<double>::infinity();
    NodeId best_node = kInvalidNode;
    for (NodeId node = 0; node < graph_->nodeCount(); ++node) {
      const Coordinate c = graph_->coordinate(node);
      const double metres = haversineMeters(lon, lat, c.lon(), c.lat());
      if (metres < best) {
        best = metres;
        best_node = node;
      }
    }
    ASSERT_EQ(hit->node, best_node);
    ASSERT_EQ(hit->distance_m, best);
  }
}

// The baseline of the performance target: Boost.Graph's Dijkstra on its CSR graph, stopped
// (by the usual exception from a visitor) when the target is examined.
TEST_F(RheinNeckarTest, PrintsSpeedAgainstBoostGraphEarlyExitDijkstra) {
  struct ArcWeight {
    Weight weight;
  };
  using BoostGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property,
                                                        ArcWeight>;
  std::vector<std::pair<NodeId, NodeId>> edges;
  std::vector<ArcWeight> weights;
  for (NodeId tail = 0; tail < graph_->nodeCount(); ++tail) {
    for (ArcId arc = graph_->firstOut(tail); arc < graph_->endOut(tail); ++arc) {
      edges.emplace_back(tail, graph_->head(arc));
      weights.push_back({graph_->weight(arc)});
    }
  }
  const BoostGraph boost_graph(boost::edges_are_sorted, edges.begin(), edges.end(),
                               weights.begin(), graph_->nodeCount());
  struct TargetReached {};
  struct StopAtTarget : boost::default_dijkstra_visitor {
    NodeId target;
    void examine_vertex(std::size_t vertex, const BoostGraph&) const {
      if (vertex == target) throw TargetReached{};
    }
  };
  std::vector<Distance> boost_distance(graph_->nodeCount());
  std::vector<std::size_t> boost_parent(graph_->nodeCount());

  PathSearch search(*graph_);
  std::vector<double> ours_ms;
  std::vector<double> boost_ms;
  for (const auto& [from, to] : randomPairs(testing::testSeed() + 103, 200)) {
    auto start = Clock::now();
    const Distance ours = search.route(from, to).distance;
    ours_ms.push_back(millisecondsSince(start));

    start = Clock::now();
    StopAtTarget visitor;
    visitor.target = to;
    try {
      boost::dijkstra_shortest_paths(
          boost_graph, from,
          boost::weight_map(boost::get(&ArcWeight::weight, boost_graph))
              .distance_map(boost::make_iterator_property_map(
                  boost_distance.begin(), boost::get(boost::vertex_index, boost_graph)))
              .predecessor_map(boost::make_iterator_property_map(
                  boost_parent.begin(), boost::get(boost::vertex_index, boost_graph)))
              .distance_inf(kUnreachable)
              .visitor(visitor));
    } catch (const TargetReached&) {
    }
    boost_ms.push_back(millisecondsSince(start));
    ASSERT_EQ(ours, boost_distance[to]) << from << " -> " << to;
  }
  std::cout << "median route over 200 pairs: twinlane " << median(ours_ms)
            << " ms, Boost.Graph early-exit Dijkstra " << median(boost_ms) << " ms (x"
            << median(boost_ms) / median(ours_ms) << ")\n";
}

}  // namespace
}  // namespace twinlane::app
