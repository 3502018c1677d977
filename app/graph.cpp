// SPDX-License-Identifier: Apache-2.0
// Graph construction: validation, the counting sort into forward and reverse CSR, the checksum.
#include "graph.h"

#include "graph_geometry.h"

#include <Poco/DigestEngine.h>
#include <Poco/SHA1Engine.h>

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

namespace twinlane::app {
namespace {

// Turns an array of per-node counts (shifted by one) into CSR offsets in place.
void prefixSum(std::vector<ArcId>& offsets) {
  for (std::size_t i = 1; i < offsets.size(); ++i) offsets[i] += offsets[i - 1];
}

template <typename T>
void updateLittleEndian(Poco::SHA1Engine& engine, std::span<const T> values) {
  static_assert(sizeof(T) == 4);
  if constexpr (std::endian::native == std::endian::little) {
    // DigestEngine::update takes an unsigned length, so feed huge arrays in slices.
    const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
    std::size_t left = values.size() * sizeof(T);
    constexpr std::size_t kSlice = std::size_t{1} << 30;
    while (left > 0) {
      const std::size_t slice = left < kSlice ? left : kSlice;
      engine.update(bytes, static_cast<unsigned>(slice));
      bytes += slice;
      left -= slice;
    }
  } else {
    for (T value : values) {
      auto bits = static_cast<std::uint32_t>(value);
      const unsigned char bytes[4] = {
          static_cast<unsigned char>(bits), static_cast<unsigned char>(bits >> 8),
          static_cast<unsigned char>(bits >> 16), static_cast<unsigned char>(bits >> 24)};
      engine.update(bytes, 4);
    }
  }
}

// Where each input arc lands in the forward (grouped by tail) and reverse (grouped by head)
// arrays: a stable counting sort, so the arcs of one node keep their input order.
struct CsrPlacement {
  std::vector<ArcId> first_out;
  std::vector<ArcId> first_in;
  std::vector<ArcId> out_slot;  // per input arc
  std::vector<ArcId> in_slot;
};

template <typename AnyArc>
CsrPlacement placeArcs(NodeId node_count, const std::vector<AnyArc>& arcs) {
  CsrPlacement place;
  place.first_out.assign(std::size_t{node_count} + 1, 0);
  place.first_in.assign(std::size_t{node_count} + 1, 0);
  for (const AnyArc& arc : arcs) {
    ++place.first_out[arc.tail + 1];
    ++place.first_in[arc.head + 1];
  }
  prefixSum(place.first_out);
  prefixSum(place.first_in);
  std::vector<ArcId> next_out(place.first_out.begin(), place.first_out.end() - 1);
  std::vector<ArcId> next_in(place.first_in.begin(), place.first_in.end() - 1);
  place.out_slot.resize(arcs.size());
  place.in_slot.resize(arcs.size());
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    place.out_slot[i] = next_out[arcs[i].tail]++;
    place.in_slot[i] = next_in[arcs[i].head]++;
  }
  return place;
}

// Writes field(arc) of every input arc to its forward and its reverse slot.
template <typename AnyArc, typename Field>
void scatter(const CsrPlacement& place, const std::vector<AnyArc>& arcs, Field field,
             std::vector<std::uint32_t>& forward, std::vector<std::uint32_t>& reverse) {
  forward.resize(arcs.size());
  reverse.resize(arcs.size());
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    forward[place.out_slot[i]] = field(arcs[i]);
    reverse[place.in_slot[i]] = field(arcs[i]);
  }
}

