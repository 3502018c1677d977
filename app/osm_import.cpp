// SPDX-License-Identifier: Apache-2.0
// importOsm: collect road segments in one libosmium pass, then number, merge and prune them.
#include "osm_import.h"

#include <osmium/handler.hpp>
#include <osmium/handler/node_locations_for_ways.hpp>
#include <osmium/index/map/flex_mem.hpp>
#include <osmium/io/any_input.hpp>
#include <osmium/osm/way.hpp>
#include <osmium/visitor.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <new>
#include <utility>

#include "dimacs.h"
#include "graph_components.h"
#include "graph_geometry.h"
#include "osm_rules.h"
#include "progress_line.h"

namespace twinlane::app {
namespace {

using LocationIndex =
    osmium::index::map::FlexMem<osmium::unsigned_object_id_type, osmium::Location>;

// A way node with its position, once per way it lies on (duplicates are merged later).
struct LocatedNode {
  std::int64_t osm_id;
  Coordinate coordinate;
};

// An arc between OSM node ids, before dense numbering.
struct OsmArc {
  std::int64_t tail;
  std::int64_t head;
  std::uint32_t length_m;
  std::uint32_t duration_ds;
};

// Microdegrees rounded to nearest, ties to even (the default rounding mode), like Python's
// round(), which made the shared .co files.
std::int32_t microdegrees(double degrees) {
  return static_cast<std::int32_t>(std::nearbyint(degrees * 1e6));
}

std::uint32_t lengthMeters(double metres) {
  return static_cast<std::uint32_t>(std::max(1.0, std::ceil(metres)));
}

// metres / (kmh / 3.6) seconds, in tenths. Saturates for absurdly slow limits (0.001 km/h).
std::uint32_t durationDeciseconds(double metres, double kmh) {
  const double deciseconds = std::round(metres * 36 / kmh);
  if (deciseconds >= std::numeric_limits<std::uint32_t>::max()) {
    return std::numeric_limits<std::uint32_t>::max();
  }
  return static_cast<std::uint32_t>(std::max(1.0, deciseconds));
}

// The libosmium handler: reads each way's tags and, for car roads, records its located nodes
// and the arcs between consecutive ones. Node locations come from NodeLocationsForWays, which
// runs first on every buffer.
class RoadCollector : public osmium::handler::Handler {
 public:
  void way(const osmium::Way& way) {
    ++summary_.ways_read;
    const osmium::TagList& tags = way.tags();
    const WayRules rules = classifyWay([&tags](std::string_view key) -> const char* {
      for (const osmium::Tag& tag : tags) {
        if (key == tag.key()) return tag.value();
      }
      return nullptr;
    });
    if (!rules.hasArcs()) return;
    collectLocatedPoints(way);
    if (points_.size() < 2) return;
    ++summary_.road_ways;
    if (rules.maxspeed.status == MaxspeedStatus::kUnknown) ++summary_.unknown_maxspeed_ways;
    for (const Point& point : points_) {
      nodes_.push_back({point.osm_id, {microdegrees(point.lon), microdegrees(point.lat)}});
    }
    addSegments(rules);
  }

  ImportSummary& summary() { return summary_; }
  std::vector<LocatedNode>& nodes() { return nodes_; }
  std::vector<OsmArc>& arcs() { return arcs_; }

 private:
  struct Point {
    std::int64_t osm_id;
    double lon;
    double lat;
  };

  // A reference without a node is skipped and its neighbours joined, as osm2dimacs.py does.
  void collectLocatedPoints(const osmium::Way& way) {
    points_.clear();
    for (const osmium::NodeRef& ref : way.nodes()) {
      if (!ref.location().valid()) {
        ++summary_.missing_locations;
        continue;
      }
      points_.push_back({ref.ref(), ref.location().lon(), ref.location().lat()});
    }
  }

  void addSegments(const WayRules& rules) {
    const bool forward = rules.direction != WayDirection::kBackward;
    const bool backward = rules.direction != WayDirection::kForward;
    for (std::size_t i = 0; i + 1 < points_.size(); ++i) {
      const Point& a = points_[i];
      const Point& b = points_[i + 1];
      if (a.osm_id == b.osm_id) continue;  // a repeated node would make a loop
      // Full-precision positions, not the rounded microdegrees: the shared graphs were made so.
      const double metres = haversineMeters(a.lon, a.lat, b.lon, b.lat);
      const std::uint32_t length_m = lengthMeters(metres);
      const std::uint32_t duration_ds = durationDeciseconds(metres, rules.speed_kmh);
      if (forward) arcs_.push_back({a.osm_id, b.osm_id, length_m, duration_ds});
      if (backward) arcs_.push_back({b.osm_id, a.osm_id, length_m, duration_ds});
    }
  }

