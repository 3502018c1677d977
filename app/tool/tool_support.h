// SPDX-License-Identifier: Apache-2.0
// What every twinlane-graph command shares: the usage error, option parsing, exit codes and the
// time since a start.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "graph.h"
#include "snapshot_writer.h"

namespace twinlane::app::tool {

inline constexpr int kExitData = 1;
inline constexpr int kExitUsage = 2;

// A command line the command cannot run; main prints it with the command's usage.
struct UsageError {
  std::string message;
};

// Splits arguments into `--name value` / `--name=value` options and positional arguments;
// `--help`/`-h` sets help. Every option takes a value.
struct ParsedArguments {
  std::vector<std::pair<std::string, std::string>> options;
  std::vector<std::string> positional;
  bool help = false;
};
ParsedArguments parseArguments(const std::vector<std::string_view>& arguments);

// A non-negative integer option value, or a UsageError naming the option.
std::uint64_t parseCount(std::string_view option, std::string_view text);

double secondsSince(std::chrono::steady_clock::time_point start);

// Builds the graph's contraction hierarchy (a "contracting" progress line on a terminal), then
// writes the snapshot with it and its nearest-node index ("writing"). Returns what the summary
// line says of the hierarchy, e.g. "contraction hierarchy 572,329 arcs in 2.1 s". Throws what
// the build and the writer throw.
std::string writeSnapshotWithHierarchy(const Graph& graph, const SnapshotOrigin& origin, const std::string& out);

}  // namespace twinlane::app::tool
