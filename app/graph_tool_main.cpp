// SPDX-License-Identifier: Apache-2.0
// twinlane-graph: the command-line tool for graph data (generate a synthetic graph, describe a
// DIMACS file). It owns argument parsing and output only; the work is in the twinlane_graph
// library. Exit codes: 0 success, 1 bad data or I/O failure, 2 bad command line.
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dimacs.h"
#include "dimacs_writer.h"
#include "generator.h"
#include "graph.h"
#include "graph_components.h"

namespace {

using namespace twinlane::app;

constexpr int kExitData = 1;
constexpr int kExitUsage = 2;

constexpr const char* kMainUsage =
    "usage: twinlane-graph <command> [options]\n"
    "\n"
    "commands:\n"
    "  generate [--nodes N] [--seed S] OUT_PREFIX   write a synthetic road graph\n"
    "  info GR [CO]                                 describe a DIMACS graph\n"
    "\n"
    "`twinlane-graph <command> --help` describes a command.\n";

constexpr const char* kGenerateUsage =
    "usage: twinlane-graph generate [--nodes N] [--seed S] OUT_PREFIX\n"
    "\n"
    "Writes OUT_PREFIX.gr and OUT_PREFIX.co (DIMACS, ids 1..n). The graph is a jittered street\n"
    "grid with highways, strongly connected, the same for the same N and S on every machine.\n"
    "\n"
    "  --nodes N   grid points before keeping the largest component (default 250000, >= 4)\n"
    "  --seed S    random seed (default 1)\n";

constexpr const char* kInfoUsage =
    "usage: twinlane-graph info GR [CO]\n"
    "\n"
    "Loads a DIMACS .gr file (and .co coordinates), plain or gzip, and prints node and arc\n"
    "counts, whether it has coordinates, its checksum, its strongly connected components and\n"
    "the load time.\n";

struct UsageError {
  std::string message;
};

template <typename Integer>
Integer parseNumber(std::string_view option, std::string_view text) {
  Integer value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw UsageError{std::string(option) + " needs a non-negative integer, got '" +
                     std::string(text) + "'"};
  }
  return value;
}

bool isHelp(std::string_view argument) { return argument == "--help" || argument == "-h"; }

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

int runGenerate(const std::vector<std::string_view>& arguments) {
  GeneratorOptions options;
  std::optional<std::string> prefix;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    std::string_view argument = arguments[i];
    if (isHelp(argument)) {
      std::cout << kGenerateUsage;
      return 0;
    }
    std::string_view value;
    std::string_view name = argument;
    if (argument.starts_with("--")) {
      if (const auto equals = argument.find('='); equals != std::string_view::npos) {
        name = argument.substr(0, equals);
        value = argument.substr(equals + 1);
      } else if (i + 1 < arguments.size()) {
        value = arguments[++i];
      } else {
        throw UsageError{std::string(name) + " needs a value"};
      }
      if (name == "--nodes") {
        options.nodes = parseNumber<NodeId>(name, value);
        if (options.nodes < 4 || options.nodes >= kInvalidNode) {
          throw UsageError{"--nodes must be at least 4 and below " + std::to_string(kInvalidNode)};
        }
      } else if (name == "--seed") {
        options.seed = parseNumber<std::uint64_t>(name, value);
      } else {
        throw UsageError{"unknown option " + std::string(name)};
      }
    } else if (!prefix) {
      prefix = std::string(argument);
    } else {
      throw UsageError{"unexpected argument '" + std::string(argument) + "'"};
    }
  }
  if (!prefix || prefix->empty()) throw UsageError{"OUT_PREFIX is missing"};

  const auto start = std::chrono::steady_clock::now();
  const Graph graph = generateRoadGraph(options);
  const double generate_ms = millisecondsSince(start);
  writeDimacs(graph, *prefix + ".gr", *prefix + ".co");
  std::printf("wrote %s.gr and %s.co: %u nodes, %u arcs, checksum %s (generated in %.0f ms)\n",
              prefix->c_str(), prefix->c_str(), graph.nodeCount(), graph.arcCount(),
              graph.checksum().c_str(), generate_ms);
  return 0;
}

int runInfo(const std::vector<std::string_view>& arguments) {
  std::vector<std::string> paths;
  for (std::string_view argument : arguments) {
    if (isHelp(argument)) {
      std::cout << kInfoUsage;
      return 0;
    }
    if (argument.starts_with("-")) throw UsageError{"unknown option " + std::string(argument)};
    paths.emplace_back(argument);
  }
  if (paths.empty()) throw UsageError{"GR is missing"};
  if (paths.size() > 2) throw UsageError{"too many arguments"};

  const auto start = std::chrono::steady_clock::now();
  const Graph graph = readDimacs(paths[0], paths.size() == 2 ? paths[1] : std::string());
  const double load_ms = millisecondsSince(start);
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(graph);
  std::printf("source:      %s\n", graph.source().c_str());
  std::printf("nodes:       %u\n", graph.nodeCount());
  std::printf("arcs:        %u\n", graph.arcCount());
  std::printf("coordinates: %s\n", graph.hasCoordinates() ? "yes" : "no");
  std::printf("checksum:    %s\n", graph.checksum().c_str());
  std::printf("strongly connected components: %u, largest %u nodes (%.1f%%)\n", components.count,
              components.largest_size,
              100.0 * components.largest_size / std::max<NodeId>(graph.nodeCount(), 1));
  std::printf("memory:      %.1f MiB\n", static_cast<double>(graph.memoryBytes()) / (1 << 20));
  std::printf("load time:   %.0f ms\n", load_ms);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> all(argv + 1, argv + argc);
  if (all.empty()) {
    std::cerr << kMainUsage;
    return kExitUsage;
  }
  if (isHelp(all[0])) {
    std::cout << kMainUsage;
    return 0;
  }
  const std::vector<std::string_view> rest(all.begin() + 1, all.end());
  const char* usage = kMainUsage;
  try {
    if (all[0] == "generate") {
      usage = kGenerateUsage;
      return runGenerate(rest);
    }
    if (all[0] == "info") {
      usage = kInfoUsage;
      return runInfo(rest);
    }
    throw UsageError{"unknown command '" + std::string(all[0]) + "'"};
  } catch (const UsageError& error) {
    std::cerr << "twinlane-graph: " << error.message << "\n\n" << usage;
    return kExitUsage;
  } catch (const std::exception& error) {
    // GraphFormatError already reads "path:line: problem".
    std::cerr << "twinlane-graph: " << error.what() << "\n";
    return kExitData;
  }
}
