// SPDX-License-Identifier: Apache-2.0
// Importing an OpenStreetMap extract (PBF or XML, via libosmium) as a routable road network.
//
// importOsm owns the way from OSM objects to dense arcs: it keeps the car roads that
// osm_rules.h accepts, makes every node of such a way a graph node (intersections and shape
// points alike), joins consecutive nodes by arcs with a length in metres and a car travel time,
// merges parallel arcs and keeps only the largest strongly connected component, so that every
// query has an answer. With the distance profile the result equals the shared OSM-road-d.*
// DIMACS graphs made by ../shared/data/tools/osm2dimacs.py. It writes no file: the snapshot
// writer (and twinlane-graph) take the result from here. Runs in a tool, never in the server.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "graph.h"

namespace twinlane::app {

class ProgressLine;

// Which metric decides between parallel arcs (and which the graph will search by).
enum class OsmProfile { kCar, kDistance };

// "car" or "distance"; nullopt for anything else.
std::optional<OsmProfile> parseOsmProfile(std::string_view name);
std::string_view osmProfileName(OsmProfile profile);

// length_m: great-circle length rounded up, at least 1; duration_ds: car travel time in
// deciseconds, rounded, at least 1. The same arc Graph::fromRoads takes.
using ImportedArc = RoadArc;

struct ImportSummary {
  std::uint64_t ways_read = 0;              // every way in the file
  std::uint64_t road_ways = 0;              // car roads with arcs and two located nodes
  std::uint64_t unknown_maxspeed_ways = 0;  // road ways whose maxspeed we could not read
  std::uint64_t missing_locations = 0;      // node references of road ways without a node
  std::uint64_t nodes_before_pruning = 0;
  std::uint64_t arcs_before_pruning = 0;    // after merging parallel arcs
  std::uint64_t nodes = 0;                  // in the largest strongly connected component
  std::uint64_t arcs = 0;
  double seconds = 0;                       // wall time of the whole import
};

struct ImportedRoads {
  std::vector<std::int64_t> osm_ids;     // per dense node, ascending
  std::vector<Coordinate> coordinates;   // per node, microdegrees rounded to nearest (ties even)
  std::vector<ImportedArc> arcs;         // sorted by (tail, head); no parallel arcs, no loops
  ImportSummary summary;
};

// Reads `path` (format from its name: .osm.pbf, .osm, .osm.bz2, ...) in one pass. A node
// reference without a node in the file is counted and skipped: its neighbours on the way are
// joined directly, as osm2dimacs.py does. Of parallel arcs the one with the smaller metric of
// `profile` (length for kDistance, duration for kCar) stays, ties broken by the other metric.
// Reports the phases `reading` and `building` on `progress` when it is not null.
// Throws GraphFormatError: `PATH: not a readable OSM file: WHAT` when libosmium cannot read it
// (missing, truncated, corrupt), `PATH: no car roads (N ways read)` when nothing routable is
// left.
ImportedRoads importOsm(const std::string& path, OsmProfile profile, ProgressLine* progress);

// One line for a tool's output: nodes, arcs, what the component pruning dropped (with
// percentages), unknown maxspeeds, missing locations and the time taken.
std::string formatImportSummary(const ImportSummary& summary);

}  // namespace twinlane::app
