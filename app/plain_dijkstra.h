// SPDX-License-Identifier: Apache-2.0
// plainDijkstra: textbook Dijkstra (binary heap, lazy deletion, arrays made per call), written
// for obviousness, not speed. It is the oracle the searches are tested against and the plain
// baseline the route benchmark measures; the server never calls it.
#pragma once

#include <cstddef>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "graph.h"

namespace twinlane::app {

// Distances from `source` to every node (kUnreachable where unreachable). When `stop_at` is a
// node, returns as soon as it is settled (other entries may then be tentative). `settled`, if
// given, receives the number of nodes settled.
inline std::vector<Distance> plainDijkstra(const Graph& graph, NodeId source, NodeId stop_at = kInvalidNode,
                                           std::size_t* settled_count = nullptr) {
  std::vector<Distance> distance(graph.nodeCount(), kUnreachable);
  std::vector<bool> settled(graph.nodeCount(), false);
  using Entry = std::pair<Distance, NodeId>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  std::size_t count = 0;
  distance[source] = 0;
  queue.push({0, source});
  while (!queue.empty()) {
    const auto [d, node] = queue.top();
    queue.pop();
    if (settled[node]) continue;
    settled[node] = true;
    ++count;
    if (node == stop_at) break;
    for (ArcId arc = graph.firstOut(node); arc < graph.endOut(node); ++arc) {
      const NodeId next = graph.head(arc);
      if (d + graph.weight(arc) < distance[next]) {
        distance[next] = d + graph.weight(arc);
        queue.push({distance[next], next});
      }
    }
  }
  if (settled_count) *settled_count = count;
  return distance;
}

inline Distance plainDistance(const Graph& graph, NodeId from, NodeId to, std::size_t* settled_count = nullptr) {
  return plainDijkstra(graph, from, to, settled_count)[to];
}

}  // namespace twinlane::app
