// SPDX-License-Identifier: Apache-2.0
// `twinlane-graph generate`: a synthetic road graph, as DIMACS text or as a snapshot.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "dimacs_writer.h"
#include "generator.h"
#include "nearest.h"
#include "snapshot_writer.h"
#include "tool/commands.h"
#include "tool/tool_support.h"

namespace twinlane::app::tool {

const char* const kGenerateUsage =
    "usage: twinlane-graph generate [--nodes N] [--seed S] [--format dimacs|snapshot] OUT_PREFIX\n"
    "\n"
    "Writes OUT_PREFIX.gr and OUT_PREFIX.co (DIMACS, ids 1..n), or OUT_PREFIX.twg (a snapshot,\n"
    "with its contraction hierarchy).\n"
    "The graph is road-like (local streets, arterials, motorways with ramps, each road a chain\n"
    "of shape points), strongly connected, weighed by length in metres with travel times as a\n"
    "second metric, and the same for the same N and S on every machine.\n"
    "\n"
    "  --nodes N    nodes of the graph (default 250000, >= 4; exact from a few thousand on)\n"
    "  --seed S     random seed (default 1)\n"
    "  --format F   dimacs (default) or snapshot\n";

int runGenerate(const Arguments& arguments) {
  const ParsedArguments parsed = parseArguments(arguments);
  if (parsed.help) {
    std::cout << kGenerateUsage;
    return 0;
  }
  GeneratorOptions options;
  bool snapshot_format = false;
  for (const auto& [name, value] : parsed.options) {
    if (name == "--nodes") {
      const std::uint64_t nodes = parseCount(name, value);
      if (nodes < 4 || nodes >= kInvalidNode) {
        throw UsageError{"--nodes must be at least 4 and below " + std::to_string(kInvalidNode)};
      }
      options.nodes = static_cast<NodeId>(nodes);
    } else if (name == "--seed") {
      options.seed = parseCount(name, value);
    } else if (name == "--format") {
      if (value != "dimacs" && value != "snapshot") throw UsageError{"--format is dimacs or snapshot, got '" + value + "'"};
      snapshot_format = value == "snapshot";
    } else {
      throw UsageError{"unknown option " + name};
    }
  }
  if (parsed.positional.size() != 1 || parsed.positional[0].empty()) {
    throw UsageError{parsed.positional.empty() ? "OUT_PREFIX is missing" : "too many arguments"};
  }
  const std::string& prefix = parsed.positional[0];

  const auto start = std::chrono::steady_clock::now();
  const Graph graph = generateRoadGraph(options);
  const double generate_s = secondsSince(start);
  std::string written;
  if (snapshot_format) {
    written = prefix + ".twg; " +
              writeSnapshotWithHierarchy(graph, {snapshot::Profile::kGenerated, graph.source()}, prefix + ".twg");
  } else {
    writeDimacs(graph, prefix + ".gr", prefix + ".co");
    written = prefix + ".gr and " + prefix + ".co";
  }
  std::printf("wrote %s: %u nodes, %u arcs, checksum %s (generated in %.0f ms)\n", written.c_str(),
              graph.nodeCount(), graph.arcCount(), graph.checksum().c_str(), generate_s * 1000);
  return 0;
}

}  // namespace twinlane::app::tool
