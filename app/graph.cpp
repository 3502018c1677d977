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
void updateLittleEndian(Poco::SHA1Engine& engine, const std::vector<T>& values) {
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

}  // namespace

Graph Graph::fromArcs(NodeId node_count, std::vector<Arc> arcs,
                      std::vector<Coordinate> coordinates, std::string source) {
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
  if (!coordinates.empty() && coordinates.size() != node_count) {
    throw std::invalid_argument(context + "has " + std::to_string(coordinates.size()) +
                                " coordinates for " + std::to_string(node_count) + " nodes");
  }
  for (std::size_t i = 0; i < arcs.size(); ++i) {
    const Arc& arc = arcs[i];
    if (arc.tail >= node_count || arc.head >= node_count) {
      throw std::invalid_argument(context + "arc #" + std::to_string(i) + " (" +
                                  std::to_string(arc.tail) + " -> " + std::to_string(arc.head) +
                                  ") names a node outside 0.." +
                                  std::to_string(node_count == 0 ? 0 : node_count - 1));
    }
  }

  Graph graph;
  const std::size_t arc_count = arcs.size();
  graph.first_out_.assign(std::size_t{node_count} + 1, 0);
  graph.first_in_.assign(std::size_t{node_count} + 1, 0);
  for (const Arc& arc : arcs) {
    ++graph.first_out_[arc.tail + 1];
    ++graph.first_in_[arc.head + 1];
  }
  prefixSum(graph.first_out_);
  prefixSum(graph.first_in_);

  graph.head_.resize(arc_count);
  graph.weight_.resize(arc_count);
  graph.tail_.resize(arc_count);
  graph.in_weight_.resize(arc_count);
  {
    // Stable counting sort: the next free slot per tail (forward) and per head (reverse).
    std::vector<ArcId> next_out(graph.first_out_.begin(), graph.first_out_.end() - 1);
    std::vector<ArcId> next_in(graph.first_in_.begin(), graph.first_in_.end() - 1);
    for (const Arc& arc : arcs) {
      const ArcId out = next_out[arc.tail]++;
      graph.head_[out] = arc.head;
      graph.weight_[out] = arc.weight;
      const ArcId in = next_in[arc.head]++;
      graph.tail_[in] = arc.tail;
      graph.in_weight_[in] = arc.weight;
    }
  }
  arcs.clear();
  arcs.shrink_to_fit();

  if (!coordinates.empty()) {
    graph.lon_e6_.resize(node_count);
    graph.lat_e6_.resize(node_count);
    for (NodeId node = 0; node < node_count; ++node) {
      graph.lon_e6_[node] = coordinates[node].lon_e6;
      graph.lat_e6_[node] = coordinates[node].lat_e6;
    }
  }
  graph.source_ = std::move(source);
  graph.checksum_ = graph.computeChecksum();
  graph.lower_bound_scale_ = graph.computeLowerBoundScale();
  return graph;
}

std::string Graph::computeChecksum() const {
  Poco::SHA1Engine engine;
  const std::vector<std::uint32_t> header = {nodeCount(), arcCount(), hasCoordinates() ? 1u : 0u};
  updateLittleEndian(engine, header);
  updateLittleEndian(engine, first_out_);
  updateLittleEndian(engine, head_);
  updateLittleEndian(engine, weight_);
  updateLittleEndian(engine, lon_e6_);
  updateLittleEndian(engine, lat_e6_);
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
      const double metres = chord(position[tail], position[head_[arc]]) * kEarthRadiusMeters;
      if (metres > 0) scale = std::min(scale, weight_[arc] / metres);
    }
  }
  // The margin absorbs rounding in the searches' floating-point heuristic, which is far below
  // a millionth of the lightest arc.
  return scale * (1 - 1e-6);
}

std::size_t Graph::memoryBytes() const {
  auto bytes = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  return bytes(first_out_) + bytes(head_) + bytes(weight_) + bytes(first_in_) + bytes(tail_) +
         bytes(in_weight_) + bytes(lon_e6_) + bytes(lat_e6_) + source_.capacity() +
         checksum_.capacity();
}

}  // namespace twinlane::app
