// SPDX-License-Identifier: Apache-2.0
// Tarjan's algorithm with an explicit call stack of (node, next arc) frames.
#include "graph_components.h"

namespace twinlane::app {

StronglyConnectedComponents computeStronglyConnectedComponents(const Graph& graph) {
  constexpr std::uint32_t kUnvisited = UINT32_MAX;
  const NodeId n = graph.nodeCount();
  StronglyConnectedComponents result;
  result.component_of.assign(n, kUnvisited);

  std::vector<std::uint32_t> index(n, kUnvisited);
  std::vector<std::uint32_t> low_link(n, 0);
  std::vector<bool> on_stack(n, false);
  std::vector<NodeId> tarjan_stack;
  struct Frame {
    NodeId node;
    ArcId next_arc;
  };
  std::vector<Frame> call_stack;
  std::vector<std::uint32_t> sizes;
  std::uint32_t next_index = 0;

  for (NodeId root = 0; root < n; ++root) {
    if (index[root] != kUnvisited) continue;
    auto visit = [&](NodeId node) {
      index[node] = low_link[node] = next_index++;
      tarjan_stack.push_back(node);
      on_stack[node] = true;
      call_stack.push_back({node, graph.firstOut(node)});
    };
    visit(root);
    while (!call_stack.empty()) {
      Frame& frame = call_stack.back();
      const NodeId node = frame.node;
      if (frame.next_arc < graph.endOut(node)) {
        const NodeId head = graph.head(frame.next_arc++);
        if (index[head] == kUnvisited) {
          visit(head);  // invalidates `frame`
        } else if (on_stack[head] && index[head] < low_link[node]) {
          low_link[node] = index[head];
        }
        continue;
      }
      call_stack.pop_back();
      if (!call_stack.empty()) {
        const NodeId parent = call_stack.back().node;
        if (low_link[node] < low_link[parent]) low_link[parent] = low_link[node];
      }
      if (low_link[node] == index[node]) {
        const std::uint32_t component = result.count++;
        std::uint32_t size = 0;
        NodeId member;
        do {
          member = tarjan_stack.back();
          tarjan_stack.pop_back();
          on_stack[member] = false;
          result.component_of[member] = component;
          ++size;
        } while (member != node);
        sizes.push_back(size);
      }
    }
  }
  for (std::uint32_t component = 0; component < result.count; ++component) {
    if (sizes[component] > result.largest_size) {
      result.largest = component;
      result.largest_size = sizes[component];
    }
  }
  return result;
}

}  // namespace twinlane::app
