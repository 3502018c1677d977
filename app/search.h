// SPDX-License-Identifier: Apache-2.0
// Shortest-path queries on a Graph: point-to-point routes and one-to-many distances.
//
// PathSearch owns the per-query scratch (distance labels, parents, heaps) for one thread. A
// worker makes one after fork and reuses it for every request; the scratch is reset in O(1) by
// bumping a query stamp, never by clearing arrays, so a query costs only what it touches. It
// reads the Graph and never writes it. Not thread-safe: one PathSearch per thread.
//
// Routes use bidirectional A*: bidirectional Dijkstra on arc costs reduced by the average of a
// forward and a backward straight-line potential (Goldberg & Harrelson, "Computing the shortest
// path: A* search meets graph theory", 2005). On a graph without coordinates, or whose
// lowerBoundScale() is 0, the potentials are 0 and this is plain bidirectional Dijkstra.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "graph.h"
#include "search_heap.h"

namespace twinlane::app {

// Called every few thousand settled nodes. It may throw (deadline passed, client gone); the
// exception propagates out of the query and the PathSearch stays usable for the next one.
using Checkpoint = std::function<void()>;

class PathSearch {
 public:
  // Nodes settled between two checkpoint calls.
  static constexpr std::uint32_t kCheckpointInterval = 4096;

  // Allocates scratch proportional to graph.nodeCount(); `graph` must outlive this object.
  explicit PathSearch(const Graph& graph);
  PathSearch(const PathSearch&) = delete;
  PathSearch& operator=(const PathSearch&) = delete;

  struct Route {
    Distance distance = kUnreachable;  // kUnreachable when `to` cannot be reached
    std::vector<NodeId> nodes;         // from .. to; empty when unreachable
  };

  // A shortest route by bidirectional A*. from == to gives distance 0 and [from].
  // Throws std::out_of_range for a node id >= nodeCount(), and whatever `checkpoint` throws.
  Route route(NodeId from, NodeId to, const Checkpoint& checkpoint = {});

  // Distances from `source` to each target (kUnreachable where unreachable), in target order;
  // duplicates allowed. Dijkstra from `source` that stops once every target is settled.
  // Throws like route().
  std::vector<Distance> distances(NodeId source, std::span<const NodeId> targets,
                                  const Checkpoint& checkpoint = {});

  // Nodes settled by the last query (both directions), for metrics and benchmarks.
  std::size_t settledNodes() const { return settled_; }

 private:
  static constexpr int kForward = 0;
  static constexpr int kBackward = 1;

  // Everything a query touches for one node, both directions side by side, so that relaxing an
  // arc (and checking whether the other direction has met it) misses the cache once, not four
  // times (48 bytes; padding to a whole 64-byte line measured no faster). A direction's fields
  // are valid only when its stamp equals the current query's.
  struct NodeScratch {
    Distance distance[2];
    NodeId parent[2];  // kInvalidNode at a search's root
    std::uint32_t stamp[2];
    std::uint32_t heap_position[2];
    // The doubled forward potential (see search.cpp); the backward one is its negation.
    // Computed when the first direction reaches the node.
    std::int64_t potential;
  };

  struct HeapPosition {
    NodeScratch* scratch;
    int direction;
    std::uint32_t& operator()(NodeId node) const { return scratch[node].heap_position[direction]; }
  };
  using Heap = QuaternaryHeap<HeapPosition>;

  class Potential;

  void startQuery();
  void checkNode(NodeId node, const char* role) const;
  void countSettled(const Checkpoint& checkpoint) {
    if (++settled_ % kCheckpointInterval == 0 && checkpoint) checkpoint();
  }
  // Settles the top node of direction `kDirection`, relaxing its arcs (out-arcs forward,
  // in-arcs backward); updates best_/meeting_node_ when the other direction has labelled a
  // relaxed node.
  template <int kDirection, bool kWithPotential>
  void settleNext(const Potential& potential);
  template <bool kWithPotential>
  void runBidirectional(const Potential& potential, const Checkpoint& checkpoint);

  const Graph& graph_;
  std::vector<NodeScratch> scratch_;
  Heap heaps_[2];
  std::vector<std::uint32_t> target_stamp_;  // distances(): which nodes are targets
  std::uint32_t stamp_ = 0;
  std::size_t settled_ = 0;
  Distance best_ = kUnreachable;
  NodeId meeting_node_ = kInvalidNode;
};

}  // namespace twinlane::app
