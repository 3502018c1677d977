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

struct NearestIndex::Built {
  std::vector<NodeId> order;
  std::vector<std::uint8_t> axis;
};

namespace {

struct BuildPoint {
  double xyz[3];
  NodeId node;
};

// Arranges points[begin, end) as an implicit k-d tree: the median of each range on the axis of
// its widest spread is the range's root.
void buildTree(std::vector<BuildPoint>& points, std::vector<std::uint8_t>& split_axis,
               std::size_t begin, std::size_t end) {
  if (end - begin <= kLeafSize) return;
  double low[3] = {2, 2, 2};
  double high[3] = {-2, -2, -2};
  for (std::size_t i = begin; i < end; ++i) {
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], points[i].xyz[axis]);
      high[axis] = std::max(high[axis], points[i].xyz[axis]);
    }
  }
  int axis = 0;
  for (int candidate = 1; candidate < 3; ++candidate) {
    if (high[candidate] - low[candidate] > high[axis] - low[axis]) axis = candidate;
  }
  const std::size_t middle = begin + (end - begin) / 2;
  std::nth_element(points.begin() + static_cast<std::ptrdiff_t>(begin),
                   points.begin() + static_cast<std::ptrdiff_t>(middle),
                   points.begin() + static_cast<std::ptrdiff_t>(end),
                   [axis](const BuildPoint& a, const BuildPoint& b) { return a.xyz[axis] < b.xyz[axis]; });
  split_axis[middle] = static_cast<std::uint8_t>(axis);
  buildTree(points, split_axis, begin, middle);
  buildTree(points, split_axis, middle + 1, end);
}

}  // namespace

NearestIndex::NearestIndex(const Graph& graph) {
  if (!graph.hasCoordinates()) return;
  std::vector<BuildPoint> points(graph.nodeCount());
  for (NodeId node = 0; node < graph.nodeCount(); ++node) {
    const Coordinate position = graph.coordinate(node);
    toArray(unitVector(position.lon(), position.lat()), points[node].xyz);
    points[node].node = node;
  }
  auto built = std::make_shared<Built>();
  built->axis.assign(points.size(), 0);
  buildTree(points, built->axis, 0, points.size());
  built->order.reserve(points.size());
  for (const BuildPoint& point : points) built->order.push_back(point.node);
  lon_e6_ = graph.arrays().lon_e6;
  lat_e6_ = graph.arrays().lat_e6;
  order_ = built->order;
  axis_ = built->axis;
  storage_ = std::move(built);
}

NearestIndex NearestIndex::fromTree(const Graph& graph, std::span<const NodeId> order,
                                    std::span<const std::uint8_t> axis,
                                    std::shared_ptr<const void> storage) {
  NearestIndex index;
  index.lon_e6_ = graph.arrays().lon_e6;
  index.lat_e6_ = graph.arrays().lat_e6;
  index.order_ = order;
  index.axis_ = axis;
  index.storage_ = std::move(storage);
  return index;
}

void NearestIndex::search(std::size_t begin, std::size_t end, const double query[3], double lon,
                          double lat, Best& best) const {
  const auto offer = [&](std::size_t slot) {
    const NodeId node = order_[slot];
    best.offer(node, haversineMeters(lon, lat, lon_e6_[node] / 1e6, lat_e6_[node] / 1e6));
  };
  if (end - begin <= kLeafSize) {
    for (std::size_t slot = begin; slot < end; ++slot) offer(slot);
    return;
  }
  const std::size_t middle = begin + (end - begin) / 2;
  offer(middle);
  const NodeId split = order_[middle];
  double split_xyz[3];
  toArray(unitVector(lon_e6_[split] / 1e6, lat_e6_[split] / 1e6), split_xyz);
  const double offset = query[axis_[middle]] - split_xyz[axis_[middle]];
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
  if (order_.empty() || !std::isfinite(lon) || !std::isfinite(lat) || lon < -180 ||
      lon > 180 || lat < -90 || lat > 90) {
    return std::nullopt;
  }
  double query[3];
  toArray(unitVector(lon, lat), query);
  Best best;
  search(0, order_.size(), query, lon, lat, best);
  return Hit{best.node, best.distance_m};
}

}  // namespace twinlane::app
