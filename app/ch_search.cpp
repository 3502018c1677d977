// SPDX-License-Identifier: Apache-2.0
// Contraction-hierarchy queries: see ch_search.h.
//
// Why the stopping rule holds: every shortest path has a shortest up-down form s ->* z <-* t
// through its highest node z, whose forward and backward labels are then both exact. A direction
// stops only when its smallest key is at least the best meeting so far, and z's keys are below
// any meeting longer than the path, so both directions settle z first; the second of them sees
// the other's exact label and records the path's length. Stalled labels are too long to be on a
// shortest path, so skipping their arcs loses nothing.
#include "ch_search.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace twinlane::app {

ChSearch::ChSearch(const Graph& graph, const ContractionHierarchy& hierarchy)
    : graph_(graph),
      ch_(hierarchy),
      labels_(hierarchy.nodeCount()),
      heaps_{Heap(HeapPosition{&labels_, kForward}), Heap(HeapPosition{&labels_, kBackward})},
      bucket_index_(hierarchy.nodeCount()) {}

void ChSearch::checkNode(NodeId node, const char* role) const {
  if (node >= graph_.nodeCount()) {
    throw std::out_of_range(std::string("search: ") + role + " node " + std::to_string(node) + " is outside 0.." +
                            std::to_string(graph_.nodeCount() - 1));
  }
}

std::uint32_t ChSearch::start(int direction, NodeId rank) {
  std::uint32_t slot = labels_.find(rank);
  if (slot == TouchedLabels<Label>::kNone) slot = labels_.add(rank);
  Label& label = labels_[slot];
  label.reached |= 1u << direction;
  label.distance[direction] = 0;
  label.other[direction] = 0;
  label.parent[direction] = kInvalidNode;
  label.parent_arc[direction] = kInvalidNode;
  heaps_[direction].push(slot, 0);
  return slot;
}

template <int kDirection, bool kOther>
bool ChSearch::relax(std::uint32_t slot) {
  const ChArcs& climbing = kDirection == kForward ? ch_.up() : ch_.down();
  const ChArcs& stalling = kDirection == kForward ? ch_.down() : ch_.up();
  const NodeId node = labels_[slot].node;
  const Distance distance = labels_[slot].distance[kDirection];
  constexpr std::uint32_t kBit = 1u << kDirection;

  // Stall-on-demand: a higher neighbour with an arc into this node (in this direction) that
  // reaches it more cheaply proves this label is not on a shortest path.
  for (ArcId arc = stalling.first[node]; arc < stalling.first[node + 1]; ++arc) {
    const std::uint32_t higher = labels_.find(stalling.other_end[arc]);
    if (higher != TouchedLabels<Label>::kNone && (labels_[higher].reached & kBit) != 0 &&
        labels_[higher].distance[kDirection] + stalling.weight[arc] < distance) {
      return false;
    }
  }
  const std::uint64_t other = kOther ? labels_[slot].other[kDirection] : 0;
  for (ArcId arc = climbing.first[node]; arc < climbing.first[node + 1]; ++arc) {
    const NodeId next = climbing.other_end[arc];
    const Distance next_distance = distance + climbing.weight[arc];
    std::uint32_t next_slot = labels_.find(next);
    if (next_slot == TouchedLabels<Label>::kNone) next_slot = labels_.add(next);
    Label& label = labels_[next_slot];
    const bool reached = (label.reached & kBit) != 0;
    if (reached && next_distance >= label.distance[kDirection]) continue;
    label.reached |= kBit;
    label.distance[kDirection] = next_distance;
    label.parent[kDirection] = node;
    label.parent_arc[kDirection] = arc;
    if (kOther) label.other[kDirection] = other + climbing.other_metric[arc];
    // A settled label never improves (weights are not negative), so a reached one is queued.
    if (reached) {
      heaps_[kDirection].decreaseKey(next_slot, next_distance);
    } else {
      heaps_[kDirection].push(next_slot, next_distance);
    }
  }
  return true;
}

template <int kDirection>
void ChSearch::settleNext(Distance& best, std::uint32_t& meeting) {
  constexpr int kOther = 1 - kDirection;
  const std::uint32_t slot = heaps_[kDirection].pop().node;
  const Label& label = labels_[slot];
  if ((label.reached & (1u << kOther)) != 0 && label.distance[kDirection] + label.distance[kOther] < best) {
    best = label.distance[kDirection] + label.distance[kOther];
    meeting = slot;
  }
  relax<kDirection, false>(slot);
}

