// SPDX-License-Identifier: Apache-2.0
// bench-routes: per-query times of point-to-point routes on one graph, for five searches on the
// same random pairs, in one process, and many-to-many matrices:
//   ch     twinlane's ChSearch::route on the contraction hierarchy, distance only,
//   ch_path the same with the path unpacked to the graph's nodes,
//   ours   twinlane's PathSearch::route (bidirectional A*, per-worker scratch reset by stamps),
//   plain  textbook Dijkstra (binary heap with lazy deletion, fresh arrays per query) that stops
//          when the target is settled,
//   boost  Boost.Graph's dijkstra_shortest_paths on an adjacency_list, stopped by a visitor
//          that throws when the target is examined (what a C++ developer would otherwise write).
// Matrices: ChSearch::matrix (bucket method) for 10x10, 100x100 and 1000x1000 random sources and
// targets, whole (backward climbs, buckets and forward climbs), a few times each.
// Every distance is checked against plain Dijkstra. This is a measuring tool, not a test: it
// prints figures and exits 0 unless the graph cannot be read or a distance differs.
// --ch-only, for graphs of millions of nodes (the size sweep), leaves out plain Dijkstra and
// Boost (seconds a query there) and checks the hierarchy's distances against `ours` instead.
//
// usage: bench-routes (--graph GR [--coordinates CO] | --generate NODES) [--pairs 1000]
//                     [--seed 42] [--ch-only] --out PREFIX   (writes PREFIX.json, and PREFIX.tsv)
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/dijkstra_shortest_paths.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "dimacs.h"
#include "generator.h"
#include "graph.h"
#include "graph_components.h"
#include "plain_dijkstra.h"
#include "ch_builder.h"
#include "ch_search.h"
#include "search.h"

namespace {

using namespace twinlane::app;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string graph;
  std::string coordinates;
  NodeId generate = 0;
  std::size_t pairs = 1000;
  std::uint64_t seed = 42;
  bool ch_only = false;
  std::string out;
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "bench-routes: %s\nusage: bench-routes (--graph GR [--coordinates CO] | --generate NODES) "
               "[--pairs N] [--seed S] [--ch-only] --out PREFIX\n",
               why);
  std::exit(64);
}

Options parseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--ch-only") {
      options.ch_only = true;
      continue;
    }
    if (i + 1 >= argc) usage(("missing value after " + key).c_str());
    const std::string value = argv[++i];
    if (key == "--graph") options.graph = value;
    else if (key == "--coordinates") options.coordinates = value;
    else if (key == "--generate") options.generate = static_cast<NodeId>(std::stoul(value));
    else if (key == "--pairs") options.pairs = std::stoul(value);
    else if (key == "--seed") options.seed = std::stoull(value);
    else if (key == "--out") options.out = value;
    else usage(("unknown option " + key).c_str());
  }
  if (options.graph.empty() == (options.generate == 0)) usage("give exactly one of --graph and --generate");
  if (options.out.empty()) usage("--out is required");
  return options;
}

// Textbook Dijkstra with early exit (app/plain_dijkstra.h, the tests' oracle); it allocates its
// arrays per query, as the textbook does.
class PlainDijkstra {
 public:
  explicit PlainDijkstra(const Graph& graph) : graph_(graph) {}
  Distance distance(NodeId from, NodeId to) { return plainDistance(graph_, from, to, &settled_); }
  std::size_t settled() const { return settled_; }

 private:
  const Graph& graph_;
  std::size_t settled_ = 0;
};

// Boost.Graph as its documentation shows it: adjacency_list, dijkstra_shortest_paths with
// predecessor and distance maps, and a visitor that ends the search at the target.
class BoostDijkstra {
 public:
  using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, boost::no_property,
                                           boost::property<boost::edge_weight_t, std::uint64_t>>;
  using Vertex = boost::graph_traits<BoostGraph>::vertex_descriptor;

  explicit BoostDijkstra(const Graph& graph) : graph_(graph.nodeCount()) {
    for (NodeId node = 0; node < graph.nodeCount(); ++node) {
      for (ArcId arc = graph.firstOut(node); arc < graph.endOut(node); ++arc) {
        boost::add_edge(node, graph.head(arc), graph.weight(arc), graph_);
      }
    }
    predecessor_.resize(graph.nodeCount());
    distance_.resize(graph.nodeCount());
  }

