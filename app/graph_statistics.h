// SPDX-License-Identifier: Apache-2.0
// Shape statistics of a Graph: arcs per node, the undirected degree distribution, one-way arcs
// and the median arc weight and length. `twinlane-graph info` prints them, and the generator's
// tests hold a synthetic graph to them, so that one can compare a graph with real roads (on
// Rhein-Neckar most nodes are shape points of degree 2). A pure function; owns only its result.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "graph.h"

namespace twinlane::app {

struct GraphStatistics {
  NodeId nodes = 0;
  ArcId arcs = 0;
  double arcs_per_node = 0;  // 0 for a graph without nodes
  // Nodes by undirected degree: the number of distinct other nodes joined to them by an arc in
  // either direction. Index 0..4 is that degree, index 5 counts degree 5 and more.
  std::array<NodeId, 6> nodes_by_degree{};
  // Arcs whose head has no arc back to their tail (self loops count as two-way).
  ArcId one_way_arcs = 0;
  // The median (the upper one for an even count) over all arcs; none without arcs.
  std::optional<Weight> median_weight;
  std::optional<std::uint32_t> median_length_m;  // none without lengths either

  // The share of nodes with undirected degree `degree` (5: five and more), 0 without nodes.
  double degreeShare(unsigned degree) const;
};

// Runs in whichever process asks (a tool, a test); linear in the arcs, apart from sorting each
// node's neighbours and finding the medians.
GraphStatistics computeGraphStatistics(const Graph& graph);

}  // namespace twinlane::app
