// SPDX-License-Identifier: Apache-2.0
// NearestIndex: building the implicit k-d tree and the pruned depth-first query.
#include "nearest.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "graph_geometry.h"

namespace twinlane::app {
namespace {

// Ranges this small are scanned rather than split further.
constexpr std::size_t kLeafSize = 8;
constexpr double kHalfPi = 90 * kRadiansPerDegree;

void toArray(const UnitVector& vector, double out[3]) {
  out[0] = vector.x;
  out[1] = vector.y;
  out[2] = vector.z;
}

}  // namespace

struct NearestIndex::Best {
  NodeId node = kInvalidNode;
  double distance_m = std::numeric_limits<double>::infinity();
  // A chord length (unit sphere) no shorter than that of any point at distance_m, with slack for
  // rounding, so pruning never skips a point that haversineMeters would rank first.
  double chord_bound = std::numeric_limits<double>::infinity();

  void offer(NodeId node_id, double metres) {
    if (metres < distance_m || (metres == distance_m && node_id < node)) {
      node = node_id;
      distance_m = metres;
      chord_bound = 2 * std::sin(std::min(metres / (2 * kEarthRadiusMeters), kHalfPi)) * (1 + 1e-9) +
                    1e-12;
    }
  }
};

NearestIndex::NearestIndex(const Graph& graph) {
  if (!graph.hasCoordinates()) return;
  points_.resize(graph.nodeCount());
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    Point& point = points_[node];
    const Coordinate position = graph.coordinate(node);
    point.lon = position.lon();
    point.lat = position.lat();
    point.node = node;
    toArray(unitVector(point.lon, point.lat), point.xyz);
  }
  split_axis_.assign(points_.size(), 0);
  build(0, points_.size());
}

void NearestIndex::build(std::size_t begin, std::size_t end) {
  if (end - begin <= kLeafSize) return;
  double low[3] = {2, 2, 2};
  double high[3] = {-2, -2, -2};
  for (std::size_t i = begin; i < end; ++i) {
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], points_[i].xyz[axis]);
      high[axis] = std::max(high[axis], points_[i].xyz[axis]);
    }
  }
  int axis = 0;
  for (int candidate = 1; candidate < 3; ++candidate) {
    if (high[candidate] - low[candidate] > high[axis] - low[axis]) axis = candidate;
  }
  const std::size_t middle = begin + (end - begin) / 2;
  std::nth_element(points_.begin() + static_cast<std::ptrdiff_t>(begin),
                   points_.begin() + static_cast<std::ptrdiff_t>(middle),
                   points_.begin() + static_cast<std::ptrdiff_t>(end),
                   [axis](const Point& a, const Point& b) { return a.xyz[axis] < b.xyz[axis]; });
  split_axis_[middle] = static_cast<std::uint8_t>(axis);
  build(begin, middle);
  build(middle + 1, end);
}

void NearestIndex::search(std::size_t begin, std::size_t end, const double query[3], double lon,
                          double lat, Best& best) const {
  if (end - begin <= kLeafSize) {
    for (std::size_t i = begin; i < end; ++i) {
      best.offer(points_[i].node, haversineMeters(lon, lat, points_[i].lon, points_[i].lat));
    }
    return;
  }
  const std::size_t middle = begin + (end - begin) / 2;
  const Point& split = points_[middle];
  best.offer(split.node, haversineMeters(lon, lat, split.lon, split.lat));
  const double offset = query[split_axis_[middle]] - split.xyz[split_axis_[middle]];
  // Points left of the median have coordinate <= the split value, those right of it >=.
  if (offset < 0) {
    search(begin, middle, query, lon, lat, best);
    if (-offset <= best.chord_bound) search(middle + 1, end, query, lon, lat, best);
  } else {
    search(middle + 1, end, query, lon, lat, best);
    if (offset <= best.chord_bound) search(begin, middle, query, lon, lat, best);
  }
}

std::optional<NearestIndex::Hit> NearestIndex::nearest(double lon, double lat) const {
  if (points_.empty() || !std::isfinite(lon) || !std::isfinite(lat) || lon < -180 ||
      lon > 180 || lat < -90 || lat > 90) {
    return std::nullopt;
  }
  double query[3];
  toArray(unitVector(lon, lat), query);
  Best best;
  search(0, points_.size(), query, lon, lat, best);
  return Hit{best.node, best.distance_m};
}

std::size_t NearestIndex::memoryBytes() const {
  return points_.capacity() * sizeof(Point) + split_axis_.capacity();
}

}  // namespace twinlane::app
