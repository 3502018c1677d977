// SPDX-License-Identifier: Apache-2.0
// A deterministic synthetic road network, the embedded default when no data is configured and a
// workload for benchmarks.
//
// generateRoadGraph owns the recipe: a jittered grid of streets with some missing, most two-way
// and some one-way, plus a few straight highways whose arcs skip several blocks; weights are
// metres, never below the great-circle length of the arc (so a distance heuristic is
// admissible). Only the largest strongly connected component is kept, renumbered in grid order.
// The same options give the same graph (and checksum) on every machine: randomness comes from
// our own splitmix64 and integer arithmetic, never std:: distributions.
#pragma once

#include <cstdint>

#include "graph.h"

namespace twinlane::app {

struct GeneratorOptions {
  NodeId nodes = 250'000;  // grid points; the result is the largest SCC, typically ~95% of them
  std::uint64_t seed = 1;
  std::int32_t center_lon_e6 = 8'500'000;  // near Mannheim
  std::int32_t center_lat_e6 = 49'450'000;
  std::uint32_t block_m = 120;              // grid spacing in metres
  std::uint32_t missing_street_permille = 80;
  std::uint32_t one_way_permille = 120;
  std::uint32_t highways = 6;               // half east-west, half north-south
  std::uint32_t highway_ramp_blocks = 8;    // blocks between highway junctions
};

// Throws std::invalid_argument for options that cannot make a graph (e.g. nodes < 4).
Graph generateRoadGraph(const GeneratorOptions& options = {});

}  // namespace twinlane::app