  Distance distance(NodeId from, NodeId to) {
    try {
      boost::dijkstra_shortest_paths(graph_, from,
                                     boost::predecessor_map(predecessor_.data())
                                         .distance_map(distance_.data())
                                         .visitor(StopAt(static_cast<Vertex>(to))));
    } catch (const Found&) {
      return distance_[to];
    }
    return kUnreachable;
  }

 private:
  struct Found {};
  struct StopAt : boost::default_dijkstra_visitor {
    explicit StopAt(Vertex stop_at) : target(stop_at) {}
    Vertex target;
    void examine_vertex(Vertex vertex, const BoostGraph&) const {
      if (vertex == target) throw Found{};
    }
  };
  BoostGraph graph_;
  std::vector<Vertex> predecessor_;
  std::vector<std::uint64_t> distance_;
};

struct Percentiles {
  double p50 = 0, p90 = 0, p99 = 0, mean = 0, min = 0, max = 0;
};

Percentiles percentiles(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) {
    const std::size_t index = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
    return values[index];
  };
  double sum = 0;
  for (double v : values) sum += v;
  return {at(0.50), at(0.90), at(0.99), sum / static_cast<double>(values.size()), values.front(), values.back()};
}

// Times each query alone; `after` runs outside the timed region (to read settled counts).
template <typename Search, typename After>
std::vector<double> timeQueries(const std::vector<std::pair<NodeId, NodeId>>& pairs, std::vector<Distance>& results,
                                Search&& search, After&& after) {
  // A few untimed queries first: page in the graph, grow the heaps.
  for (std::size_t i = 0; i < std::min<std::size_t>(20, pairs.size()); ++i) search(pairs[i].first, pairs[i].second);
  std::vector<double> micros;
  micros.reserve(pairs.size());
  results.resize(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    const auto start = Clock::now();
    results[i] = search(pairs[i].first, pairs[i].second);
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    after();
  }
  return micros;
}

void writeStats(std::ofstream& out, const char* name, const Percentiles& p, bool last) {
  out << "    \"" << name << "\": {\"p50_us\": " << p.p50 << ", \"p90_us\": " << p.p90 << ", \"p99_us\": " << p.p99
      << ", \"mean_us\": " << p.mean << ", \"min_us\": " << p.min << ", \"max_us\": " << p.max << "}"
      << (last ? "\n" : ",\n");
}

struct MatrixTiming {
  std::size_t size;
  double median_ms;
  std::size_t runs;
};

// Whole matrices of random sources and targets; a few runs each, the median reported. Their
// correctness is the unit tests' business (tests/app/ch_test.cpp); here they are only timed.
std::vector<MatrixTiming> timeMatrices(ChSearch& ch, const std::vector<NodeId>& candidates, std::mt19937_64& random) {
  std::vector<MatrixTiming> timings;
  std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
  for (const std::size_t size : {std::size_t{10}, std::size_t{100}, std::size_t{1000}}) {
    const std::size_t runs = size >= 1000 ? 3 : 9;
    std::vector<double> ms;
    for (std::size_t run = 0; run < runs; ++run) {
      std::vector<NodeId> sources(size), targets(size);
      for (NodeId& node : sources) node = candidates[pick(random)];
      for (NodeId& node : targets) node = candidates[pick(random)];
      const auto start = Clock::now();
      const ChSearch::Matrix matrix = ch.matrix(sources, targets);
      ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
      // Pairs come from the largest strongly connected component: every cell is reachable.
      if (matrix.distance(0, size - 1) == kUnreachable) std::fprintf(stderr, "bench-routes: matrix cell unreachable\n");
    }
    timings.push_back({size, percentiles(ms).p50, runs});
  }
  return timings;
}

