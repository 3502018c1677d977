// SPDX-License-Identifier: Apache-2.0
// The node closest to a position, by great-circle (haversine) distance.
//
// NearestIndex owns a k-d tree over the nodes' positions as 3-D unit vectors, laid out
// implicitly in one flat array (the median of each range is its root), built once in the master
// and read-only afterwards: safe to share across forked workers and to query from many threads.
// Straight-line (chord) distance between unit vectors grows with great-circle distance, so the
// tree prunes by chord while candidates are ranked by haversineMeters itself; the answer is
// exactly what a brute-force scan with haversineMeters returns (ties go to the lower node id).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "graph.h"

namespace twinlane::app {

class NearestIndex {
 public:
  struct Hit {
    NodeId node;
    double distance_m;
  };

  // Indexes every node of `graph`; an empty index when the graph has no coordinates.
  // Keeps no reference to `graph`.
  explicit NearestIndex(const Graph& graph);

  // The nearest node to (lon, lat) in degrees. std::nullopt when the index is empty or the
  // position is not finite or outside [-180, 180] x [-90, 90].
  std::optional<Hit> nearest(double lon, double lat) const;

  std::size_t size() const { return points_.size(); }
  std::size_t memoryBytes() const;

 private:
  struct Point {
    double xyz[3];  // unit vector
    double lon;     // degrees, exactly Graph::coordinate(node).lon()
    double lat;
    NodeId node;
  };
  struct Best;

  void build(std::size_t begin, std::size_t end);
  void search(std::size_t begin, std::size_t end, const double query[3], double lon, double lat,
              Best& best) const;

  std::vector<Point> points_;              // in implicit k-d tree order
  std::vector<std::uint8_t> split_axis_;  // per inner tree node (index of its median)
};

}  // namespace twinlane::app
