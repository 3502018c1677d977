// SPDX-License-Identifier: Apache-2.0
// computeGraphStatistics: one pass over the nodes for degrees and one-way arcs, then medians.
#include "graph_statistics.h"

#include <algorithm>
#include <vector>

namespace twinlane::app {
namespace {

template <typename T>
std::optional<T> medianOf(std::span<const T> values) {
  if (values.empty()) return std::nullopt;
  std::vector<T> copy(values.begin(), values.end());
  const auto middle = copy.begin() + static_cast<std::ptrdiff_t>(copy.size() / 2);
  std::nth_element(copy.begin(), middle, copy.end());
  return *middle;
}

}  // namespace

double GraphStatistics::degreeShare(unsigned degree) const {
  if (nodes == 0) return 0;
  return static_cast<double>(nodes_by_degree[std::min(degree, 5u)]) / nodes;
}

GraphStatistics computeGraphStatistics(const Graph& graph) {
  GraphStatistics statistics;
  statistics.nodes = graph.nodeCount();
  statistics.arcs = graph.arcCount();
  if (statistics.nodes > 0) statistics.arcs_per_node = static_cast<double>(statistics.arcs) / statistics.nodes;
  std::vector<NodeId> neighbours;
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    neighbours.clear();
    for (ArcId arc = graph.firstOut(node); arc < graph.endOut(node); ++arc) {
      const NodeId head = graph.head(arc);
      if (head != node) neighbours.push_back(head);
      bool has_reverse = head == node;
      for (ArcId back = graph.firstOut(head); !has_reverse && back < graph.endOut(head); ++back) {
        has_reverse = graph.head(back) == node;
      }
      statistics.one_way_arcs += !has_reverse;
    }
    for (ArcId in_arc = graph.firstIn(node); in_arc < graph.endIn(node); ++in_arc) {
      if (graph.tail(in_arc) != node) neighbours.push_back(graph.tail(in_arc));
    }
    std::sort(neighbours.begin(), neighbours.end());
    const auto degree = static_cast<std::size_t>(std::unique(neighbours.begin(), neighbours.end()) - neighbours.begin());
    ++statistics.nodes_by_degree[std::min<std::size_t>(degree, 5)];
  }
  statistics.median_weight = medianOf(graph.weightArray());
  if (graph.hasLengths()) statistics.median_length_m = medianOf(graph.arrays().length_m);
  return statistics;
}

}  // namespace twinlane::app
