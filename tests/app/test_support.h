// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the graph tests: the test seed, random small graphs, a temporary directory,
// and a checker that a node sequence is a real path of a given length. Test-only.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "graph.h"
#include "graph_geometry.h"

namespace twinlane::app::testing {

// TWINLANE_TEST_SEED overrides the fixed default, so a failure seen elsewhere can be replayed.
// True when an `xz` executable is on PATH, for the tests that decompress ../shared/data.
inline bool xzOnPath() {
  const char* path = std::getenv("PATH");
  const std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/xz";
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

inline std::uint64_t testSeed(std::uint64_t fallback = 20240611) {
  if (const char* text = std::getenv("TWINLANE_TEST_SEED")) return std::strtoull(text, nullptr, 10);
  return fallback;
}

// Random directed graph with zero weights, self loops and parallel arcs mixed in.
inline Graph randomGraph(std::mt19937_64& random, NodeId max_nodes, bool with_coordinates = false) {
  const auto n = static_cast<NodeId>(1 + random() % max_nodes);
  const std::size_t m = random() % (4 * std::size_t{n} + 1);
  std::vector<Arc> arcs;
  for (std::size_t i = 0; i < m; ++i) {
    Arc arc{static_cast<NodeId>(random() % n), static_cast<NodeId>(random() % n),
            random() % 5 == 0 ? 0u : static_cast<Weight>(1 + random() % 30)};
    arcs.push_back(arc);
    if (random() % 10 == 0) arcs.push_back({arc.tail, arc.head, static_cast<Weight>(random() % 40)});
    if (random() % 20 == 0) arcs.push_back({arc.tail, arc.tail, static_cast<Weight>(random() % 5)});
  }
  std::vector<Coordinate> coordinates;
  if (with_coordinates) {
    for (NodeId node = 0; node < n; ++node) {
      coordinates.push_back({static_cast<std::int32_t>(8'400'000 + random() % 200'000),
                             static_cast<std::int32_t>(49'400'000 + random() % 100'000)});
    }
  }
  return Graph::fromArcs(n, std::move(arcs), std::move(coordinates), "random");
}

// Random directed graph whose nodes have positions in a few kilometres and whose arcs weigh
// `unit` x (their great-circle length rounded up) plus a little, so searches run A* with a
// tight heuristic. Some nodes share a position (joined by zero-weight arcs); parallel arcs and
// self loops are mixed in.
inline Graph randomGeometricGraph(std::mt19937_64& random, NodeId max_nodes, Weight unit) {
  const auto n = static_cast<NodeId>(1 + random() % max_nodes);
  std::vector<Coordinate> where;
  for (NodeId node = 0; node < n; ++node) {
    if (node > 0 && random() % 8 == 0) {
      where.push_back(where[random() % node]);
    } else {
      where.push_back({static_cast<std::int32_t>(8'400'000 + random() % 30'000),
                       static_cast<std::int32_t>(49'400'000 + random() % 20'000)});
    }
  }
  const std::size_t m = random() % (4 * std::size_t{n} + 1);
  std::vector<Arc> arcs;
  for (std::size_t i = 0; i < m; ++i) {
    const auto tail = static_cast<NodeId>(random() % n);
    const auto head = static_cast<NodeId>(random() % n);
    const double metres = haversineMeters(where[tail].lon(), where[tail].lat(), where[head].lon(),
                                          where[head].lat());
    const bool same_place = where[tail] == where[head];
    const auto extra = static_cast<Weight>(same_place && random() % 2 == 0 ? 0 : random() % (3 * unit));
    const auto weight = static_cast<Weight>(unit * std::ceil(metres)) + extra;
    arcs.push_back({tail, head, weight});
    if (random() % 10 == 0) arcs.push_back({tail, head, weight + static_cast<Weight>(random() % 5)});
  }
  return Graph::fromArcs(n, std::move(arcs), std::move(where), "random-geometric");
}

// Checks that `nodes` runs from `from` to `to` along arcs of `graph` and that the lightest
// arcs between consecutive nodes sum to `distance`.
inline ::testing::AssertionResult isShortestPathOfLength(const Graph& graph,
                                                         const std::vector<NodeId>& nodes,
                                                         NodeId from, NodeId to,
                                                         Distance distance) {
  if (nodes.empty()) return ::testing::AssertionFailure() << "empty path";
  if (nodes.front() != from || nodes.back() != to) {
    return ::testing::AssertionFailure() << "path runs " << nodes.front() << " -> "
                                         << nodes.back() << ", expected " << from << " -> " << to;
  }
  Distance sum = 0;
  for (std::size_t i = 0; i + 1 < nodes.size(); ++i) {
    Distance lightest = kUnreachable;
    for (ArcId arc = graph.firstOut(nodes[i]); arc < graph.endOut(nodes[i]); ++arc) {
      if (graph.head(arc) == nodes[i + 1] && graph.weight(arc) < lightest) {
        lightest = graph.weight(arc);
      }
    }
    if (lightest == kUnreachable) {
      return ::testing::AssertionFailure() << "no arc " << nodes[i] << " -> " << nodes[i + 1];
    }
    sum += lightest;
  }
  if (sum != distance) {
    return ::testing::AssertionFailure() << "path weighs " << sum << ", distance says " << distance;
  }
  return ::testing::AssertionSuccess();
}

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "twinlane-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string where = file(name);
    std::ofstream(where, std::ios::binary) << content;
    return where;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace twinlane::app::testing
