// SPDX-License-Identifier: Apache-2.0
// Bidirectional A* (and plain Dijkstra for one-to-many) over stamped labels.
//
// Potentials: pi_t(v) = floor(scale * R * chord(v, t)) bounds dist(v, t) from below and
// pi_s(v) likewise bounds dist(s, v); both are consistent because every arc weighs at least
// scale * R * chord of its ends (Graph::lowerBoundScale) and floor keeps integer differences
// within integer weights. The forward search uses p(v) = (pi_t(v) - pi_s(v)) / 2 and the
// backward one -p(v), so both run Dijkstra on the same reduced costs w(u,v) - p(u) + p(v) >= 0.
// We keep everything doubled to stay in integers: key = 2 * distance + 2p, which is >= 0.
//
// Stopping rule: once key_f + key_b >= 2 * best, no undiscovered path is shorter than best
// (on reduced costs this is Goldberg & Harrelson's top_f + top_b >= best; p(s) and p(t) cancel).
// ">=" keeps it correct with zero weights. We advance the direction with the smaller key.
// Every time a label improves we test whether the other direction has labelled that node, so
// best_ is always the length of a real path through meeting_node_.
#include "search.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "graph_geometry.h"

namespace twinlane::app {

// The doubled forward potential 2p(v) = pi_t(v) - pi_s(v) of one query.
class PathSearch::Potential {
 public:
  Potential(const Graph& graph, NodeId from, NodeId to)
      : graph_(graph), scale_m_(graph.lowerBoundScale() * kEarthRadiusMeters) {
    if (scale_m_ > 0) {
      source_ = position(from);
      target_ = position(to);
    }
  }
  bool enabled() const { return scale_m_ > 0; }

  std::int64_t doubledForward(NodeId node) const {
    const UnitVector here = position(node);
    const auto to_target = static_cast<std::int64_t>(std::floor(scale_m_ * chord(here, target_)));
    const auto from_source = static_cast<std::int64_t>(std::floor(scale_m_ * chord(here, source_)));
    return to_target - from_source;
  }

 private:
  UnitVector position(NodeId node) const {
    const Coordinate where = graph_.coordinate(node);
    return unitVector(where.lon(), where.lat());
  }

