// SPDX-License-Identifier: Apache-2.0
// `twinlane-graph convert` (DIMACS to snapshot) and `twinlane-graph import` (OpenStreetMap to
// snapshot): the commands that make the files a server maps.
#include <cstdio>
#include <iostream>
#include <string>

#include "dimacs.h"
#include "nearest.h"
#include "osm_import.h"
#include "progress_line.h"
#include "snapshot_writer.h"
#include "tool/commands.h"
#include "tool/tool_support.h"

namespace twinlane::app::tool {

const char* const kConvertUsage =
    "usage: twinlane-graph convert GR [CO] OUT\n"
    "\n"
    "Writes the DIMACS graph GR (with the coordinates CO), plain or gzip, as the snapshot OUT,\n"
    "which a server maps instead of parsing text, with the graph's contraction hierarchy (the\n"
    "fast route search; a server builds one at load for a file without it). OUT is replaced\n"
    "atomically. The graph keeps its checksum.\n";

const char* const kImportUsage =
    "usage: twinlane-graph import --profile car|distance INPUT.osm.pbf OUT\n"
    "\n"
    "Reads an OpenStreetMap extract (PBF, or XML .osm / .osm.bz2) and writes the roads a car\n"
    "may use as the snapshot OUT, replaced atomically. Every arc keeps its length in metres and\n"
    "its travel time; the profile says which one searches minimise:\n"
    "  car        travel time, from the road class's speed or a parseable maxspeed tag\n"
    "  distance   length in metres\n"
    "Only the largest strongly connected component is kept; nodes keep their OSM ids. The\n"
    "snapshot holds the contraction hierarchy of the profile's metric, built here.\n";

int runConvert(const Arguments& arguments) {
  const ParsedArguments parsed = parseArguments(arguments);
  if (parsed.help) {
    std::cout << kConvertUsage;
    return 0;
  }
  if (!parsed.options.empty()) throw UsageError{"unknown option " + parsed.options[0].first};
  const auto& paths = parsed.positional;
  if (paths.size() < 2) throw UsageError{"GR and OUT are needed"};
  if (paths.size() > 3) throw UsageError{"too many arguments"};
  const std::string& out = paths.back();
  const auto start = std::chrono::steady_clock::now();
  const Graph graph = readDimacs(paths[0], paths.size() == 3 ? paths[1] : std::string());
  const std::string hierarchy = writeSnapshotWithHierarchy(graph, {snapshot::Profile::kDimacs, paths[0]}, out);
  std::printf("wrote %s: %u nodes, %u arcs, checksum %s; %s (%.1f s)\n", out.c_str(), graph.nodeCount(),
              graph.arcCount(), graph.checksum().c_str(), hierarchy.c_str(), secondsSince(start));
  return 0;
}

int runImport(const Arguments& arguments) {
  const ParsedArguments parsed = parseArguments(arguments);
  if (parsed.help) {
    std::cout << kImportUsage;
    return 0;
  }
  std::optional<OsmProfile> profile;
  for (const auto& [name, value] : parsed.options) {
    if (name != "--profile") throw UsageError{"unknown option " + name};
    profile = parseOsmProfile(value);
    if (!profile) throw UsageError{"--profile is car or distance, got '" + value + "'"};
  }
  if (!profile) throw UsageError{"--profile car|distance is needed"};
  if (parsed.positional.size() != 2) throw UsageError{"INPUT and OUT are needed"};
  const std::string& input = parsed.positional[0];
  const std::string& out = parsed.positional[1];

  const auto start = std::chrono::steady_clock::now();
  ProgressLine line;
  ImportedRoads roads = importOsm(input, *profile, &line);
  const NodeId nodes = static_cast<NodeId>(roads.osm_ids.size());
  const Graph graph = Graph::fromRoads(nodes, std::move(roads.arcs), std::move(roads.coordinates),
                                       std::move(roads.osm_ids),
                                       *profile == OsmProfile::kCar ? Metric::kDurationDeciseconds : Metric::kLengthMeters,
                                       input);
  const std::string hierarchy = writeSnapshotWithHierarchy(
      graph, {*profile == OsmProfile::kCar ? snapshot::Profile::kCar : snapshot::Profile::kDistance, input}, out);
  roads.summary.seconds = secondsSince(start);
  std::printf("imported %s (%s): %s; %s\n", out.c_str(), std::string(osmProfileName(*profile)).c_str(),
              formatImportSummary(roads.summary).c_str(), hierarchy.c_str());
  return 0;
}

}  // namespace twinlane::app::tool
