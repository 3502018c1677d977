// SPDX-License-Identifier: Apache-2.0
// Strongly connected components of a Graph (iterative Tarjan, so deep graphs cannot overflow
// the stack). Used by the generator to keep the largest component and by `twinlane-graph info`.
// Owns only its result; runs in whichever process asks, typically the master or a tool.
#pragma once

#include <cstdint>
#include <vector>

#include "graph.h"

namespace twinlane::app {

struct StronglyConnectedComponents {
  std::vector<std::uint32_t> component_of;  // per node, in 0..count-1
  std::uint32_t count = 0;
  std::uint32_t largest = 0;       // the id of a largest component (the lowest such id)
  std::uint32_t largest_size = 0;  // its number of nodes
};

StronglyConnectedComponents computeStronglyConnectedComponents(const Graph& graph);

}  // namespace twinlane::app
