// SPDX-License-Identifier: Apache-2.0
// verifySnapshot: the graph rebuilt from its forward arcs, compared with what the file stores.
#include "snapshot_verify.h"

#include <algorithm>
#include <array>
#include <stdexcept>

namespace twinlane::app {
namespace {

// The in-arcs of one node as sorted (tail, weight, length, duration) tuples: the order of
// in-arcs within a node depends on the order arcs were given in, so only the set must match.
std::vector<std::array<std::uint32_t, 4>> inArcsOf(const Graph& graph, NodeId node) {
  const GraphArrays& a = graph.arrays();
  std::vector<std::array<std::uint32_t, 4>> arcs;
  for (ArcId arc = graph.firstIn(node); arc < graph.endIn(node); ++arc) {
    arcs.push_back({graph.tail(arc), graph.inWeight(arc), a.in_length_m.empty() ? 0 : a.in_length_m[arc],
                    a.in_duration_ds.empty() ? 0 : a.in_duration_ds[arc]});
  }
  std::sort(arcs.begin(), arcs.end());
  return arcs;
}

bool sameReverseArcs(const Graph& stored, const Graph& rebuilt) {
  for (NodeId node = 0; node < stored.nodeCount(); ++node) {
    if (inArcsOf(stored, node) != inArcsOf(rebuilt, node)) return false;
  }
  return true;
}

// The graph rebuilt from the snapshot's forward arcs alone, with its own checksum and scale.
Graph rebuildFromForwardArcs(const Graph& graph) {
  const bool roads = graph.metric() != Metric::kUnitless;
  std::vector<Arc> arcs;
  std::vector<RoadArc> road_arcs;
  for (NodeId tail = 0; tail < graph.nodeCount(); ++tail) {
    for (ArcId arc = graph.firstOut(tail); arc < graph.endOut(tail); ++arc) {
      if (roads) {
        road_arcs.push_back({tail, graph.head(arc), graph.lengthMeters(arc), graph.durationDeciseconds(arc)});
      } else {
        arcs.push_back({tail, graph.head(arc), graph.weight(arc)});
      }
    }
  }
  std::vector<Coordinate> where;
  for (NodeId node = 0; graph.hasCoordinates() && node < graph.nodeCount(); ++node) where.push_back(graph.coordinate(node));
  if (!roads) return Graph::fromArcs(graph.nodeCount(), std::move(arcs), std::move(where), graph.source());
  const auto ids = graph.arrays().osm_id;
  return Graph::fromRoads(graph.nodeCount(), std::move(road_arcs), std::move(where), {ids.begin(), ids.end()},
                          graph.metric(), graph.source());
}

}  // namespace

std::vector<std::string> verifySnapshot(const SnapshotContents& contents) {
  const Graph& graph = contents.graph;
  std::vector<std::string> problems;
  if (graph.metric() != Metric::kUnitless && !(graph.hasLengths() && graph.hasDurations())) {
    problems.push_back("a road graph without both metrics cannot be rebuilt to compare");
    return problems;
  }
  const Graph rebuilt = rebuildFromForwardArcs(graph);
  if (!sameReverseArcs(graph, rebuilt)) {
    problems.push_back("the reverse arrays (bwd.*) are not the forward arcs reversed");
  }
  if (graph.checksum() != rebuilt.checksum()) {
    problems.push_back("stored checksum " + graph.checksum() + " but the arrays give " + rebuilt.checksum());
  }
  if (graph.lowerBoundScale() > rebuilt.lowerBoundScale()) {
    problems.push_back("stored A* scale " + std::to_string(graph.lowerBoundScale()) + " exceeds the arrays' " +
                       std::to_string(rebuilt.lowerBoundScale()) + " (searches could miss shortest paths)");
  }
  if (contents.nearest) {
    std::vector<bool> seen(graph.nodeCount(), false);
    for (NodeId node : contents.nearest->order()) seen[node] = true;
    if (std::find(seen.begin(), seen.end(), false) != seen.end()) {
      problems.push_back("the nearest-node index does not hold every node");
    }
  }
  if (contents.hierarchy) {
    try {
      validateHierarchy(*contents.hierarchy, graph);
    } catch (const std::invalid_argument& error) {
      problems.push_back(error.what());
    }
  }
  return problems;
}

}  // namespace twinlane::app