  const Graph& graph_;
  double scale_m_;
  UnitVector source_{};
  UnitVector target_{};
};

PathSearch::PathSearch(const Graph& graph)
    : graph_(graph),
      scratch_(graph.nodeCount(), NodeScratch{}),
      heaps_{Heap(HeapPosition{scratch_.data(), kForward}),
             Heap(HeapPosition{scratch_.data(), kBackward})} {}

void PathSearch::startQuery() {
  // Stamp 0 marks "never touched"; on wrap-around, forget all stamps once (every 2^32 queries).
  if (++stamp_ == 0) {
    for (NodeScratch& node : scratch_) node.stamp[kForward] = node.stamp[kBackward] = 0;
    std::fill(target_stamp_.begin(), target_stamp_.end(), 0);
    stamp_ = 1;
  }
  // A previous query may have been abandoned by a throwing checkpoint with full heaps.
  heaps_[kForward].clear();
  heaps_[kBackward].clear();
  settled_ = 0;
  best_ = kUnreachable;
  meeting_node_ = kInvalidNode;
}

void PathSearch::checkNode(NodeId node, const char* role) const {
  if (node >= graph_.nodeCount()) {
    throw std::out_of_range(std::string("search: ") + role + " node " + std::to_string(node) +
                            " is outside 0.." + std::to_string(graph_.nodeCount() - 1));
  }
}

namespace {

// 2 * distance + doubled potential; never negative because the potential is admissible.
Distance heapKey(Distance distance, std::int64_t potential) {
  return static_cast<Distance>(static_cast<std::int64_t>(2 * distance) + potential);
}

}  // namespace

template <int kDirection, bool kWithPotential>
void PathSearch::settleNext(const Potential& potential) {
  constexpr int kOther = 1 - kDirection;
  constexpr std::int64_t kSign = kDirection == kForward ? 1 : -1;
  const ArcId* first = kDirection == kForward ? graph_.firstOutArray().data()
                                              : graph_.firstInArray().data();
  const NodeId* arc_head = kDirection == kForward ? graph_.headArray().data()
                                                  : graph_.tailArray().data();
  const Weight* arc_weight = kDirection == kForward ? graph_.weightArray().data()
                                                    : graph_.inWeightArray().data();
  Heap& heap = heaps_[kDirection];
  NodeScratch* scratch = scratch_.data();

  const NodeId node = heap.pop().node;
  const Distance node_distance = scratch[node].distance[kDirection];
  const ArcId end = first[node + 1];
  // The loop below is bound by cache misses on the neighbours' scratch lines; asking for all of
  // them first lets the misses overlap instead of queueing one after another.
  for (ArcId arc = first[node]; arc < end; ++arc) __builtin_prefetch(&scratch[arc_head[arc]]);
  if (!heap.empty()) {
    // Likewise the adjacency of the node this direction will probably settle next.
    const NodeId upcoming = heap.topNode();
    __builtin_prefetch(&first[upcoming]);
    __builtin_prefetch(&arc_head[first[upcoming]]);
  }
  for (ArcId arc = first[node]; arc < end; ++arc) {
    const NodeId next = arc_head[arc];
    const Distance distance = node_distance + arc_weight[arc];
    NodeScratch& label = scratch[next];
    if (label.stamp[kDirection] != stamp_) {
      if (kWithPotential && label.stamp[kOther] != stamp_) {
        label.potential = potential.doubledForward(next);
      }
      label.stamp[kDirection] = stamp_;
      label.distance[kDirection] = distance;
      label.parent[kDirection] = node;
      heap.push(next, heapKey(distance, kWithPotential ? kSign * label.potential : 0));
    } else if (distance < label.distance[kDirection]) {
      // Reduced costs are non-negative, so a settled node never improves: `next` is queued.
      label.distance[kDirection] = distance;
      label.parent[kDirection] = node;
      heap.decreaseKey(next, heapKey(distance, kWithPotential ? kSign * label.potential : 0));
    } else {
      continue;
    }
    if (label.stamp[kOther] == stamp_ && distance + label.distance[kOther] < best_) {
      best_ = distance + label.distance[kOther];
      meeting_node_ = next;
    }
  }
}

template <bool kWithPotential>
void PathSearch::runBidirectional(const Potential& potential, const Checkpoint& checkpoint) {
  // An empty heap means that side has settled everything it can reach, and every arc it
  // relaxed was checked against the other side, so best_ is final.
  while (!heaps_[kForward].empty() && !heaps_[kBackward].empty()) {
    const Distance forward_top = heaps_[kForward].topKey();
    const Distance backward_top = heaps_[kBackward].topKey();
    if (best_ != kUnreachable && forward_top + backward_top >= 2 * best_) break;
    if (forward_top <= backward_top) {
      settleNext<kForward, kWithPotential>(potential);
    } else {
      settleNext<kBackward, kWithPotential>(potential);
    }
    countSettled(checkpoint);
  }
}

PathSearch::Route PathSearch::route(NodeId from, NodeId to, const Checkpoint& checkpoint) {
  checkNode(from, "from");
  checkNode(to, "to");
  startQuery();
  if (from == to) return {0, {from}};

  const Potential potential(graph_, from, to);
  NodeScratch& source = scratch_[from];
  NodeScratch& target = scratch_[to];
  source.stamp[kForward] = stamp_;
  source.distance[kForward] = 0;
  source.parent[kForward] = kInvalidNode;
  source.potential = potential.enabled() ? potential.doubledForward(from) : 0;
  heaps_[kForward].push(from, heapKey(0, source.potential));
  target.stamp[kBackward] = stamp_;
  target.distance[kBackward] = 0;
  target.parent[kBackward] = kInvalidNode;
  target.potential = potential.enabled() ? potential.doubledForward(to) : 0;
  heaps_[kBackward].push(to, heapKey(0, -target.potential));
  if (potential.enabled()) {
    runBidirectional<true>(potential, checkpoint);
  } else {
    runBidirectional<false>(potential, checkpoint);
  }

  Route result;
  if (meeting_node_ == kInvalidNode) return result;
  result.distance = best_;
  for (NodeId node = meeting_node_; node != kInvalidNode; node = scratch_[node].parent[kForward]) {
    result.nodes.push_back(node);
  }
  std::reverse(result.nodes.begin(), result.nodes.end());
  for (NodeId node = scratch_[meeting_node_].parent[kBackward]; node != kInvalidNode;
       node = scratch_[node].parent[kBackward]) {
    result.nodes.push_back(node);
  }
  return result;
}

std::vector<Distance> PathSearch::distances(NodeId source, std::span<const NodeId> targets,
                                            const Checkpoint& checkpoint) {
  checkNode(source, "source");
  for (NodeId target : targets) checkNode(target, "target");
  if (target_stamp_.empty()) target_stamp_.assign(graph_.nodeCount(), 0);
  startQuery();

  std::size_t unsettled_targets = 0;
  for (NodeId target : targets) {
    if (target_stamp_[target] != stamp_) {
      target_stamp_[target] = stamp_;
      ++unsettled_targets;
    }
  }
  NodeScratch* scratch = scratch_.data();
  Heap& heap = heaps_[kForward];
  scratch[source].stamp[kForward] = stamp_;
  scratch[source].distance[kForward] = 0;
  scratch[source].parent[kForward] = kInvalidNode;
  heap.push(source, 0);

  const ArcId* first_out = graph_.firstOutArray().data();
  const NodeId* head = graph_.headArray().data();
  const Weight* weight = graph_.weightArray().data();
  while (unsettled_targets > 0 && !heap.empty()) {
    const auto top = heap.pop();
    if (target_stamp_[top.node] == stamp_) --unsettled_targets;
    for (ArcId arc = first_out[top.node]; arc < first_out[top.node + 1]; ++arc) {
      const NodeId next = head[arc];
      const Distance distance = top.key + weight[arc];
      NodeScratch& label = scratch[next];
      if (label.stamp[kForward] != stamp_) {
        label.stamp[kForward] = stamp_;
        label.distance[kForward] = distance;
        label.parent[kForward] = top.node;
        heap.push(next, distance);
      } else if (distance < label.distance[kForward]) {
        label.distance[kForward] = distance;
        label.parent[kForward] = top.node;
        heap.decreaseKey(next, distance);
      }
    }
    countSettled(checkpoint);
  }

  // Every target is settled now, or the heap ran dry and unlabelled targets are unreachable.
  std::vector<Distance> result;
  result.reserve(targets.size());
  for (NodeId target : targets) {
    const NodeScratch& label = scratch[target];
    result.push_back(label.stamp[kForward] == stamp_ ? label.distance[kForward] : kUnreachable);
  }
  return result;
}

}  // namespace twinlane::app
