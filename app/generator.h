// SPDX-License-Identifier: Apache-2.0
// A deterministic synthetic road network, the embedded default when no data is configured and a
// workload for benchmarks.
//
// generateRoadGraph owns the recipe, made to look like real roads to a search (Rhein-Neckar has
// 1.86 arcs per node and 80% of its nodes are degree-2 shape points):
// - local streets: east-west streets with short north-south connectors between them, staggered
//   from block to block, so most junctions are T-junctions; some street segments are missing,
//   some are one-way, and some blocks have a dead-end cul-de-sac;
// - arterials every few blocks in both directions: straight, complete, two-way and faster;
// - a few motorways across the area, as two one-way carriageways that meet the arterials only at
//   interchanges every few kilometres (off and on ramps); elsewhere they pass over the streets;
// - every road between two junctions is a bent chain of degree-2 shape points.
// Only the largest strongly connected component of the junctions is kept; the shape points are
// then spread over its roads (more per metre on local streets than on motorways) so that the
// graph has `nodes` nodes: exactly for requests of a few thousand nodes and more; a very small
// request still gets a few blocks, so it can come out larger. Nodes are numbered south to north,
// then west to east (node 0 and the last node are opposite corners).
// Every arc carries both metrics: its length in metres (the great-circle length of the arc,
// rounded up, at least 1) and its travel time at the speed of its road class; weight() is the
// length, so a distance heuristic is admissible.
// The same options give the same graph (and checksum) on every machine: randomness comes from
// our own splitmix64, positions from integer arithmetic, never std:: distributions.
#pragma once

#include <cstdint>

#include "graph.h"

namespace twinlane::app {

struct GeneratorOptions {
  NodeId nodes = 250'000;  // node count of the result (see above)
  std::uint64_t seed = 1;
  std::int32_t center_lon_e6 = 8'500'000;  // near Mannheim
  std::int32_t center_lat_e6 = 49'450'000;
  std::uint32_t block_m = 100;                    // spacing of the east-west local streets
  std::uint32_t missing_street_permille = 120;    // local street segments left out
  std::uint32_t one_way_permille = 250;           // local street segments that are one-way
  std::uint32_t dead_end_permille = 500;          // long blocks with a cul-de-sac
  std::uint32_t arterial_blocks = 6;              // blocks between arterials
  std::uint32_t motorway_spacing_m = 7'000;       // between parallel motorways
  std::uint32_t interchange_spacing_m = 4'000;    // between interchanges along a motorway
};

// Throws std::invalid_argument for options that cannot make a graph (e.g. nodes < 4, a zero
// block or spacing, a permille above 1000, an area that does not fit on the globe).
Graph generateRoadGraph(const GeneratorOptions& options = {});

}  // namespace twinlane::app
