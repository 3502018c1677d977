// SPDX-License-Identifier: Apache-2.0
// The hierarchy's views and its validation: see contraction_hierarchy.h.
#include "contraction_hierarchy.h"

#include <stdexcept>
#include <string>

namespace twinlane::app {
namespace {

[[noreturn]] void fail(const std::string& problem) {
  throw std::invalid_argument("contraction hierarchy: " + problem);
}

template <typename T>
std::span<const T> viewOf(const std::vector<T>& values) {
  return {values.data(), values.size()};
}

std::uint32_t otherMetricOfArc(const Graph& graph, Metric other, ArcId arc) {
  return other == Metric::kLengthMeters ? graph.lengthMeters(arc) : graph.durationDeciseconds(arc);
}

class Validator {
 public:
  Validator(const ContractionHierarchy& hierarchy, const Graph& graph)
      : ch_(hierarchy), graph_(graph), n_(graph.nodeCount()) {}

  void run() {
    checkPermutation();
    storedAt(ch_.up(), up_stored_at_);
    storedAt(ch_.down(), down_stored_at_);
    checkArcs(ch_.up(), "up", true);
    checkArcs(ch_.down(), "down", false);
  }

 private:
  // After checkHierarchyBounds: lengths and ranges hold.
  void checkPermutation() const {
    const auto& a = ch_.arrays();
    for (NodeId node = 0; node < n_; ++node) {
      if (a.order[a.rank[node]] != node) {
        fail("rank and order are not inverse permutations at node " + std::to_string(node));
      }
    }
  }

  // The rank each arc is stored at.
  void storedAt(const ChArcs& arcs, std::vector<NodeId>& stored_at) const {
    stored_at.assign(arcs.other_end.size(), 0);
    for (NodeId rank = 0; rank < n_; ++rank) {
      for (ArcId arc = arcs.first[rank]; arc < arcs.first[rank + 1]; ++arc) stored_at[arc] = rank;
    }
  }

  void checkArcs(const ChArcs& arcs, const std::string& name, bool up) const {
    for (NodeId rank = 0; rank < n_; ++rank) {
      for (ArcId arc = arcs.first[rank]; arc < arcs.first[rank + 1]; ++arc) {
        const NodeId end = arcs.other_end[arc];
        // The original direction of the arc, in ranks.
        const NodeId from = up ? rank : end;
        const NodeId to = up ? end : rank;
        checkArc(arcs, arc, from, to, name);
      }
    }
  }

  void checkArc(const ChArcs& arcs, ArcId arc, NodeId from, NodeId to, const std::string& name) const {
    const std::string where = name + " arc " + std::to_string(arc);
    const ChUnpack how = arcs.unpack[arc];
    const bool other = !arcs.other_metric.empty();
    if (!how.isShortcut()) {
      const ArcId graph_arc = how.first;
      if (graph_arc >= graph_.arcCount() || graph_.head(graph_arc) != ch_.node(to) ||
          graph_arc < graph_.firstOut(ch_.node(from)) || graph_arc >= graph_.endOut(ch_.node(from))) {
        fail(where + " names graph arc " + std::to_string(graph_arc) + ", which does not join its ends");
      }
      if (graph_.weight(graph_arc) != arcs.weight[arc] ||
          (other && otherMetricOfArc(graph_, ch_.otherMetric(), graph_arc) != arcs.other_metric[arc])) {
        fail(where + " does not weigh what graph arc " + std::to_string(graph_arc) + " weighs");
      }
      return;
    }
    // The children: the down arc from -> middle and the up arc middle -> to, both at middle.
    const ChArcs& down = ch_.down();
    const ChArcs& up = ch_.up();
    const NodeId middle = down_stored_at_[how.first];
    if (up_stored_at_[how.second] != middle || middle >= from || middle >= to ||
        down.other_end[how.first] != from || up.other_end[how.second] != to) {
      fail(where + " is a shortcut whose child arcs do not join its ends through a lower node");
    }
    if (std::uint64_t{down.weight[how.first]} + up.weight[how.second] != arcs.weight[arc] ||
        (other && std::uint64_t{down.other_metric[how.first]} + up.other_metric[how.second] != arcs.other_metric[arc])) {
      fail(where + " is a shortcut that does not weigh what its children weigh");
    }
  }

