// SPDX-License-Identifier: Apache-2.0
// `twinlane-graph info` (either format) and `twinlane-graph verify` (a snapshot, in depth).
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

#include "dimacs.h"
#include "graph_components.h"
#include "graph_file.h"
#include "graph_statistics.h"
#include "mapped_file.h"
#include "snapshot_reader.h"
#include "snapshot_verify.h"
#include "tool/commands.h"
#include "tool/tool_support.h"

namespace twinlane::app::tool {

const char* const kInfoUsage =
    "usage: twinlane-graph info FILE [CO]\n"
    "\n"
    "Describes a graph file: a snapshot, or a DIMACS .gr (with its .co coordinates), plain or\n"
    "gzip. Prints node and arc counts, coordinates, metrics, its checksum, its strongly\n"
    "connected components, its shape (arcs per node, the shares of nodes by undirected degree,\n"
    "one-way arcs, median arc weight and length) and the load time; for a snapshot also its\n"
    "format version, where it was made from and its sections.\n";

const char* const kVerifyUsage =
    "usage: twinlane-graph verify SNAPSHOT\n"
    "\n"
    "Checks a snapshot beyond what a server checks at load: that the reverse arrays are exactly\n"
    "the forward arcs reversed, that the nearest-node index holds every node once, and that the\n"
    "stored checksum and A* scale are what the arrays give. Exit 0 when sound, 1 otherwise.\n";

namespace {

// Degree is undirected: distinct neighbours. Degree 2 are shape points and through nodes.
void printStatistics(const GraphStatistics& statistics) {
  std::printf("arcs/node:   %.2f\n", statistics.arcs_per_node);
  std::printf("degree:      1: %.1f%%  2: %.1f%%  3: %.1f%%  4: %.1f%%  5+: %.1f%%", 100 * statistics.degreeShare(1),
              100 * statistics.degreeShare(2), 100 * statistics.degreeShare(3), 100 * statistics.degreeShare(4),
              100 * statistics.degreeShare(5));
  if (statistics.nodes_by_degree[0] > 0) std::printf("  isolated: %u", statistics.nodes_by_degree[0]);
  std::printf("\n");
  std::printf("degree 2:    %.1f%% of nodes\n", 100 * statistics.degreeShare(2));
  std::printf("one-way:     %.1f%% of arcs\n", 100.0 * statistics.one_way_arcs / std::max<ArcId>(statistics.arcs, 1));
  if (statistics.median_weight) std::printf("median weight: %u\n", *statistics.median_weight);
  if (statistics.median_length_m) std::printf("median length: %u m\n", *statistics.median_length_m);
}

void printGraph(const Graph& graph, double load_s) {
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(graph);
  std::printf("source:      %s\n", graph.source().c_str());
  std::printf("nodes:       %u\n", graph.nodeCount());
  std::printf("arcs:        %u\n", graph.arcCount());
  std::printf("coordinates: %s\n", graph.hasCoordinates() ? "yes" : "no");
  std::printf("weights:     %s\n", metricName(graph.metric()));
  std::printf("metrics:     %s%s\n", graph.hasLengths() ? "length_m " : "", graph.hasDurations() ? "duration_ds" : "");
  std::printf("osm ids:     %s\n", graph.hasOsmIds() ? "yes" : "no");
  std::printf("checksum:    %s\n", graph.checksum().c_str());
  std::printf("strongly connected components: %u, largest %u nodes (%.1f%%)\n", components.count,
              components.largest_size, 100.0 * components.largest_size / std::max<NodeId>(graph.nodeCount(), 1));
  printStatistics(computeGraphStatistics(graph));
  std::printf("memory:      %.1f MiB\n", static_cast<double>(graph.memoryBytes()) / (1 << 20));
  std::printf("load time:   %.0f ms\n", load_s * 1000);
}

void printSnapshot(const SnapshotContents& contents) {
  const auto created = static_cast<std::time_t>(contents.created_unix);
  char when[32] = "?";
  std::strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&created));
  std::printf("format:      twinlane snapshot %u.%u\n", contents.version_major, contents.version_minor);
  std::printf("profile:     %s\n", std::string(snapshot::profileName(contents.profile)).c_str());
  std::printf("made from:   %s, %s\n", contents.made_from.c_str(), when);
  std::printf("sections:\n");
  for (const SnapshotSectionInfo& section : contents.sections) {
    std::printf("  %-16s offset %12llu  %12llu bytes  %u-byte elements%s%s\n", section.name.c_str(),
                static_cast<unsigned long long>(section.offset), static_cast<unsigned long long>(section.length),
                section.element_size, section.required ? "  required" : "", section.known ? "" : "  (unknown, skipped)");
  }
}

std::vector<std::string> loadPaths(const Arguments& arguments, const char* usage, const char* first,
                                   std::size_t most, bool& help) {
  const ParsedArguments parsed = parseArguments(arguments);
  help = parsed.help;
  if (help) {
    std::cout << usage;
    return {};
  }
  if (!parsed.options.empty()) throw UsageError{"unknown option " + parsed.options[0].first};
  if (parsed.positional.empty()) throw UsageError{std::string(first) + " is missing"};
  if (parsed.positional.size() > most) throw UsageError{"too many arguments"};
  return parsed.positional;
}

}  // namespace

int runInfo(const Arguments& arguments) {
  bool help = false;
  const auto paths = loadPaths(arguments, kInfoUsage, "FILE", 2, help);
  if (help) return 0;
  const auto start = std::chrono::steady_clock::now();
  if (sniffGraphFile(paths[0]).format == GraphFileFormat::kSnapshot) {
    if (paths.size() == 2) throw UsageError{"a snapshot holds its own coordinates; give only the snapshot"};
    const SnapshotContents contents = viewSnapshot(MappedFile::mapInPlace(paths[0]), paths[0]);
    const double load_s = secondsSince(start);
    printSnapshot(contents);
    printGraph(contents.graph, load_s);
    return 0;
  }
  const LoadedGraph loaded = loadGraphFile(paths[0], paths.size() == 2 ? paths[1] : std::string());
  const double load_s = secondsSince(start);
  std::printf("format:      DIMACS\n");
  printGraph(loaded.graph, load_s);
  return 0;
}

int runVerify(const Arguments& arguments) {
  bool help = false;
  const auto paths = loadPaths(arguments, kVerifyUsage, "SNAPSHOT", 1, help);
  if (help) return 0;
  const SnapshotContents contents = viewSnapshot(MappedFile::mapInPlace(paths[0]), paths[0]);
  const Graph& graph = contents.graph;
  const std::vector<std::string> problems = verifySnapshot(contents);
  for (const std::string& problem : problems) std::printf("%s: %s\n", paths[0].c_str(), problem.c_str());
  if (!problems.empty()) return kExitData;
  std::printf("%s: ok (%u nodes, %u arcs, checksum %s)\n", paths[0].c_str(), graph.nodeCount(), graph.arcCount(),
              graph.checksum().c_str());
  return 0;
}

}  // namespace twinlane::app::tool
