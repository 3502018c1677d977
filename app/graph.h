// SPDX-License-Identifier: Apache-2.0
// The road graph: an immutable directed graph in compressed sparse row (CSR) form.
//
// Graph reads the flat arrays every search reads (GraphArrays): forward adjacency (first_out,
// head, weight), the same arcs reversed (first_in, tail, in_weight) for backward searches, and
// optional coordinates, per-arc lengths and travel times, and OSM ids. The arrays are read-only
// views into a storage the Graph keeps alive: vectors it built itself (fromArcs, fromRoads) or a
// mapped snapshot file (fromArrays), which workers then search in place with no parse or copy.
// The master process builds one Graph before forking and nobody writes it afterwards, so its
// pages stay shared by every worker; that is why there are no mutable caches in here. It does
// not own per-query scratch (see search.h), file formats (dimacs.h, snapshot_*.h) or id
// translation: node ids are dense and 0-based, the HTTP layer maps DIMACS 1..n.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
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

// One directed arc that carries both road metrics, the input to Graph::fromRoads.
struct RoadArc {
  NodeId tail;
  NodeId head;
  std::uint32_t length_m;     // metres, at least 1
  std::uint32_t duration_ds;  // deciseconds, at least 1
};

// What an arc's weight() measures. DIMACS files do not say, so their weights are kUnitless.
enum class Metric : std::uint32_t { kUnitless = 0, kLengthMeters = 1, kDurationDeciseconds = 2 };
const char* metricName(Metric metric);  // "unitless", "length_m", "duration_ds"

// The arrays of a graph, indexed like Graph's accessors. Optional arrays are empty when absent;
// weight/in_weight may view the same memory as one of the metrics.
struct GraphArrays {
  std::span<const ArcId> first_out;  // node_count + 1
  std::span<const NodeId> head;      // arc_count
  std::span<const Weight> weight;
  std::span<const ArcId> first_in;
  std::span<const NodeId> tail;
  std::span<const Weight> in_weight;
  std::span<const std::int32_t> lon_e6;  // node_count, or empty
  std::span<const std::int32_t> lat_e6;
  std::span<const std::uint32_t> length_m;  // arc_count (forward order), or empty
  std::span<const std::uint32_t> in_length_m;
  std::span<const std::uint32_t> duration_ds;
  std::span<const std::uint32_t> in_duration_ds;
  std::span<const std::int64_t> osm_id;  // node_count, or empty
};

// What a Graph built elsewhere (a snapshot) already knows, so loading it recomputes nothing.
struct GraphFacts {
  Metric metric = Metric::kUnitless;
  double lower_bound_scale = 0;
  std::string checksum;
  std::string source;
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

  // Like fromArcs for roads: each arc keeps its length and travel time, and weight() is the
  // one `metric` names (kLengthMeters or kDurationDeciseconds). `osm_ids` is empty or one per
  // node. Throws std::invalid_argument as fromArcs does.
  static Graph fromRoads(NodeId node_count, std::vector<RoadArc> arcs,
                         std::vector<Coordinate> coordinates, std::vector<std::int64_t> osm_ids,
                         Metric metric, std::string source);

  // Views arrays owned by `storage` (a mapping), trusting `facts`. The caller has validated the
  // arrays (sizes, offsets, node ids in range): the searches index them without checks.
  static Graph fromArrays(const GraphArrays& arrays, std::shared_ptr<const void> storage,
                          GraphFacts facts);

  // Move-only, so that no two Graphs claim one storage by accident. A move keeps the views
  // valid: they point into the storage, not into the Graph.
  Graph(Graph&&) noexcept = default;
  Graph& operator=(Graph&&) noexcept = default;
  Graph(const Graph&) = delete;
  Graph& operator=(const Graph&) = delete;

  NodeId nodeCount() const { return static_cast<NodeId>(arrays_.first_out.size() - 1); }
  ArcId arcCount() const { return static_cast<ArcId>(arrays_.head.size()); }
  // Every array, for writers of file formats.
  const GraphArrays& arrays() const { return arrays_; }

  // Out-arcs of `node` are the ids [firstOut(node), endOut(node)).
  ArcId firstOut(NodeId node) const { return arrays_.first_out[node]; }
  ArcId endOut(NodeId node) const { return arrays_.first_out[node + 1]; }
  NodeId head(ArcId arc) const { return arrays_.head[arc]; }
  Weight weight(ArcId arc) const { return arrays_.weight[arc]; }

  // In-arcs of `node` are the ids [firstIn(node), endIn(node)) of the reversed arrays; these
  // ids are positions in the reversed arrays (tail(), inWeight()), not forward arc ids.
  ArcId firstIn(NodeId node) const { return arrays_.first_in[node]; }
  ArcId endIn(NodeId node) const { return arrays_.first_in[node + 1]; }
  NodeId tail(ArcId in_arc) const { return arrays_.tail[in_arc]; }
  Weight inWeight(ArcId in_arc) const { return arrays_.in_weight[in_arc]; }

  // The raw arrays, for inner loops that want plain pointers.
  std::span<const ArcId> firstOutArray() const { return arrays_.first_out; }
  std::span<const NodeId> headArray() const { return arrays_.head; }
  std::span<const Weight> weightArray() const { return arrays_.weight; }
  std::span<const ArcId> firstInArray() const { return arrays_.first_in; }
  std::span<const NodeId> tailArray() const { return arrays_.tail; }
  std::span<const Weight> inWeightArray() const { return arrays_.in_weight; }

  bool hasCoordinates() const { return !arrays_.lon_e6.empty(); }
  // Precondition: hasCoordinates() and node < nodeCount().
  Coordinate coordinate(NodeId node) const { return {arrays_.lon_e6[node], arrays_.lat_e6[node]}; }

  // What weight() measures.
  Metric metric() const { return metric_; }
  bool hasLengths() const { return !arrays_.length_m.empty(); }
  bool hasDurations() const { return !arrays_.duration_ds.empty(); }
  // Preconditions: hasLengths() / hasDurations(), and a forward arc id.
  std::uint32_t lengthMeters(ArcId arc) const { return arrays_.length_m[arc]; }
  std::uint32_t durationDeciseconds(ArcId arc) const { return arrays_.duration_ds[arc]; }
  bool hasOsmIds() const { return !arrays_.osm_id.empty(); }
  std::int64_t osmId(NodeId node) const { return arrays_.osm_id[node]; }
  // True when the arrays are views into a mapped file rather than built in memory.
  bool isMapped() const { return mapped_; }

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
  // Bytes of the arrays the graph reads (once, where two views share memory).
  std::size_t memoryBytes() const;

 private:
  struct OwnedArrays;  // the storage of a graph built by fromArcs or fromRoads
  Graph() = default;
  static Graph adopt(std::shared_ptr<OwnedArrays> owned, Metric metric, std::string source);
  std::string computeChecksum() const;
  double computeLowerBoundScale() const;

  std::shared_ptr<const void> storage_;
  GraphArrays arrays_;
  Metric metric_ = Metric::kUnitless;
  bool mapped_ = false;
  double lower_bound_scale_ = 0;
  std::string source_;
  std::string checksum_;
};

}  // namespace twinlane::app