  ImportSummary summary_;
  std::vector<Point> points_;  // of the current way, kept to reuse its capacity
  std::vector<LocatedNode> nodes_;
  std::vector<OsmArc> arcs_;
};

// The one pass over the file. Wraps every libosmium failure (open, decompress, parse, a file
// cut short) into `PATH: not a readable OSM file: WHAT`.
void readRoads(const std::string& path, RoadCollector& collector, ProgressLine* progress) {
  // libosmium reads "-" as stdin and fetches "http://..." with curl; an import reads files.
  if (path == "-" || path.find("://") != std::string::npos) {
    throw GraphFormatError(path + ": not a readable OSM file: give the path of a file on disk");
  }
  try {
    osmium::io::Reader reader(path, osmium::osm_entity_bits::node | osmium::osm_entity_bits::way,
                              osmium::io::read_meta::no);
    LocationIndex index;
    osmium::handler::NodeLocationsForWays<LocationIndex> locations(index);
    locations.ignore_errors();  // missing nodes are counted by the collector, not fatal
    ProgressPhase reading(progress, "reading", reader.file_size(), ProgressUnit::kBytes);
    while (osmium::memory::Buffer buffer = reader.read()) {
      osmium::apply(buffer, locations, collector);
      reading.update(reader.offset());
    }
    reader.close();
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& error) {
    throw GraphFormatError(path + ": not a readable OSM file: " + error.what());
  }
}

// Sorts and deduplicates the located nodes into ascending OSM ids with their coordinates.
void numberNodes(std::vector<LocatedNode>& located, std::vector<std::int64_t>& osm_ids,
                 std::vector<Coordinate>& coordinates) {
  std::sort(located.begin(), located.end(),
            [](const LocatedNode& a, const LocatedNode& b) { return a.osm_id < b.osm_id; });
  for (const LocatedNode& node : located) {
    if (!osm_ids.empty() && osm_ids.back() == node.osm_id) continue;
    osm_ids.push_back(node.osm_id);
    coordinates.push_back(node.coordinate);
  }
  located = {};
}

// Dense arcs sorted by (tail, head), one per pair: the smaller `profile` metric wins, ties go
// to the smaller other metric.
std::vector<ImportedArc> denseMergedArcs(std::vector<OsmArc>& osm_arcs,
                                         const std::vector<std::int64_t>& osm_ids,
                                         OsmProfile profile) {
  auto dense = [&osm_ids](std::int64_t osm_id) {
    return static_cast<NodeId>(std::lower_bound(osm_ids.begin(), osm_ids.end(), osm_id) -
                               osm_ids.begin());
  };
  std::vector<ImportedArc> arcs;
  arcs.reserve(osm_arcs.size());
  for (const OsmArc& arc : osm_arcs) {
    arcs.push_back({dense(arc.tail), dense(arc.head), arc.length_m, arc.duration_ds});
  }
  osm_arcs = {};
  auto metrics = [profile](const ImportedArc& arc) {
    return profile == OsmProfile::kDistance ? std::pair{arc.length_m, arc.duration_ds}
                                            : std::pair{arc.duration_ds, arc.length_m};
  };
  std::sort(arcs.begin(), arcs.end(), [&](const ImportedArc& a, const ImportedArc& b) {
    if (a.tail != b.tail) return a.tail < b.tail;
    if (a.head != b.head) return a.head < b.head;
    return metrics(a) < metrics(b);
  });
  arcs.erase(std::unique(arcs.begin(), arcs.end(),
                         [](const ImportedArc& a, const ImportedArc& b) {
                           return a.tail == b.tail && a.head == b.head;
                         }),
             arcs.end());
  return arcs;
}

// Keeps the nodes of the largest strongly connected component and the arcs between them,
// renumbered densely in the same (ascending OSM id) order, so arcs stay sorted.
void keepLargestComponent(ImportedRoads& roads) {
  const auto node_count = static_cast<NodeId>(roads.osm_ids.size());
  std::vector<Arc> topology;
  topology.reserve(roads.arcs.size());
  for (const ImportedArc& arc : roads.arcs) topology.push_back({arc.tail, arc.head, 1});
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(
      Graph::fromArcs(node_count, std::move(topology), {}, "osm import"));

  std::vector<NodeId> renumbered(node_count, kInvalidNode);
  NodeId kept = 0;
  for (NodeId node = 0; node < node_count; ++node) {
    if (components.component_of[node] != components.largest) continue;
    renumbered[node] = kept;
    roads.osm_ids[kept] = roads.osm_ids[node];
    roads.coordinates[kept] = roads.coordinates[node];
    ++kept;
  }
  roads.osm_ids.resize(kept);
  roads.coordinates.resize(kept);
  std::size_t kept_arcs = 0;
  for (const ImportedArc& arc : roads.arcs) {
    if (renumbered[arc.tail] == kInvalidNode || renumbered[arc.head] == kInvalidNode) continue;
    roads.arcs[kept_arcs++] = {renumbered[arc.tail], renumbered[arc.head], arc.length_m,
                               arc.duration_ds};
  }
  roads.arcs.resize(kept_arcs);
}

std::string percentOf(std::uint64_t part, std::uint64_t whole) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

}  // namespace

std::optional<OsmProfile> parseOsmProfile(std::string_view name) {
  if (name == "car") return OsmProfile::kCar;
  if (name == "distance") return OsmProfile::kDistance;
  return std::nullopt;
}

std::string_view osmProfileName(OsmProfile profile) {
  return profile == OsmProfile::kCar ? "car" : "distance";
}

ImportedRoads importOsm(const std::string& path, OsmProfile profile, ProgressLine* progress) {
  const auto started = std::chrono::steady_clock::now();
  RoadCollector collector;
  readRoads(path, collector, progress);

  ImportedRoads roads;
  roads.summary = collector.summary();
  if (collector.nodes().empty()) {
    throw GraphFormatError(path + ": no car roads (" + std::to_string(roads.summary.ways_read) +
                           " ways read)");
  }
  {
    constexpr std::uint64_t kSteps = 3;
    ProgressPhase building(progress, "building", kSteps, ProgressUnit::kSteps);
    numberNodes(collector.nodes(), roads.osm_ids, roads.coordinates);
    if (roads.osm_ids.size() >= kInvalidNode) {
      throw GraphFormatError(path + ": too many road nodes (" +
                             std::to_string(roads.osm_ids.size()) + ")");
    }
    building.update(1);
    roads.arcs = denseMergedArcs(collector.arcs(), roads.osm_ids, profile);
    building.update(2);
    roads.summary.nodes_before_pruning = roads.osm_ids.size();
    roads.summary.arcs_before_pruning = roads.arcs.size();
    keepLargestComponent(roads);
    building.update(kSteps);
  }
  roads.summary.nodes = roads.osm_ids.size();
  roads.summary.arcs = roads.arcs.size();
  if (roads.arcs.empty()) {
    throw GraphFormatError(path + ": no two car-road nodes reach each other (" +
                           std::to_string(roads.summary.ways_read) + " ways read, " +
                           std::to_string(roads.summary.road_ways) + " car-road ways)");
  }
  roads.summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return roads;
}

std::string formatImportSummary(const ImportSummary& summary) {
  const std::uint64_t dropped_nodes = summary.nodes_before_pruning - summary.nodes;
  const std::uint64_t dropped_arcs = summary.arcs_before_pruning - summary.arcs;
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f s", summary.seconds);
  return withThousands(summary.nodes) + " nodes, " + withThousands(summary.arcs) +
         " arcs; dropped " + withThousands(dropped_nodes) + " nodes (" +
         percentOf(dropped_nodes, summary.nodes_before_pruning) + ") and " +
         withThousands(dropped_arcs) + " arcs (" +
         percentOf(dropped_arcs, summary.arcs_before_pruning) +
         ") outside the largest strongly connected component; " +
         withThousands(summary.unknown_maxspeed_ways) + " ways with an unknown maxspeed; " +
         withThousands(summary.missing_locations) + " missing node locations; " + seconds;
}

}  // namespace twinlane::app
