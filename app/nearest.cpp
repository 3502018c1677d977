// SPDX-License-Identifier: Apache-2.0
// NearestIndex: building the implicit k-d tree and the pruned depth-first query.
#include "nearest.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
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

namespace {

// An axis-aligned box in the unit vectors' space that holds the image of `box` on the sphere,
// with slack for rounding, so pruning by it never skips a node inside `box`.
struct SpaceBox {
  double low[3];
  double high[3];
};

void setRange(double& low, double& high, std::initializer_list<double> values) {
  low = std::min(values);
  high = std::max(values);
}

SpaceBox spaceBox(const GeoBox& box) {
  const double phi1 = box.min_lat_e6 / 1e6 * kRadiansPerDegree;
  const double phi2 = box.max_lat_e6 / 1e6 * kRadiansPerDegree;
  const double lambda1 = box.min_lon_e6 / 1e6 * kRadiansPerDegree;
  const double lambda2 = box.max_lon_e6 / 1e6 * kRadiansPerDegree;
  // x = cos(phi) cos(lambda), y = cos(phi) sin(lambda), z = sin(phi). Each factor's range over
  // an interval is reached at its ends or at an extremum inside it; a product of two factors
  // (cos(phi) >= 0) takes its extremes at the corners of those ranges.
  double r_low, r_high, c_low, c_high, s_low, s_high;
  setRange(r_low, r_high, {std::cos(phi1), std::cos(phi2)});
  if (box.min_lat_e6 <= 0 && box.max_lat_e6 >= 0) r_high = 1;
  setRange(c_low, c_high, {std::cos(lambda1), std::cos(lambda2)});
  if (box.min_lon_e6 <= 0 && box.max_lon_e6 >= 0) c_high = 1;
  if (box.min_lon_e6 <= -180'000'000 || box.max_lon_e6 >= 180'000'000) c_low = -1;
  setRange(s_low, s_high, {std::sin(lambda1), std::sin(lambda2)});
  if (box.min_lon_e6 <= 90'000'000 && box.max_lon_e6 >= 90'000'000) s_high = 1;
  if (box.min_lon_e6 <= -90'000'000 && box.max_lon_e6 >= -90'000'000) s_low = -1;
  SpaceBox space;
  setRange(space.low[0], space.high[0], {r_low * c_low, r_low * c_high, r_high * c_low, r_high * c_high});
  setRange(space.low[1], space.high[1], {r_low * s_low, r_low * s_high, r_high * s_low, r_high * s_high});
  setRange(space.low[2], space.high[2], {std::sin(phi1), std::sin(phi2)});
  constexpr double kSlack = 1e-9;  // far above the rounding of unitVector, far below 1e-6 degree
  for (int axis = 0; axis < 3; ++axis) {
    space.low[axis] -= kSlack;
    space.high[axis] += kSlack;
  }
  return space;
}

}  // namespace

std::optional<GeoBox> coordinateExtent(const Graph& graph) {
  if (!graph.hasCoordinates() || graph.nodeCount() == 0) return std::nullopt;
  const auto& arrays = graph.arrays();
  const auto [lon_low, lon_high] = std::minmax_element(arrays.lon_e6.begin(), arrays.lon_e6.end());
  const auto [lat_low, lat_high] = std::minmax_element(arrays.lat_e6.begin(), arrays.lat_e6.end());
  return GeoBox{*lon_low, *lat_low, *lon_high, *lat_high};
}

void NearestIndex::forEachInBox(const GeoBox& box, const BoxVisitor& visit) const {
  if (order_.empty() || box.min_lon_e6 > box.max_lon_e6 || box.min_lat_e6 > box.max_lat_e6) return;
  const SpaceBox space = spaceBox(box);
  const auto offer = [&](std::size_t slot) {
    const NodeId node = order_[slot];
    return !box.contains({lon_e6_[node], lat_e6_[node]}) || visit(node);
  };
  // Breadth first: the ranges of one level of the tree, then those of the next.
  struct Range {
    std::size_t begin;
    std::size_t end;
  };
  std::vector<Range> level{{0, order_.size()}};
  std::vector<Range> next;
  while (!level.empty()) {
    for (const Range range : level) {
      if (range.end - range.begin <= kLeafSize) {
        for (std::size_t slot = range.begin; slot < range.end; ++slot) {
          if (!offer(slot)) return;
        }
        continue;
      }
      const std::size_t middle = range.begin + (range.end - range.begin) / 2;
      if (!offer(middle)) return;
      const NodeId split = order_[middle];
      double split_xyz[3];
      toArray(unitVector(lon_e6_[split] / 1e6, lat_e6_[split] / 1e6), split_xyz);
      const int axis = axis_[middle];
      // Left of the median lie points with coordinate <= the split value, right of it >=.
      if (space.low[axis] <= split_xyz[axis]) next.push_back({range.begin, middle});
      if (space.high[axis] >= split_xyz[axis]) next.push_back({middle + 1, range.end});
    }
    level.swap(next);
    next.clear();
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