  const ContractionHierarchy& ch_;
  const Graph& graph_;
  NodeId n_;
  std::vector<NodeId> up_stored_at_;
  std::vector<NodeId> down_stored_at_;
};

}  // namespace

ContractionHierarchy ContractionHierarchy::fromStorage(std::shared_ptr<const ChStorage> storage, Metric other_metric) {
  const ChStorage& s = *storage;
  const ChArrays arrays{
      .rank = viewOf(s.rank),
      .order = viewOf(s.order),
      .up = {viewOf(s.up_first), viewOf(s.up_other_end), viewOf(s.up_weight), viewOf(s.up_unpack),
             viewOf(s.up_other_metric)},
      .down = {viewOf(s.down_first), viewOf(s.down_other_end), viewOf(s.down_weight), viewOf(s.down_unpack),
               viewOf(s.down_other_metric)},
  };
  return ContractionHierarchy(arrays, std::move(storage), other_metric);
}

std::size_t ContractionHierarchy::memoryBytes() const {
  const auto arcBytes = [](const ChArcs& arcs) {
    return arcs.first.size_bytes() + arcs.other_end.size_bytes() + arcs.weight.size_bytes() + arcs.unpack.size_bytes() +
           arcs.other_metric.size_bytes();
  };
  return arrays_.rank.size_bytes() + arrays_.order.size_bytes() + arcBytes(arrays_.up) + arcBytes(arrays_.down);
}

Metric otherMetricOf(const Graph& graph) {
  if (graph.metric() == Metric::kLengthMeters && graph.hasDurations()) return Metric::kDurationDeciseconds;
  if (graph.metric() == Metric::kDurationDeciseconds && graph.hasLengths()) return Metric::kLengthMeters;
  return Metric::kUnitless;
}

void checkHierarchyBounds(const ContractionHierarchy& hierarchy, const Graph& graph) {
  const NodeId n = graph.nodeCount();
  const ChArrays& a = hierarchy.arrays();
  if (a.rank.size() != n || a.order.size() != n) {
    fail("rank and order have " + std::to_string(a.rank.size()) + " and " + std::to_string(a.order.size()) +
         " entries for " + std::to_string(n) + " nodes");
  }
  for (NodeId i = 0; i < n; ++i) {
    if (a.rank[i] >= n || a.order[i] >= n) fail("rank or order out of range at " + std::to_string(i));
  }
  const auto checkArcs = [&](const ChArcs& arcs, const std::string& name, std::size_t other_count) {
    const std::size_t count = arcs.other_end.size();
    if (arcs.first.size() != std::size_t{n} + 1 || arcs.first.front() != 0 || arcs.first.back() != count) {
      fail(name + ".first does not run from 0 to its " + std::to_string(count) + " arcs over the nodes");
    }
    if (arcs.weight.size() != count || arcs.unpack.size() != count ||
        (!arcs.other_metric.empty() && arcs.other_metric.size() != count) ||
        (arcs.other_metric.empty() != (hierarchy.otherMetric() == Metric::kUnitless))) {
      fail(name + " arrays differ in length");
    }
    for (NodeId rank = 0; rank < n; ++rank) {
      if (arcs.first[rank + 1] < arcs.first[rank]) fail(name + ".first decreases at rank " + std::to_string(rank));
      for (ArcId arc = arcs.first[rank]; arc < arcs.first[rank + 1]; ++arc) {
        if (arcs.other_end[arc] <= rank || arcs.other_end[arc] >= n) {
          fail(name + " arc " + std::to_string(arc) + " at rank " + std::to_string(rank) + " does not climb");
        }
        const ChUnpack how = arcs.unpack[arc];
        const bool in_range = how.isShortcut() ? how.first < a.down.other_end.size() && how.second < other_count
                                               : how.first < graph.arcCount();
        if (!in_range) fail(name + " arc " + std::to_string(arc) + " unpacks into arcs that do not exist");
      }
    }
  };
  checkArcs(a.up, "up", a.up.other_end.size());
  checkArcs(a.down, "down", a.up.other_end.size());
}

void validateHierarchy(const ContractionHierarchy& hierarchy, const Graph& graph) {
  checkHierarchyBounds(hierarchy, graph);
  Validator validator(hierarchy, graph);
  validator.run();
}

}  // namespace twinlane::app
