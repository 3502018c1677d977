// SPDX-License-Identifier: Apache-2.0
// A contraction hierarchy (CH) of a Graph: the arrays its queries read, read-only and shared.
//
// Nodes are contracted one by one; a node's rank is its place in that order, and the CH lives in
// rank space (node r is the r-th contracted), so that the few high-ranked nodes every query
// visits sit together in memory. Every arc of the CH joins a lower-ranked node to a higher one
// and is stored at its lower end:
//   up arcs   r -> h (h > r), original direction r to h: the forward search climbs them;
//   down arcs h -> r (h > r), original direction h to r, stored at r with h as `tail`: the
//             backward search climbs them from the target.
// An arc is an arc of the graph or a shortcut for the two-arc path through a lower node m: the
// down arc into m from the shortcut's tail, then the up arc out of m to its head. Each arc says
// how it unpacks (ChUnpack): the graph arc's id, or the indices of its two children, so that
// unpacking a path reads one pair per arc and searches nothing.
// Weights are those of the graph's weight(); `other` carries the graph's other road metric
// (duration for a graph weighed in metres, length for one weighed in time) summed along the
// same path, so that a matrix can report it without unpacking; empty for unitless graphs.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "graph.h"

namespace twinlane::app {

// How one arc unpacks: an arc of the graph (`first` is its forward arc id in the Graph, `second`
// is kGraphArc), or a shortcut (`first` indexes its child among the down arcs, `second` among
// the up arcs; both are stored at the shortcut's middle node).
struct ChUnpack {
  std::uint32_t first;
  std::uint32_t second;
  bool isShortcut() const;
};
inline constexpr std::uint32_t kGraphArc = 0xffff'ffffu;
inline bool ChUnpack::isShortcut() const { return second != kGraphArc; }

// One direction's arcs in CSR form, indexed by the rank they are stored at.
struct ChArcs {
  std::span<const ArcId> first;   // node_count + 1
  std::span<const NodeId> other_end;  // the higher end: head of an up arc, tail of a down arc
  std::span<const Weight> weight;
  std::span<const ChUnpack> unpack;
  std::span<const std::uint32_t> other_metric;  // per arc, or empty
};

struct ChArrays {
  std::span<const NodeId> rank;   // node -> rank
  std::span<const NodeId> order;  // rank -> node
  ChArcs up;
  ChArcs down;
};

// The arrays a build produced, owned.
struct ChStorage {
  std::vector<NodeId> rank, order;
  std::vector<ArcId> up_first, down_first;
  std::vector<NodeId> up_other_end, down_other_end;
  std::vector<Weight> up_weight, down_weight;
  std::vector<ChUnpack> up_unpack, down_unpack;
  std::vector<std::uint32_t> up_other_metric, down_other_metric;
};

// A hierarchy that contradicts itself at search time (shortcuts that loop instead of unpacking
// into a path). A load checks every index is in bounds (checkHierarchyBounds), not this, which
// only `twinlane-graph verify` does in depth; the file's checksums keep damage out, so only a
// faulty writer makes one. The request that meets it fails (500 internal, logged), nothing else.
class DamagedHierarchy : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ContractionHierarchy {
 public:
  // Views arrays owned by `storage` (a mapping or a ChStorage). The caller has checked them
  // (checkHierarchyBounds) against the graph the hierarchy was built for.
  ContractionHierarchy(const ChArrays& arrays, std::shared_ptr<const void> storage, Metric other_metric)
      : arrays_(arrays), storage_(std::move(storage)), other_metric_(other_metric) {}
  static ContractionHierarchy fromStorage(std::shared_ptr<const ChStorage> storage, Metric other_metric);

  NodeId nodeCount() const { return static_cast<NodeId>(arrays_.rank.size()); }
  std::size_t arcCount() const { return arrays_.up.other_end.size() + arrays_.down.other_end.size(); }
  const ChArrays& arrays() const { return arrays_; }
  NodeId rank(NodeId node) const { return arrays_.rank[node]; }
  NodeId node(NodeId rank) const { return arrays_.order[rank]; }
  const ChArcs& up() const { return arrays_.up; }
  const ChArcs& down() const { return arrays_.down; }
  // The metric the other_metric arrays hold, kUnitless when they are empty.
  Metric otherMetric() const { return other_metric_; }
  std::size_t memoryBytes() const;

 private:
  ChArrays arrays_;
  std::shared_ptr<const void> storage_;
  Metric other_metric_;
};

// The graph's metric that is not its weight (for ChArcs::other_metric), kUnitless when it has
// no second one.
Metric otherMetricOf(const Graph& graph);

// What a load checks, in one sequential pass (a random access per arc made a 1-million-node
// snapshot's load 0.5 s slower): every array has its length, ranks and nodes are in range, CSR
// offsets run from 0 to the arc count, every arc climbs (its other end ranked higher, so
// searches end), and every unpack entry names an arc that exists. Searches then cannot read out
// of bounds; ChSearch bounds the unpacking of shortcuts that would loop. Throws
// std::invalid_argument naming the first problem.
void checkHierarchyBounds(const ContractionHierarchy& hierarchy, const Graph& graph);

// Everything the answers rely on, for `twinlane-graph verify` and the tests: the bounds above,
// rank and order are inverse permutations, arcs of the graph join the nodes their ranks name and
// weigh what the graph's arc weighs, and every shortcut's two children are stored at one node
// ranked below both its ends, join those ends through it, and weigh its weight together (so
// unpacking always ends). Throws std::invalid_argument naming the first problem.
void validateHierarchy(const ContractionHierarchy& hierarchy, const Graph& graph);

}  // namespace twinlane::app
