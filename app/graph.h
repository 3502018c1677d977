// SPDX-License-Identifier: Apache-2.0
// The road graph: an immutable directed graph in compressed sparse row (CSR) form.
//
// Graph owns the flat arrays every search reads: forward adjacency (first_out_, head_, weight_),
// the same arcs reversed (first_in_, tail_, in_weight_) for backward searches, and optional
// coordinates (lon_e6_, lat_e6_). The master process builds one Graph before forking and nobody
// writes it afterwards, so its pages stay shared by every worker; that is why there are no
// mutable caches in here. It does not own per-query scratch (see search.h), file formats
// (dimacs.h) or id translation: node ids are dense and 0-based, the HTTP layer maps DIMACS 1..n.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace twinlane::app {

using NodeId = std::uint32_t;
using ArcId = std::uint32_t;
using Weight = std::uint32_t;
using Distance = std::uint64_t;

inline constexpr Distance kUnreachable = std::numeric_limits<Distance>::max();
// Node and arc counts stay below this so that it can mark "no node" in scratch arrays.
inline constexpr NodeId kInvalidNode = std::numeric_limits<NodeId>::max();

// One directed arc with 0-based node ids, the input to Graph::fromArcs.
struct Arc {
  NodeId tail;
  NodeId head;
  Weight weight;
};

// A position in microdegrees, as DIMACS .co files store it.
struct Coordinate {
  std::int32_t lon_e6;
  std::int32_t lat_e6;

  double lon() const { return lon_e6 / 1e6; }
  double lat() const { return lat_e6 / 1e6; }
  friend bool operator==(const Coordinate&, const Coordinate&) = default;
};

class Graph {
 public:
  // Builds the CSR arrays. Arcs are grouped by tail (a stable counting sort, so arcs of one
  // node keep their input order); parallel arcs, self loops and zero weights are kept.
  // `coordinates` is empty or holds one entry per node. `source` says where the graph came
  // from (a path, or "generated:..."). Throws std::invalid_argument naming the offending arc or
  // count when an id is out of range or a size does not fit NodeId/ArcId.
  static Graph fromArcs(NodeId node_count, std::vector<Arc> arcs,
                        std::vector<Coordinate> coordinates, std::string source);

  // Move-only: a copy would be tens of megabytes and silently unshare pages after fork.
  Graph(Graph&&) noexcept = default;
  Graph& operator=(Graph&&) noexcept = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  NodeId nodeCount() const { return static_cast<NodeId>(first_out_.size() - 1); }
  ArcId arcCount() const { return static_cast<ArcId>(head_.size()); }

  // Out-arcs of `node` are the ids [firstOut(node), endOut(node)).
  ArcId firstOut(NodeId node) const { return first_out_[node]; }
  ArcId endOut(NodeId node) const { return first_out_[node + 1]; }
  NodeId head(ArcId arc) const { return head_[arc]; }
  Weight weight(ArcId arc) const { return weight_[arc]; }

  // In-arcs of `node` are the ids [firstIn(node), endIn(node)) of the reversed arrays; these
  // ids are positions in tail_/in_weight_, not forward arc ids.
  ArcId firstIn(NodeId node) const { return first_in_[node]; }
  ArcId endIn(NodeId node) const { return first_in_[node + 1]; }
  NodeId tail(ArcId in_arc) const { return tail_[in_arc]; }
  Weight inWeight(ArcId in_arc) const { return in_weight_[in_arc]; }

  // The raw arrays, for inner loops that want plain pointers.
  std::span<const ArcId> firstOutArray() const { return first_out_; }
  std::span<const NodeId> headArray() const { return head_; }
  std::span<const Weight> weightArray() const { return weight_; }
  std::span<const ArcId> firstInArray() const { return first_in_; }
  std::span<const NodeId> tailArray() const { return tail_; }
  std::span<const Weight> inWeightArray() const { return in_weight_; }

  bool hasCoordinates() const { return !lon_e6_.empty(); }
  // Precondition: hasCoordinates() and node < nodeCount().
  Coordinate coordinate(NodeId node) const { return {lon_e6_[node], lat_e6_[node]}; }

  // Every arc weighs at least lowerBoundScale() x the straight-line (chord) distance in metres
  // between its ends, so that distance times this scale is an admissible and consistent A*
  // heuristic. At most 1 for graphs weighted in metres (a little less when coordinates were
  // rounded after weights were computed); 0 without coordinates, or when some zero-weight arc
  // joins two distinct positions.
  double lowerBoundScale() const { return lower_bound_scale_; }

  const std::string& source() const { return source_; }
  // Lower-case hex SHA-1 over the node count, the forward CSR arrays and the coordinates, in
  // little-endian order; the same input file gives the same checksum on every machine.
  const std::string& checksum() const { return checksum_; }
  // Bytes held by the arrays (capacity, not just size).
  std::size_t memoryBytes() const;

 private:
  Graph() = default;
  std::string computeChecksum() const;
  double computeLowerBoundScale() const;

  std::vector<ArcId> first_out_;
  std::vector<NodeId> head_;
  std::vector<Weight> weight_;
  std::vector<ArcId> first_in_;
  std::vector<NodeId> tail_;
  std::vector<Weight> in_weight_;
  std::vector<std::int32_t> lon_e6_;
  std::vector<std::int32_t> lat_e6_;
  double lower_bound_scale_ = 0;
  std::string source_;
  std::string checksum_;
};

}  // namespace twinlane::app
