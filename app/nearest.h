// SPDX-License-Identifier: Apache-2.0
// The node closest to a position, by great-circle (haversine) distance.
//
// NearestIndex is a k-d tree over the nodes' positions as 3-D unit vectors, laid out implicitly
// in two flat arrays: `order` holds the node at each slot (the median of each range is its root)
// and `axis` the split axis of each inner slot. That is 5 bytes per node, and both arrays are a
// snapshot section, so a mapped graph brings its index with it and nothing is built at load.
// Positions are read from the graph's coordinates as the query visits them. Built once in the
// master and read-only afterwards: safe to share across forked workers and to query from many
// threads. Straight-line (chord) distance between unit vectors grows with great-circle distance,
// so the tree prunes by chord while candidates are ranked by haversineMeters itself; the answer
// is exactly what a brute-force scan with haversineMeters returns (ties go to the lower node id).
// The same tree answers box queries (forEachInBox): every node whose coordinate lies in a
// longitude/latitude rectangle, pruned by the rectangle's bounding box on the unit sphere.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "graph.h"

namespace twinlane::app {

// A longitude/latitude rectangle in millionths of a degree, the graph's own unit, so that
// "inside" is decided exactly. Bounds are inclusive; min <= max on both axes (a box never
// crosses the antimeridian).
struct GeoBox {
  std::int32_t min_lon_e6;
  std::int32_t min_lat_e6;
  std::int32_t max_lon_e6;
  std::int32_t max_lat_e6;

  bool contains(Coordinate where) const {
    return where.lon_e6 >= min_lon_e6 && where.lon_e6 <= max_lon_e6 && where.lat_e6 >= min_lat_e6 &&
           where.lat_e6 <= max_lat_e6;
  }
  friend bool operator==(const GeoBox&, const GeoBox&) = default;
};

// The smallest box holding every node; nullopt for a graph without coordinates or nodes.
// Reads every coordinate once: for load time, not per request.
std::optional<GeoBox> coordinateExtent(const Graph& graph);

class NearestIndex {
 public:
  struct Hit {
    NodeId node;
    double distance_m;
  };

  // Indexes every node of `graph`; an empty index when the graph has no coordinates. Views the
  // graph's coordinate arrays, which live as long as the graph's storage (a move is fine).
  explicit NearestIndex(const Graph& graph);

  // Adopts a tree built earlier (a snapshot's sections, kept alive by `storage`). The caller has
  // checked that both arrays have one entry per node, order[i] < nodeCount() and axis[i] < 3.
  static NearestIndex fromTree(const Graph& graph, std::span<const NodeId> order,
                               std::span<const std::uint8_t> axis,
                               std::shared_ptr<const void> storage);

  // The nearest node to (lon, lat) in degrees. std::nullopt when the index is empty or the
  // position is not finite or outside [-180, 180] x [-90, 90].
  std::optional<Hit> nearest(double lon, double lat) const;

  // Calls `visit(node)` for every node inside `box` until it returns false. The order is the
  // tree's breadth-first order, so a caller that stops early holds a sample spread over the
  // whole box rather than one corner of it; it is the same order on every call. Work grows
  // with the nodes inside the box (plus the tree's depth), not with the graph.
  using BoxVisitor = std::function<bool(NodeId)>;
  void forEachInBox(const GeoBox& box, const BoxVisitor& visit) const;

  std::size_t size() const { return order_.size(); }
  std::size_t memoryBytes() const { return order_.size_bytes() + axis_.size_bytes(); }
  // The tree, for the snapshot writer.
  std::span<const NodeId> order() const { return order_; }
  std::span<const std::uint8_t> axis() const { return axis_; }

 private:
  struct Best;
  struct Built;  // the arrays of a tree this index built itself
  NearestIndex() = default;

  void search(std::size_t begin, std::size_t end, const double query[3], double lon, double lat,
              Best& best) const;

  std::span<const std::int32_t> lon_e6_;
  std::span<const std::int32_t> lat_e6_;
  std::span<const NodeId> order_;
  std::span<const std::uint8_t> axis_;
  std::shared_ptr<const void> storage_;
};

}  // namespace twinlane::app