ChSearch::Route ChSearch::route(NodeId from, NodeId to, bool unpack_path, const Checkpoint& checkpoint) {
  checkNode(from, "from");
  checkNode(to, "to");
  settled_ = 0;
  if (from == to) return {0, {from}, {}};
  labels_.clear();
  heaps_[kForward].clear();
  heaps_[kBackward].clear();
  start(kForward, ch_.rank(from));
  start(kBackward, ch_.rank(to));

  Distance best = kUnreachable;
  std::uint32_t meeting = TouchedLabels<Label>::kNone;
  for (;;) {
    const bool forward_done = heaps_[kForward].empty() || heaps_[kForward].topKey() >= best;
    const bool backward_done = heaps_[kBackward].empty() || heaps_[kBackward].topKey() >= best;
    if (forward_done && backward_done) break;
    if (!forward_done && (backward_done || heaps_[kForward].topKey() <= heaps_[kBackward].topKey())) {
      settleNext<kForward>(best, meeting);
    } else {
      settleNext<kBackward>(best, meeting);
    }
    countSettled(checkpoint);
  }

  Route result;
  if (meeting == TouchedLabels<Label>::kNone) return result;
  result.distance = best;
  if (!unpack_path) return result;
  // The up arcs from the meeting node back to the source, then unpacked in path order.
  std::vector<std::uint32_t> climbed;
  for (std::uint32_t slot = meeting; labels_[slot].parent[kForward] != kInvalidNode;
       slot = labels_.find(labels_[slot].parent[kForward])) {
    climbed.push_back(slot);
  }
  for (auto at = climbed.rbegin(); at != climbed.rend(); ++at) {
    const Label& label = labels_[*at];
    unpack(true, label.parent_arc[kForward], result.arcs);
  }
  for (std::uint32_t slot = meeting; labels_[slot].parent[kBackward] != kInvalidNode;
       slot = labels_.find(labels_[slot].parent[kBackward])) {
    const Label& label = labels_[slot];
    unpack(false, label.parent_arc[kBackward], result.arcs);
  }
  result.nodes.reserve(result.arcs.size() + 1);
  result.nodes.push_back(from);
  for (const ArcId arc : result.arcs) result.nodes.push_back(graph_.head(arc));
  return result;
}

void ChSearch::unpack(bool up, ArcId index, std::vector<ArcId>& arcs) {
  // Depth first, second child pushed first, so that arcs come out in path order. In a sound
  // hierarchy children are stored lower than their parent, so this ends; a load checks only
  // that they exist (checkHierarchyBounds), so a damaged file that made shortcuts loop is cut
  // off here: a path of a shortcut tree has at most as many arcs as the graph.
  std::size_t budget = 2 * (std::size_t{graph_.arcCount()} + 1);
  unpack_stack_.clear();
  unpack_stack_.push_back({up, index});
  while (!unpack_stack_.empty()) {
    if (budget-- == 0) {
      throw DamagedHierarchy("the contraction hierarchy's shortcuts do not unpack into a path; "
                             "`twinlane-graph verify` checks the snapshot");
    }
    const PendingArc arc = unpack_stack_.back();
    unpack_stack_.pop_back();
    const ChUnpack how = (arc.up ? ch_.up() : ch_.down()).unpack[arc.index];
    if (!how.isShortcut()) {
      arcs.push_back(how.first);
      continue;
    }
    unpack_stack_.push_back({true, how.second});
    unpack_stack_.push_back({false, how.first});
  }
}

template <int kDirection, bool kOther, typename Visit>
void ChSearch::climb(NodeId rank, const Checkpoint& checkpoint, Visit&& visit) {
  labels_.clear();
  heaps_[kDirection].clear();
  start(kDirection, rank);
  while (!heaps_[kDirection].empty()) {
    const std::uint32_t slot = heaps_[kDirection].pop().node;
    if (relax<kDirection, kOther>(slot)) visit(slot);
    countSettled(checkpoint);
  }
}

ChSearch::Matrix ChSearch::matrix(std::span<const NodeId> sources, std::span<const NodeId> targets, bool other,
                                  const Checkpoint& checkpoint) {
  for (const NodeId source : sources) checkNode(source, "source");
  for (const NodeId target : targets) checkNode(target, "target");
  other = other && ch_.otherMetric() != Metric::kUnitless;
  settled_ = 0;
  Matrix result;
  result.columns = targets.size();
  result.distances.assign(sources.size() * targets.size(), kUnreachable);
  if (other) result.other.assign(result.distances.size(), 0);

  buckets_.clear();
  for (std::uint32_t column = 0; column < targets.size(); ++column) {
    const auto leave = [&](std::uint32_t slot) {
      const Label& label = labels_[slot];
      buckets_.push_back({label.node, column, label.distance[kBackward], label.other[kBackward]});
    };
    if (other) {
      climb<kBackward, true>(ch_.rank(targets[column]), checkpoint, leave);
    } else {
      climb<kBackward, false>(ch_.rank(targets[column]), checkpoint, leave);
    }
  }
  std::sort(buckets_.begin(), buckets_.end(), [](const BucketEntry& a, const BucketEntry& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.target < b.target;
  });
  bucket_index_.clear();
  for (std::uint32_t at = 0; at < buckets_.size(); ++at) {
    if (at == 0 || buckets_[at].rank != buckets_[at - 1].rank) {
      const std::uint32_t slot = bucket_index_.add(buckets_[at].rank);
      bucket_index_[slot].begin = at;
    }
    bucket_index_[bucket_index_.size() - 1].end = at + 1;
  }

  for (std::size_t row = 0; row < sources.size(); ++row) {
    Distance* distances = result.distances.data() + row * result.columns;
    std::uint64_t* others = other ? result.other.data() + row * result.columns : nullptr;
    const auto meet = [&](std::uint32_t slot) {
      const Label& label = labels_[slot];
      const std::uint32_t bucket = bucket_index_.find(label.node);
      if (bucket == TouchedLabels<BucketRange>::kNone) return;
      for (std::uint32_t at = bucket_index_[bucket].begin; at < bucket_index_[bucket].end; ++at) {
        const BucketEntry& entry = buckets_[at];
        const Distance through = label.distance[kForward] + entry.distance;
        if (through < distances[entry.target]) {
          distances[entry.target] = through;
          if (others != nullptr) others[entry.target] = label.other[kForward] + entry.other;
        }
      }
    };
    if (other) {
      climb<kForward, true>(ch_.rank(sources[row]), checkpoint, meet);
    } else {
      climb<kForward, false>(ch_.rank(sources[row]), checkpoint, meet);
    }
  }
  return result;
}

}  // namespace twinlane::app
