// SPDX-License-Identifier: Apache-2.0
// Option parsing of twinlane-graph.
#include "tool/tool_support.h"

#include <charconv>
#include <cstdio>
#include <optional>

#include "ch_builder.h"
#include "nearest.h"
#include "progress_line.h"

namespace twinlane::app::tool {

ParsedArguments parseArguments(const std::vector<std::string_view>& arguments) {
  ParsedArguments parsed;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string_view argument = arguments[i];
    if (argument == "--help" || argument == "-h") {
      parsed.help = true;
    } else if (argument.starts_with("--")) {
      if (const auto equals = argument.find('='); equals != std::string_view::npos) {
        parsed.options.emplace_back(argument.substr(0, equals), argument.substr(equals + 1));
      } else if (i + 1 < arguments.size()) {
        parsed.options.emplace_back(argument, arguments[++i]);
      } else {
        throw UsageError{std::string(argument) + " needs a value"};
      }
    } else if (argument.starts_with("-") && argument.size() > 1) {
      throw UsageError{"unknown option " + std::string(argument)};
    } else {
      parsed.positional.emplace_back(argument);
    }
  }
  return parsed;
}

std::uint64_t parseCount(std::string_view option, std::string_view text) {
  std::uint64_t value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw UsageError{std::string(option) + " needs a non-negative integer, got '" + std::string(text) + "'"};
  }
  return value;
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string writeSnapshotWithHierarchy(const Graph& graph, const SnapshotOrigin& origin, const std::string& out) {
  ProgressLine line;
  const auto contract_start = std::chrono::steady_clock::now();
  std::optional<ContractionHierarchy> hierarchy;
  {
    ProgressPhase phase(&line, "contracting", graph.nodeCount(), ProgressUnit::kSteps);
    hierarchy.emplace(buildContractionHierarchy(graph, [&](NodeId done, NodeId) { phase.update(done); }));
  }
  const double contract_s = secondsSince(contract_start);
  const std::optional<NearestIndex> nearest =
      graph.hasCoordinates() ? std::optional<NearestIndex>(graph) : std::nullopt;
  {
    std::optional<ProgressPhase> phase;
    writeSnapshotFile(graph, nearest ? &*nearest : nullptr, &*hierarchy, origin, out,
                      [&](std::uint64_t written, std::uint64_t total) {
                        if (!phase) phase.emplace(&line, "writing", total, ProgressUnit::kBytes);
                        phase->update(written);
                      });
  }
  char summary[96];
  std::snprintf(summary, sizeof(summary), "contraction hierarchy %s arcs in %.1f s",
                withThousands(hierarchy->arcCount()).c_str(), contract_s);
  return summary;
}

}  // namespace twinlane::app::tool