template <typename AnyArc>
void checkInput(NodeId node_count, const std::vector<AnyArc>& arcs, std::size_t coordinate_count,
                std::size_t osm_id_count, const std::string& source) {
  const std::string context = "graph '" + source + "': ";
  if (node_count == kInvalidNode) {
    throw std::invalid_argument(context + "node count " + std::to_string(node_count) +
                                " is too large (maximum " + std::to_string(kInvalidNode - 1) +
                                ")");
  }
  if (arcs.size() >= std::numeric_limits<ArcId>::max()) {
    throw std::invalid_argument(context + "arc count " + std::to_string(arcs.size()) +
                                " does not fit a 32-bit arc id");
  }
  if (coordinate_count != 0 && coordinate_count != node_count) {
    throw std::invalid_argument(context + "has " + std::to_string(coordinate_count) +
                                " coordinates for " + std::to_string(node_count) + " nodes");
  }
  if (osm_id_count != 0 && osm_id_count != node_count) {
    throw std::invalid_argument(context + "has " + std::to_string(osm_id_count) +
                                " OSM ids for " + std::to_string(node_count) + " nodes");
  }
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const AnyArc& arc = arcs[i];
    if (arc.tail >= node_count || arc.head >= node_count) {
      throw std::invalid_argument(context + "arc #" + std::to_string(i) + " (" +
                                  std::to_string(arc.tail) + " -> " + std::to_string(arc.head) +
                                  ") names a node outside 0.." +
                                  std::to_string(node_count == 0 ? 0 : node_count - 1));
    }
  }
}

}  // namespace

struct Graph::OwnedArrays {
  std::vector<ArcId> first_out;
  std::vector<NodeId> head;
  std::vector<ArcId> first_in;
  std::vector<NodeId> tail;
  // weight/in_weight of a DIMACS graph; a road graph's weights are one of its metrics.
  std::vector<Weight> weight;
  std::vector<Weight> in_weight;
  std::vector<std::uint32_t> length_m;
  std::vector<std::uint32_t> in_length_m;
  std::vector<std::uint32_t> duration_ds;
  std::vector<std::uint32_t> in_duration_ds;
  std::vector<std::int32_t> lon_e6;
  std::vector<std::int32_t> lat_e6;
  std::vector<std::int64_t> osm_id;

  template <typename AnyArc>
  CsrPlacement placeTopology(NodeId node_count, const std::vector<AnyArc>& arcs) {
    CsrPlacement place = placeArcs(node_count, arcs);
    head.resize(arcs.size());
    tail.resize(arcs.size());
    for (std::size_t i = 0; i < arcs.size(); ++i) {
      head[place.out_slot[i]] = arcs[i].head;
      tail[place.in_slot[i]] = arcs[i].tail;
    }
    first_out = place.first_out;
    first_in = place.first_in;
    return place;
  }

  void placeCoordinates(const std::vector<Coordinate>& coordinates) {
    lon_e6.reserve(coordinates.size());
    lat_e6.reserve(coordinates.size());
    for (const Coordinate& where : coordinates) {
      lon_e6.push_back(where.lon_e6);
      lat_e6.push_back(where.lat_e6);
    }
  }

  GraphArrays views(Metric metric) const {
    GraphArrays arrays{.first_out = first_out, .head = head, .weight = weight,
                       .first_in = first_in, .tail = tail, .in_weight = in_weight,
                       .lon_e6 = lon_e6, .lat_e6 = lat_e6,
                       .length_m = length_m, .in_length_m = in_length_m,
                       .duration_ds = duration_ds, .in_duration_ds = in_duration_ds,
                       .osm_id = osm_id};
    if (metric == Metric::kLengthMeters) {
      arrays.weight = length_m;
      arrays.in_weight = in_length_m;
    } else if (metric == Metric::kDurationDeciseconds) {
      arrays.weight = duration_ds;
      arrays.in_weight = in_duration_ds;
    }
    return arrays;
  }
};

const char* metricName(Metric metric) {
  switch (metric) {
    case Metric::kUnitless: return "unitless";
    case Metric::kLengthMeters: return "length_m";
    case Metric::kDurationDeciseconds: return "duration_ds";
  }
  return "unknown";
}

Graph Graph::fromArcs(NodeId node_count, std::vector<Arc> arcs,
                      std::vector<Coordinate> coordinates, std::string source) {
  checkInput(node_count, arcs, coordinates.size(), 0, source);
  auto owned = std::make_shared<OwnedArrays>();
  const CsrPlacement place = owned->placeTopology(node_count, arcs);
  scatter(place, arcs, [](const Arc& arc) { return arc.weight; }, owned->weight, owned->in_weight);
  arcs = {};
  owned->placeCoordinates(coordinates);
  return adopt(std::move(owned), Metric::kUnitless, std::move(source));
}

