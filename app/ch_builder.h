// SPDX-License-Identifier: Apache-2.0
// Building a contraction hierarchy (contraction_hierarchy.h) from a Graph.
//
// The order is the classic bottom-up one (Geisberger et al., "Contraction Hierarchies: Faster
// and Simpler Hierarchical Routing in Road Networks", 2008), with the priority terms RoutingKit
// uses: a node's level (one above its highest contracted neighbour, which spreads contraction
// evenly over the map), the arcs its contraction would add over those it removes, and the same
// ratio in original arcs ("hops") that the shortcuts stand for. Priorities are kept up to date
// lazily: a node is re-evaluated when it comes to the top, and its neighbours after it is
// contracted. A shortcut u -> w is needed unless a witness search from u that avoids the node
// finds a path no longer than the one through it; witness searches stop after a bounded number
// of settled nodes, which may add a superfluous shortcut but never misses a needed one.
#pragma once

#include <cstdint>
#include <functional>

#include "contraction_hierarchy.h"
#include "graph.h"

namespace twinlane::app {

// Called now and then with the nodes contracted so far and the total.
using ChBuildProgress = std::function<void(NodeId contracted, NodeId total)>;

// Builds the hierarchy of `graph` (any graph: parallel arcs, self loops, zero weights and
// unreachable parts are fine). Deterministic: the same graph gives the same hierarchy.
// Throws std::overflow_error when a shortcut's weight would not fit a Weight.
ContractionHierarchy buildContractionHierarchy(const Graph& graph, const ChBuildProgress& progress = {});

}  // namespace twinlane::app