// The --ch-only figures: the hierarchy's build and queries, and bidirectional A* for scale.
void writeChOnly(const Options& options, const Graph& graph, const ContractionHierarchy& hierarchy, double build_ms,
                 std::size_t mismatches, const Percentiles& ch, const Percentiles& ch_path, const Percentiles& ours,
                 double ch_settled_p50, const std::vector<MatrixTiming>& matrices) {
  std::ofstream json(options.out + ".json");
  json << "{\n  \"graph\": {\"source\": \"" << graph.source() << "\", \"nodes\": " << graph.nodeCount()
       << ", \"arcs\": " << graph.arcCount() << "},\n  \"pairs\": " << options.pairs << ", \"mismatches\": " << mismatches
       << ",\n  \"ch\": {\"build_ms\": " << build_ms << ", \"arcs\": " << hierarchy.arcCount()
       << ", \"memory_bytes\": " << hierarchy.memoryBytes() << ", \"settled_p50\": " << ch_settled_p50 << "},\n"
       << "  \"matrices\": [";
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    json << (i == 0 ? "" : ", ") << "{\"size\": " << matrices[i].size << ", \"median_ms\": " << matrices[i].median_ms
         << ", \"runs\": " << matrices[i].runs << "}";
  }
  json << "],\n  \"algorithms\": {\n";
  writeStats(json, "ch", ch, false);
  writeStats(json, "ch_path", ch_path, false);
  writeStats(json, "ours", ours, true);
  json << "  }\n}\n";
  std::printf("bench-routes: %zu pairs on %u nodes: contraction %.0f ms; median ch %.1f us (p99 %.1f), with path "
              "%.1f us, bidirectional A* %.0f us; %zu mismatches\n",
              options.pairs, graph.nodeCount(), build_ms, ch.p50, ch.p99, ch_path.p50, ours.p50, mismatches);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parseOptions(argc, argv);
  const auto load_start = Clock::now();
  Graph graph = options.generate != 0 ? generateRoadGraph({.nodes = options.generate})
                                      : readDimacs(options.graph, options.coordinates);
  const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - load_start).count();

  // Pairs from the largest strongly connected component, so every route exists and no search
  // degenerates into exploring a whole component to prove there is none.
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(graph);
  std::vector<NodeId> candidates;
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    if (components.component_of[node] == components.largest) candidates.push_back(node);
  }
  std::mt19937_64 random(options.seed);
  std::uniform_int_distribution<std::size_t> pick(0, candidates.size() - 1);
  std::vector<std::pair<NodeId, NodeId>> pairs;
  for (std::size_t i = 0; i < options.pairs; ++i) pairs.emplace_back(candidates[pick(random)], candidates[pick(random)]);

  const auto ch_start = Clock::now();
  const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
  const double ch_build_ms = std::chrono::duration<double, std::milli>(Clock::now() - ch_start).count();
  std::printf("bench-routes: contraction hierarchy of %u nodes: %.0f ms, %zu arcs\n", graph.nodeCount(), ch_build_ms,
              hierarchy.arcCount());
  ChSearch ch(graph, hierarchy);
  PathSearch ours(graph);
  PlainDijkstra plain(graph);
  const auto boost_start = Clock::now();
  std::optional<BoostDijkstra> boost_search;
  if (!options.ch_only) boost_search.emplace(graph);
  const double boost_build_ms = std::chrono::duration<double, std::milli>(Clock::now() - boost_start).count();

  std::vector<Distance> ch_distance, ch_path_distance, ours_distance, plain_distance, boost_distance;
  std::vector<double> ch_settled, ours_settled, plain_settled;
  std::size_t bad_paths = 0;
  const auto ch_us = timeQueries(
      pairs, ch_distance, [&](NodeId a, NodeId b) { return ch.route(a, b, false).distance; },
      [&] { ch_settled.push_back(static_cast<double>(ch.settledNodes())); });
  const auto ch_path_us = timeQueries(
      pairs, ch_path_distance, [&](NodeId a, NodeId b) {
        const ChSearch::Route route = ch.route(a, b, true);
        bad_paths += route.nodes.empty() || route.nodes.front() != a || route.nodes.back() != b;
        return route.distance;
      }, [] {});
  const auto ours_us = timeQueries(
      pairs, ours_distance, [&](NodeId a, NodeId b) { return ours.route(a, b).distance; },
      [&] { ours_settled.push_back(static_cast<double>(ours.settledNodes())); });
  std::vector<double> plain_us, boost_us;
  if (options.ch_only) {
    plain_distance = boost_distance = ours_distance;  // the reference: bidirectional A*, itself tested
  } else {
    plain_us = timeQueries(
        pairs, plain_distance, [&](NodeId a, NodeId b) { return plain.distance(a, b); },
        [&] { plain_settled.push_back(static_cast<double>(plain.settled())); });
    boost_us = timeQueries(
        pairs, boost_distance, [&](NodeId a, NodeId b) { return boost_search->distance(a, b); }, [] {});
  }

  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (ours_distance[i] != plain_distance[i] || boost_distance[i] != plain_distance[i] ||
        ch_distance[i] != plain_distance[i] || ch_path_distance[i] != plain_distance[i]) {
      if (mismatches++ < 5) {
        std::fprintf(stderr, "bench-routes: pair %zu (%u -> %u): ours %llu, plain %llu, boost %llu\n", i,
                     pairs[i].first + 1, pairs[i].second + 1,
                     static_cast<unsigned long long>(ch_distance[i] != plain_distance[i] ? ch_distance[i] : ours_distance[i]),
                     static_cast<unsigned long long>(plain_distance[i]), static_cast<unsigned long long>(boost_distance[i]));
      }
    }
  }

  mismatches += bad_paths;
  const std::vector<MatrixTiming> matrices = timeMatrices(ch, candidates, random);

  if (options.ch_only) {
    writeChOnly(options, graph, hierarchy, ch_build_ms, mismatches, percentiles(ch_us), percentiles(ch_path_us),
                percentiles(ours_us), percentiles(ch_settled).p50, matrices);
    return mismatches == 0 ? 0 : 1;
  }
  std::ofstream tsv(options.out + ".tsv");
  tsv << "from\tto\tdistance\tch_us\tch_path_us\tours_us\tplain_us\tboost_us\tch_settled\tours_settled\tplain_settled\n";
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    tsv << pairs[i].first + 1 << '\t' << pairs[i].second + 1 << '\t' << plain_distance[i] << '\t' << ch_us[i] << '\t'
        << ch_path_us[i] << '\t' << ours_us[i] << '\t' << plain_us[i] << '\t' << boost_us[i] << '\t' << ch_settled[i]
        << '\t' << ours_settled[i] << '\t' << plain_settled[i] << '\n';
  }
  const Percentiles settled_ours = percentiles(ours_settled);
  const Percentiles settled_plain = percentiles(plain_settled);
  std::ofstream json(options.out + ".json");
  json << "{\n  \"graph\": {\"source\": \"" << graph.source() << "\", \"nodes\": " << graph.nodeCount()
       << ", \"arcs\": " << graph.arcCount() << ", \"memory_bytes\": " << graph.memoryBytes()
       << ", \"coordinates\": " << (graph.hasCoordinates() ? "true" : "false")
       << ", \"largest_scc_nodes\": " << candidates.size() << ", \"load_ms\": " << load_ms << "},\n"
       << "  \"pairs\": " << pairs.size() << ", \"seed\": " << options.seed << ", \"mismatches\": " << mismatches
       << ",\n  \"boost_build_ms\": " << boost_build_ms << ",\n"
       << "  \"ch\": {\"build_ms\": " << ch_build_ms << ", \"arcs\": " << hierarchy.arcCount()
       << ", \"memory_bytes\": " << hierarchy.memoryBytes() << "},\n"
       << "  \"settled_p50\": {\"ch\": " << percentiles(ch_settled).p50 << ", \"ours\": " << settled_ours.p50
       << ", \"plain\": " << settled_plain.p50 << "},\n"
       << "  \"matrices\": [";
  for (std::size_t i = 0; i < matrices.size(); ++i) {
    json << (i == 0 ? "" : ", ") << "{\"size\": " << matrices[i].size << ", \"median_ms\": " << matrices[i].median_ms
         << ", \"runs\": " << matrices[i].runs << "}";
  }
  json << "],\n  \"algorithms\": {\n";
  writeStats(json, "ch", percentiles(ch_us), false);
  writeStats(json, "ch_path", percentiles(ch_path_us), false);
  writeStats(json, "ours", percentiles(ours_us), false);
  writeStats(json, "plain", percentiles(plain_us), false);
  writeStats(json, "boost", percentiles(boost_us), true);
  json << "  }\n}\n";
  std::printf("bench-routes: %zu pairs on %u nodes: median ch %.1f us (p99 %.1f), ch with path %.1f us, ours %.0f us, "
              "plain %.0f us, boost %.0f us; %zu mismatches\n",
              pairs.size(), graph.nodeCount(), percentiles(ch_us).p50, percentiles(ch_us).p99, percentiles(ch_path_us).p50,
              percentiles(ours_us).p50, percentiles(plain_us).p50, percentiles(boost_us).p50, mismatches);
  for (const MatrixTiming& timing : matrices) {
    std::printf("bench-routes: %zux%zu matrix: median %.2f ms over %zu runs\n", timing.size, timing.size, timing.median_ms,
                timing.runs);
  }
  return mismatches == 0 ? 0 : 1;
}
