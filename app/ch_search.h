// SPDX-License-Identifier: Apache-2.0
// Queries on a contraction hierarchy: one route, and many-to-many matrices.
//
// A route is a bidirectional Dijkstra that only climbs: forward from the source over up arcs,
// backward from the target over down arcs, each direction stopping once its smallest key
// reaches the best meeting found. Stall-on-demand skips relaxing a node that a higher neighbour
// already reaches more cheaply (its label cannot lie on a shortest path). The path is unpacked
// shortcut by shortcut to arcs of the graph.
// A matrix is the bucket method (Knopp et al., "Computing Many-to-Many Shortest Paths Using
// Highway Hierarchies", 2007): one backward climb per target leaves (target, distance) in a
// bucket at each node it settles; one forward climb per source then meets every target at the
// buckets of the nodes it settles.
// Labels are TouchedLabels: memory follows what a query touches, not the graph's size.
// Not thread-safe: one ChSearch per thread; it reads the Graph and the hierarchy only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "contraction_hierarchy.h"
#include "graph.h"
#include "search.h"  // Checkpoint
#include "search_heap.h"
#include "touched_labels.h"

namespace twinlane::app {

class ChSearch {
 public:
  static constexpr std::uint32_t kCheckpointInterval = 4096;

  // `graph` and `hierarchy` must outlive this object; the hierarchy is `graph`'s.
  ChSearch(const Graph& graph, const ContractionHierarchy& hierarchy);
  ChSearch(const ChSearch&) = delete;
  ChSearch& operator=(const ChSearch&) = delete;

  struct Route {
    Distance distance = kUnreachable;  // kUnreachable when `to` cannot be reached
    std::vector<NodeId> nodes;         // from .. to (graph ids); empty when unreachable or not asked
    std::vector<ArcId> arcs;           // the graph's arcs along it, nodes.size() - 1 of them
  };
  // A shortest route; with `unpack`, also its nodes and arcs. from == to gives 0 and [from].
  // Throws std::out_of_range for a node id >= nodeCount(), and whatever `checkpoint` throws.
  Route route(NodeId from, NodeId to, bool unpack = true, const Checkpoint& checkpoint = {});

  struct Matrix {
    std::size_t columns = 0;
    std::vector<Distance> distances;  // row-major, sources x targets; kUnreachable where unreachable
    std::vector<std::uint64_t> other;  // the hierarchy's other metric along the same routes, if asked
    Distance distance(std::size_t row, std::size_t column) const { return distances[row * columns + column]; }
  };
  // Distances from every source to every target (duplicates allowed). With `other` and a
  // hierarchy that has a second metric, also that metric's sum along each route. Throws like route().
  Matrix matrix(std::span<const NodeId> sources, std::span<const NodeId> targets, bool other = false,
                const Checkpoint& checkpoint = {});

  // Nodes settled by the last query, for benchmarks.
  std::size_t settledNodes() const { return settled_; }

 private:
  static constexpr int kForward = 0;
  static constexpr int kBackward = 1;

  struct Label {
    NodeId node;  // a rank
    std::uint32_t reached;  // bit 1 << direction
    std::uint32_t heap_position[2];
    NodeId parent[2];     // rank, kInvalidNode at a root
    ArcId parent_arc[2];  // up arc (forward) or down arc (backward) it was reached by
    Distance distance[2];
    std::uint64_t other[2];  // the other metric along the label's path (matrices only)
  };
  struct HeapPosition {
    TouchedLabels<Label>* labels;
    int direction;
    std::uint32_t& operator()(NodeId slot) const { return (*labels)[slot].heap_position[direction]; }
  };
  using Heap = QuaternaryHeap<HeapPosition>;  // keyed by label slot, not node

  struct BucketEntry {
    NodeId rank;
    std::uint32_t target;
    Distance distance;
    std::uint64_t other;
  };
  struct BucketRange {
    NodeId node;
    std::uint32_t begin;
    std::uint32_t end;
  };

  void checkNode(NodeId node, const char* role) const;
  void countSettled(const Checkpoint& checkpoint) {
    if (++settled_ % kCheckpointInterval == 0 && checkpoint) checkpoint();
  }
  std::uint32_t start(int direction, NodeId rank);
  // Relaxes the climbing arcs of the label in `slot` unless a higher neighbour stalls it;
  // false when stalled.
  template <int kDirection, bool kOther>
  bool relax(std::uint32_t slot);
  template <int kDirection>
  void settleNext(Distance& best, std::uint32_t& meeting);
  // A whole climb from `rank` in one direction; calls visit(slot) for each settled, unstalled label.
  template <int kDirection, bool kOther, typename Visit>
  void climb(NodeId rank, const Checkpoint& checkpoint, Visit&& visit);
  // Appends the graph arcs arc `index` of the up (or down) arcs stands for, in path order.
  void unpack(bool up, ArcId index, std::vector<ArcId>& arcs);

  const Graph& graph_;
  const ContractionHierarchy& ch_;
  TouchedLabels<Label> labels_;
  Heap heaps_[2];
  std::vector<BucketEntry> buckets_;
  TouchedLabels<BucketRange> bucket_index_;
  struct PendingArc {
    bool up;
    ArcId index;
  };
  std::vector<PendingArc> unpack_stack_;
  std::size_t settled_ = 0;
};

}  // namespace twinlane::app
