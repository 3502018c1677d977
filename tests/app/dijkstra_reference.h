// The oracle for search tests: textbook Dijkstra with std::priority_queue and lazy deletion,
// written for obviousness, not speed. Test-only.
#pragma once

#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "graph.h"

namespace twinlane::app::testing {

// Distances from `source` to every node (kUnreachable where unreachable). When `stop_at` is a
// node, returns as soon as it is settled (other entries may then be tentative).
inline std::vector<Distance> referenceDijkstra(const Graph& graph, NodeId source,
                                               NodeId stop_at = kInvalidNode) {
  std::vector<Distance> distance(graph.nodeCount(), kUnreachable);
  std::vector<bool> settled(graph.nodeCount(), false);
  using Entry = std::pair<Distance, NodeId>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  distance[source] = 0;
  queue.push({0, source});
  while (!queue.empty()) {
    const auto [d, node] = queue.top();
    queue.pop();
    if (settled[node]) continue;
    settled[node] = true;
    if (node == stop_at) break;
    for (ArcId arc = graph.firstOut(node); arc < graph.endOut(node); ++arc) {
      const NodeId next = graph.head(arc);
      if (d + graph.weight(arc) < distance[next]) {
        distance[next] = d + graph.weight(arc);
        queue.push({distance[next], next});
      }
    }
  }
  return distance;
}

inline Distance referenceDistance(const Graph& graph, NodeId from, NodeId to) {
  return referenceDijkstra(graph, from, to)[to];
}

}  // namespace twinlane::app::testing