Graph Graph::fromRoads(NodeId node_count, std::vector<RoadArc> arcs,
                       std::vector<Coordinate> coordinates, std::vector<std::int64_t> osm_ids,
                       Metric metric, std::string source) {
  if (metric == Metric::kUnitless) {
    throw std::invalid_argument("graph '" + source +
                                "': a road graph is weighed by length or by duration");
  }
  checkInput(node_count, arcs, coordinates.size(), osm_ids.size(), source);
  auto owned = std::make_shared<OwnedArrays>();
  const CsrPlacement place = owned->placeTopology(node_count, arcs);
  scatter(place, arcs, [](const RoadArc& arc) { return arc.length_m; }, owned->length_m,
          owned->in_length_m);
  scatter(place, arcs, [](const RoadArc& arc) { return arc.duration_ds; }, owned->duration_ds,
          owned->in_duration_ds);
  arcs = {};
  owned->placeCoordinates(coordinates);
  owned->osm_id = std::move(osm_ids);
  return adopt(std::move(owned), metric, std::move(source));
}

Graph Graph::adopt(std::shared_ptr<OwnedArrays> owned, Metric metric, std::string source) {
  Graph graph;
  graph.arrays_ = owned->views(metric);
  graph.storage_ = std::move(owned);
  graph.metric_ = metric;
  graph.source_ = std::move(source);
  graph.checksum_ = graph.computeChecksum();
  graph.lower_bound_scale_ = graph.computeLowerBoundScale();
  return graph;
}

Graph Graph::fromArrays(const GraphArrays& arrays, std::shared_ptr<const void> storage,
                        GraphFacts facts) {
  Graph graph;
  graph.arrays_ = arrays;
  graph.storage_ = std::move(storage);
  graph.metric_ = facts.metric;
  graph.mapped_ = true;
  graph.lower_bound_scale_ = facts.lower_bound_scale;
  graph.checksum_ = std::move(facts.checksum);
  graph.source_ = std::move(facts.source);
  return graph;
}

std::string Graph::computeChecksum() const {
  Poco::SHA1Engine engine;
  const std::vector<std::uint32_t> header = {nodeCount(), arcCount(), hasCoordinates() ? 1u : 0u};
  updateLittleEndian(engine, std::span<const std::uint32_t>(header));
  updateLittleEndian(engine, arrays_.first_out);
  updateLittleEndian(engine, arrays_.head);
  updateLittleEndian(engine, arrays_.weight);
  updateLittleEndian(engine, arrays_.lon_e6);
  updateLittleEndian(engine, arrays_.lat_e6);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

double Graph::computeLowerBoundScale() const {
  if (!hasCoordinates()) return 0;
  // Caps heuristic values (the scale times the Earth's diameter) below 2^32, far from
  // overflowing heap keys, for graphs weighted in units much finer than metres.
  constexpr double kMaxScale = 300;
  std::vector<UnitVector> position(nodeCount());
  for (NodeId node = 0; node < nodeCount(); ++node) {
    const Coordinate where = coordinate(node);
    position[node] = unitVector(where.lon(), where.lat());
  }
  double scale = kMaxScale;
  for (NodeId tail = 0; tail < nodeCount(); ++tail) {
    for (ArcId arc = firstOut(tail); arc < endOut(tail); ++arc) {
      const double metres = chord(position[tail], position[arrays_.head[arc]]) * kEarthRadiusMeters;
      if (metres > 0) scale = std::min(scale, arrays_.weight[arc] / metres);
    }
  }
  // The margin absorbs rounding in the searches' floating-point heuristic, which is far below
  // a millionth of the lightest arc.
  return scale * (1 - 1e-6);
}

std::size_t Graph::memoryBytes() const {
  const GraphArrays& a = arrays_;
  std::size_t bytes = a.first_out.size_bytes() + a.head.size_bytes() + a.first_in.size_bytes() +
                      a.tail.size_bytes() + a.lon_e6.size_bytes() + a.lat_e6.size_bytes() +
                      a.length_m.size_bytes() + a.in_length_m.size_bytes() +
                      a.duration_ds.size_bytes() + a.in_duration_ds.size_bytes() +
                      a.osm_id.size_bytes();
  // A road graph's weights are views of one of its metrics, counted above.
  if (metric_ == Metric::kUnitless) bytes += a.weight.size_bytes() + a.in_weight.size_bytes();
  return bytes + source_.capacity() + checksum_.capacity();
}

}  // namespace twinlane::app
