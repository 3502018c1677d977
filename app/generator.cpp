// SPDX-License-Identifier: Apache-2.0
// generateRoadGraph: lay out the grid, add streets and highways, keep the largest SCC.
#include "generator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "graph_components.h"
#include "graph_geometry.h"

namespace twinlane::app {
namespace {

// splitmix64 (Steele, Lea, Flood): tiny, fast, and the same on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, bound) for bound << 2^64.
  std::uint32_t below(std::uint32_t bound) { return static_cast<std::uint32_t>(next() % bound); }
  bool chance(std::uint32_t permille) { return below(1000) < permille; }

 private:
  std::uint64_t state_;
};

// The arc length rounded up, at least 1, times a detour factor in permille (>= 1000).
Weight arcWeight(const std::vector<Coordinate>& where, NodeId from, NodeId to,
                 std::uint32_t detour_permille) {
  const Coordinate a = where[from];
  const Coordinate b = where[to];
  const double length = haversineMeters(a.lon(), a.lat(), b.lon(), b.lat());
  const double straight = std::ceil(length);
  const double detoured = std::ceil(length * detour_permille / 1000.0);
  const double metres = std::max({straight, detoured, 1.0});
  return static_cast<Weight>(metres);
}

}  // namespace

Graph generateRoadGraph(const GeneratorOptions& options) {
  if (options.nodes < 4 || options.nodes >= kInvalidNode) {
    throw std::invalid_argument("generator: nodes must be in 4.." +
                                std::to_string(kInvalidNode - 1) + ", got " +
                                std::to_string(options.nodes));
  }
  if (options.block_m == 0 || options.highway_ramp_blocks == 0) {
    throw std::invalid_argument("generator: block_m and highway_ramp_blocks must be positive");
  }
  SplitMix64 random(options.seed);
  const NodeId n = options.nodes;
  const auto cols = static_cast<NodeId>(std::ceil(std::sqrt(static_cast<double>(n))));
  const NodeId rows = (n + cols - 1) / cols;
  auto nodeAt = [cols](NodeId row, NodeId col) { return row * cols + col; };

  // One grid step in microdegrees; east-west steps widen by 1/cos(latitude) so blocks are square.
  const double metres_per_microdegree = kEarthRadiusMeters * kRadiansPerDegree / 1e6;
  const auto lat_step = static_cast<std::int64_t>(std::lround(options.block_m / metres_per_microdegree));
  const auto lon_step = static_cast<std::int64_t>(std::lround(
      static_cast<double>(lat_step) / std::cos(options.center_lat_e6 / 1e6 * kRadiansPerDegree)));
  const std::int64_t lat_jitter = lat_step / 4;
  const std::int64_t lon_jitter = lon_step / 4;

  std::vector<Coordinate> where(n);
  for (NodeId node = 0; node < n; ++node) {
    const std::int64_t row = node / cols;
    const std::int64_t col = node % cols;
    const std::int64_t lat = options.center_lat_e6 + (row - rows / 2) * lat_step +
                             random.below(static_cast<std::uint32_t>(2 * lat_jitter + 1)) - lat_jitter;
    const std::int64_t lon = options.center_lon_e6 + (col - cols / 2) * lon_step +
                             random.below(static_cast<std::uint32_t>(2 * lon_jitter + 1)) - lon_jitter;
    if (lat < -90'000'000 || lat > 90'000'000 || lon < -180'000'000 || lon > 180'000'000) {
      throw std::invalid_argument("generator: the grid does not fit on the globe around the centre");
    }
    where[node] = {static_cast<std::int32_t>(lon), static_cast<std::int32_t>(lat)};
  }

  std::vector<Arc> arcs;
  arcs.reserve(std::size_t{n} * 4);
  auto addStreet = [&](NodeId a, NodeId b) {
    if (random.chance(options.missing_street_permille)) return;
    const Weight weight = arcWeight(where, a, b, 1000 + random.below(300));
    if (random.chance(options.one_way_permille)) {
      if (random.below(2) == 0) {
        arcs.push_back({a, b, weight});
      } else {
        arcs.push_back({b, a, weight});
      }
      return;
    }
    arcs.push_back({a, b, weight});
    arcs.push_back({b, a, weight});
  };
  for (NodeId node = 0; node < n; ++node) {
    const NodeId col = node % cols;
    if (col + 1 < cols && node + 1 < n) addStreet(node, node + 1);
    if (node + cols < n) addStreet(node, node + cols);
  }
  // Highways: straight, two-way, junctions every few blocks, weights equal to the straight
  // length, so they beat the detours of the streets beside them.
  const NodeId full_rows = n / cols;  // rows without holes at the end
  for (std::uint32_t h = 0; h < options.highways; ++h) {
    const bool east_west = h % 2 == 0;
    const NodeId line = east_west ? random.below(full_rows) : random.below(cols);
    const NodeId length = east_west ? cols : full_rows;
    NodeId previous = kInvalidNode;
    for (NodeId step = 0; step < length; step += options.highway_ramp_blocks) {
      const NodeId node = east_west ? nodeAt(line, step) : nodeAt(step, line);
      if (previous != kInvalidNode) {
        const Weight weight = arcWeight(where, previous, node, 1000);
        arcs.push_back({previous, node, weight});
        arcs.push_back({node, previous, weight});
      }
      previous = node;
    }
  }

  const std::string source = "generated:nodes=" + std::to_string(n) +
                             ",seed=" + std::to_string(options.seed);
  Graph grid = Graph::fromArcs(n, arcs, {}, source);
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(grid);
  if (components.count == 1) return Graph::fromArcs(n, std::move(arcs), std::move(where), source);

  // Keep the largest component, renumbered in grid order so neighbours stay close in memory.
  std::vector<NodeId> new_id(n, kInvalidNode);
  std::vector<Coordinate> kept_where;
  kept_where.reserve(components.largest_size);
  for (NodeId node = 0; node < n; ++node) {
    if (components.component_of[node] != components.largest) continue;
    new_id[node] = static_cast<NodeId>(kept_where.size());
    kept_where.push_back(where[node]);
  }
  std::vector<Arc> kept_arcs;
  kept_arcs.reserve(arcs.size());
  for (const Arc& arc : arcs) {
    if (new_id[arc.tail] != kInvalidNode && new_id[arc.head] != kInvalidNode) {
      kept_arcs.push_back({new_id[arc.tail], new_id[arc.head], arc.weight});
    }
  }
  const auto kept_count = static_cast<NodeId>(kept_where.size());
  return Graph::fromArcs(kept_count, std::move(kept_arcs), std::move(kept_where), source);
}

}  // namespace twinlane::app
