// SPDX-License-Identifier: Apache-2.0
// generateRoadGraph: lay out junctions and the roads between them (local streets, arterials,
// motorways with ramps), keep the largest strongly connected component of that junction graph,
// then bend each road into a chain of shape points and measure every arc.
#include "generator.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "graph_components.h"
#include "graph_geometry.h"

namespace twinlane::app {
namespace {

// splitmix64 (Steele, Lea, Flood): tiny, fast, and the same on every platform.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, bound) for bound << 2^64.
  std::uint32_t below(std::uint32_t bound) { return static_cast<std::uint32_t>(next() % bound); }
  // Uniform in [-limit, limit].
  std::int64_t within(std::int64_t limit) {
    return static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(2 * limit + 1)) - limit;
  }
  bool chance(std::uint32_t permille) { return below(1000) < permille; }

 private:
  std::uint64_t state_;
};

enum class RoadClass : std::uint8_t { kLocal, kArterial, kMotorway, kRamp };

struct ClassTraits {
  std::uint32_t kmh;                    // travel speed
  std::uint32_t shape_points_permille;  // relative density of shape points per metre
  std::uint32_t jitter_m;               // how far a shape point strays from the smooth bend
};

// Local streets wiggle and carry the most shape points; motorways are smooth and straight.
ClassTraits traitsOf(RoadClass road_class) {
  switch (road_class) {
    case RoadClass::kLocal: return {30, 1000, 3};
    case RoadClass::kArterial: return {50, 500, 1};
    case RoadClass::kMotorway: return {120, 400, 0};
    case RoadClass::kRamp: return {60, 1000, 0};
  }
  return {30, 1000, 0};
}

// Metres east and north of the south-west corner of the area.
struct Point {
  std::int64_t x;
  std::int64_t y;
};

// A road between two junctions. A one-way road runs from `from` to `to`. `bend_m` is how far its
// middle lies left of the straight line from `from` to `to`.
struct Road {
  NodeId from;
  NodeId to;
  RoadClass road_class;
  bool one_way;
  std::int64_t bend_m;
};

std::int64_t straightMetres(const Point& a, const Point& b) {
  const auto dx = static_cast<double>(a.x - b.x);
  const auto dy = static_cast<double>(a.y - b.y);
  return std::llround(std::sqrt(dx * dx + dy * dy));  // sqrt is exact-rounded: the same everywhere
}

// Junctions per square block the street layout makes, measured on large graphs; it sizes the
// area so that about one node in kNodesPerJunction is a junction and the rest shape points.
constexpr double kJunctionsPerSquareBlock = 1.3;
constexpr double kNodesPerJunction = 4.5;
// How far a motorway carriageway lies from the motorway's centre line, and how far before and
// after an interchange its ramps leave and join.
constexpr std::int64_t kCarriagewayOffsetM = 12;
constexpr std::int64_t kRampM = 150;

class Layout {
 public:
  Layout(const GeneratorOptions& options, SplitMix64& random) : options_(options), random_(random) {}

  void build();
  std::int64_t side() const { return side_; }
  std::vector<Point>& junctions() { return junctions_; }
  std::vector<Road>& roads() { return roads_; }

 private:
  struct Spur {
    std::int64_t unit;
    bool from_top;
  };
  struct Interchange {
    std::int64_t along;    // metres along the motorway
    NodeId right_terminal;  // where the ramps of the forward carriageway meet the arterial
    NodeId left_terminal;   // and those of the backward carriageway
  };

  void layRows();
  void layConnectors();
  void layJunctions();
  void layStreets();
  void layMotorways();
  void addMotorway(bool east_west, std::int64_t centre, const std::vector<Interchange>& interchanges);
  bool isArterialUnit(std::int64_t unit) const {
    return (unit - arterial_unit_phase_) % arterial_units_ == 0 && unit >= arterial_unit_phase_;
  }
  bool isArterialRow(std::size_t row) const { return row % options_.arterial_blocks == arterial_row_phase_; }
  NodeId junctionAt(std::size_t row, std::int64_t unit) const;
  NodeId addJunction(Point where) {
    junctions_.push_back(where);
    return static_cast<NodeId>(junctions_.size() - 1);
  }
  void addLocalRoad(NodeId a, NodeId b);
  std::int64_t randomBend(NodeId a, NodeId b, std::uint32_t permille) {
    const std::int64_t most = straightMetres(junctions_[a], junctions_[b]) * permille / 1000;
    return random_.within(most);
  }

  const GeneratorOptions& options_;
  SplitMix64& random_;
  std::int64_t side_ = 0;
  std::int64_t unit_m_ = 0;  // lattice step of the north-south connectors
  std::int64_t width_units_ = 0;
  std::int64_t arterial_units_ = 0;
  std::int64_t arterial_unit_phase_ = 0;
  std::size_t arterial_row_phase_ = 0;
  std::vector<std::int64_t> row_y_;
  std::vector<std::vector<std::int64_t>> band_connectors_;  // band b lies between rows b and b+1
  std::vector<std::vector<Spur>> band_spurs_;
  std::vector<std::vector<std::int64_t>> row_units_;  // junctions of each row, west to east
  std::vector<NodeId> row_first_junction_;
  std::vector<Point> junctions_;
  std::vector<Road> roads_;
};

void Layout::build() {
  const double block = options_.block_m;
  const double junctions = std::max(options_.nodes / kNodesPerJunction, 1.0);
  side_ = std::max(std::llround(block * std::sqrt(junctions / kJunctionsPerSquareBlock)),
                   static_cast<long long>(4 * options_.block_m));
  unit_m_ = std::max<std::int64_t>(options_.block_m / 2, 1);
  width_units_ = side_ / unit_m_;
  arterial_units_ = 2 * std::int64_t{options_.arterial_blocks};
  arterial_unit_phase_ = random_.below(static_cast<std::uint32_t>(arterial_units_));
  arterial_row_phase_ = random_.below(options_.arterial_blocks);
  layRows();
  layConnectors();
  layJunctions();
  layStreets();
  layMotorways();
}

// East-west streets, 70% to 130% of a block apart.
void Layout::layRows() {
  for (std::int64_t y = 0; y <= side_; y += std::int64_t{options_.block_m} * (70 + random_.below(61)) / 100) {
    row_y_.push_back(y);
  }
  if (row_y_.size() < 2) row_y_.push_back(side_);
}

// North-south connectors in each band between two streets: every 2 to 4 lattice units, placed
// afresh in each band, so that most meet a street at a T and only some line up into crossings;
// arterials on fixed units cross every band. Some long gaps get a cul-de-sac from one side.
void Layout::layConnectors() {
  const std::size_t bands = row_y_.size() - 1;
  band_connectors_.resize(bands);
  band_spurs_.resize(bands);
  for (std::size_t band = 0; band < bands; ++band) {
    std::vector<std::int64_t>& connectors = band_connectors_[band];
    for (std::int64_t unit = random_.below(3); unit <= width_units_;) {
      const std::int64_t gap = 2 + random_.below(4);
      const std::int64_t offset = ((unit - arterial_unit_phase_) % arterial_units_ + arterial_units_) % arterial_units_;
      if (offset != 1 && offset != arterial_units_ - 1) connectors.push_back(unit);
      if (gap >= 3 && unit + 1 <= width_units_ && !isArterialUnit(unit + 1) &&
          random_.chance(options_.dead_end_permille)) {
        band_spurs_[band].push_back({unit + 1, random_.below(2) == 0});
      }
      unit += gap;
    }
    for (std::int64_t unit = arterial_unit_phase_; unit <= width_units_; unit += arterial_units_) {
      connectors.push_back(unit);
    }
    std::sort(connectors.begin(), connectors.end());
    connectors.erase(std::unique(connectors.begin(), connectors.end()), connectors.end());
  }
}

// A street has a junction wherever a connector or a cul-de-sac of the band above or below meets
// it. Junctions off an arterial stray a little from the lattice, so local streets are not ruled.
void Layout::layJunctions() {
  const std::int64_t stray = std::int64_t{options_.block_m} / 10;
  row_units_.resize(row_y_.size());
  for (std::size_t row = 0; row < row_y_.size(); ++row) {
    std::vector<std::int64_t>& units = row_units_[row];
    if (row > 0) {
      units = band_connectors_[row - 1];
      for (const Spur& spur : band_spurs_[row - 1]) {
        if (spur.from_top) units.push_back(spur.unit);
      }
    }
    if (row < band_connectors_.size()) {
      units.insert(units.end(), band_connectors_[row].begin(), band_connectors_[row].end());
      for (const Spur& spur : band_spurs_[row]) {
        if (!spur.from_top) units.push_back(spur.unit);
      }
    }
    std::sort(units.begin(), units.end());
    units.erase(std::unique(units.begin(), units.end()), units.end());
    row_first_junction_.push_back(static_cast<NodeId>(junctions_.size()));
    for (const std::int64_t unit : units) {
      const std::int64_t x = unit * unit_m_ + (isArterialUnit(unit) ? random_.within(1) : random_.within(stray));
      const std::int64_t y = row_y_[row] + (isArterialRow(row) ? random_.within(1) : random_.within(stray));
      addJunction({x, y});
    }
  }
}

NodeId Layout::junctionAt(std::size_t row, std::int64_t unit) const {
  const std::vector<std::int64_t>& units = row_units_[row];
  const auto found = std::lower_bound(units.begin(), units.end(), unit);
  if (found == units.end() || *found != unit) return kInvalidNode;
  return row_first_junction_[row] + static_cast<NodeId>(found - units.begin());
}

void Layout::addLocalRoad(NodeId a, NodeId b) {
  if (random_.chance(options_.missing_street_permille)) return;
  const std::int64_t bend = randomBend(a, b, 80);
  if (random_.chance(options_.one_way_permille)) {
    if (random_.below(2) == 0) std::swap(a, b);
    roads_.push_back({a, b, RoadClass::kLocal, true, bend});
    return;
  }
  roads_.push_back({a, b, RoadClass::kLocal, false, bend});
}

void Layout::layStreets() {
  for (std::size_t row = 0; row < row_units_.size(); ++row) {
    const NodeId first = row_first_junction_[row];
    const auto count = static_cast<NodeId>(row_units_[row].size());
    for (NodeId i = 0; i + 1 < count; ++i) {
      if (isArterialRow(row)) {
        roads_.push_back({first + i, first + i + 1, RoadClass::kArterial, false, randomBend(first + i, first + i + 1, 20)});
      } else {
        addLocalRoad(first + i, first + i + 1);
      }
    }
  }
  const std::int64_t stray = std::int64_t{options_.block_m} / 10;
  for (std::size_t band = 0; band < band_connectors_.size(); ++band) {
    for (const std::int64_t unit : band_connectors_[band]) {
      const NodeId south = junctionAt(band, unit);
      const NodeId north = junctionAt(band + 1, unit);
      if (isArterialUnit(unit)) {
        roads_.push_back({south, north, RoadClass::kArterial, false, randomBend(south, north, 20)});
      } else {
        addLocalRoad(south, north);
      }
    }
    // A cul-de-sac reaches 30% to 60% into its band; it is two-way and never missing.
    const std::int64_t height = row_y_[band + 1] - row_y_[band];
    for (const Spur& spur : band_spurs_[band]) {
      const NodeId street = junctionAt(spur.from_top ? band + 1 : band, spur.unit);
      const std::int64_t reach = height * (30 + random_.below(31)) / 100;
      const Point& start = junctions_[street];
      const NodeId end = addJunction({start.x + random_.within(stray), start.y + (spur.from_top ? -reach : reach)});
      roads_.push_back({street, end, RoadClass::kLocal, false, randomBend(street, end, 80)});
    }
  }
}

// Motorways run the width of the area through the middle of a band (east-west) or between
// connector units (north-south), evenly spaced; an interchange on every few arterials.
void Layout::layMotorways() {
  const std::int64_t spacing = options_.motorway_spacing_m;
  const std::int64_t count = (side_ + spacing / 2) / spacing;
  const std::int64_t arterial_m = arterial_units_ * unit_m_;
  const std::int64_t every = std::max<std::int64_t>(1, (options_.interchange_spacing_m + arterial_m / 2) / arterial_m);
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t target = (2 * i + 1) * side_ / (2 * count);
    // East-west: between the streets of the band around `target`, ramps to the arterial
    // junctions just south (forward, eastbound, drives on the south side) and north.
    const auto above = std::upper_bound(row_y_.begin(), row_y_.end(), target);
    if (above != row_y_.begin() && above != row_y_.end()) {
      const auto band = static_cast<std::size_t>(above - row_y_.begin() - 1);
      std::vector<Interchange> interchanges;
      const std::int64_t phase = random_.below(static_cast<std::uint32_t>(every));
      std::int64_t nth = 0;
      for (std::int64_t unit = arterial_unit_phase_; unit <= width_units_; unit += arterial_units_, ++nth) {
        if (nth % every != phase) continue;
        const NodeId south = junctionAt(band, unit);
        const NodeId north = junctionAt(band + 1, unit);
        if (south != kInvalidNode && north != kInvalidNode) interchanges.push_back({junctions_[south].x, south, north});
      }
      addMotorway(true, (row_y_[band] + row_y_[band + 1]) / 2, interchanges);
    }
    // North-south: forward is northbound on the east side; ramps to the junctions of arterial
    // streets just east and west of the motorway.
    const std::int64_t centre = target / unit_m_ * unit_m_ + unit_m_ / 2;
    const std::int64_t east_unit = centre / unit_m_ + 1;
    std::vector<Interchange> interchanges;
    const std::int64_t phase = random_.below(static_cast<std::uint32_t>(every));
    std::int64_t nth = 0;
    for (std::size_t row = 0; row < row_units_.size(); ++row) {
      if (!isArterialRow(row)) continue;
      if (nth++ % every != phase) continue;
      const std::vector<std::int64_t>& units = row_units_[row];
      const auto east = std::lower_bound(units.begin(), units.end(), east_unit);
      if (east == units.begin() || east == units.end()) continue;
      const NodeId east_junction = row_first_junction_[row] + static_cast<NodeId>(east - units.begin());
      interchanges.push_back({junctions_[east_junction].y, east_junction, east_junction - 1});
    }
    addMotorway(false, centre, interchanges);
  }
}

// Two one-way carriageways; at each interchange the forward one has an off ramp before it and an
// on ramp after it to its right-hand terminal, the backward one likewise to the other. Ramps at
// either end that lead nowhere fall away with the strongly connected component.
void Layout::addMotorway(bool east_west, std::int64_t centre, const std::vector<Interchange>& interchanges) {
  if (interchanges.size() < 2) return;
  // Right of forward travel: south of an eastbound road, east of a northbound one.
  const std::int64_t forward_side = east_west ? -kCarriagewayOffsetM : kCarriagewayOffsetM;
  auto at = [&](std::int64_t along, std::int64_t side) {
    return east_west ? Point{along, centre + side} : Point{centre + side, along};
  };
  std::vector<NodeId> forward;   // off, on, off, on, ... in the forward direction
  std::vector<NodeId> backward;  // off, on, ... in the backward direction
  for (const Interchange& interchange : interchanges) {
    const NodeId off = addJunction(at(interchange.along - kRampM, forward_side));
    const NodeId on = addJunction(at(interchange.along + kRampM, forward_side));
    roads_.push_back({off, interchange.right_terminal, RoadClass::kRamp, true, randomBend(off, interchange.right_terminal, 250)});
    roads_.push_back({interchange.right_terminal, on, RoadClass::kRamp, true, randomBend(interchange.right_terminal, on, 250)});
    forward.push_back(off);
    forward.push_back(on);
  }
  for (auto interchange = interchanges.rbegin(); interchange != interchanges.rend(); ++interchange) {
    const NodeId off = addJunction(at(interchange->along + kRampM, -forward_side));
    const NodeId on = addJunction(at(interchange->along - kRampM, -forward_side));
    roads_.push_back({off, interchange->left_terminal, RoadClass::kRamp, true, randomBend(off, interchange->left_terminal, 250)});
    roads_.push_back({interchange->left_terminal, on, RoadClass::kRamp, true, randomBend(interchange->left_terminal, on, 250)});
    backward.push_back(off);
    backward.push_back(on);
  }
  // Both carriageways bend together between interchanges: left of forward is right of backward.
  const std::size_t gaps = interchanges.size() - 1;
  std::vector<std::int64_t> bends(gaps);
  for (std::size_t gap = 0; gap < gaps; ++gap) {
    bends[gap] = random_.within((interchanges[gap + 1].along - interchanges[gap].along) * 15 / 1000);
  }
  for (std::size_t i = 0; i + 1 < forward.size(); ++i) {
    const std::int64_t bend = i % 2 == 1 ? bends[i / 2] : 0;  // on -> off spans a gap
    roads_.push_back({forward[i], forward[i + 1], RoadClass::kMotorway, true, bend});
  }
  for (std::size_t i = 0; i + 1 < backward.size(); ++i) {
    const std::int64_t bend = i % 2 == 1 ? -bends[gaps - 1 - i / 2] : 0;
    roads_.push_back({backward[i], backward[i + 1], RoadClass::kMotorway, true, bend});
  }
}

// Which junctions are in the largest strongly connected component of the roads.
std::vector<bool> keptJunctions(const std::vector<Point>& junctions, const std::vector<Road>& roads) {
  std::vector<Arc> arcs;
  arcs.reserve(2 * roads.size());
  for (const Road& road : roads) {
    arcs.push_back({road.from, road.to, 1});
    if (!road.one_way) arcs.push_back({road.to, road.from, 1});
  }
  const auto count = static_cast<NodeId>(junctions.size());
  const Graph graph = Graph::fromArcs(count, std::move(arcs), {}, "junctions");
  const StronglyConnectedComponents components = computeStronglyConnectedComponents(graph);
  std::vector<bool> kept(count);
  for (NodeId node = 0; node < count; ++node) kept[node] = components.component_of[node] == components.largest;
  return kept;
}

// Spreads `budget` shape points over the roads in proportion to their length times their class's
// density, by rounding the running total, so that they add up to the budget exactly.
std::vector<std::uint32_t> shapePointsPerRoad(const std::vector<Point>& junctions, const std::vector<Road>& roads,
                                              std::uint64_t budget) {
  std::vector<std::uint64_t> share(roads.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < roads.size(); ++i) {
    const auto metres = static_cast<std::uint64_t>(straightMetres(junctions[roads[i].from], junctions[roads[i].to]));
    share[i] = std::max<std::uint64_t>(metres * traitsOf(roads[i].road_class).shape_points_permille / 1000, 1);
    total += share[i];
  }
  // budget * running total must fit 64 bits: budget < 2^32, so keep the total below 2^31.
  unsigned shift = 0;
  while ((total >> shift) >= (std::uint64_t{1} << 31)) ++shift;
  std::uint64_t scaled_total = 0;
  for (std::uint64_t& s : share) scaled_total += (s = std::max<std::uint64_t>(s >> shift, 1));
  std::vector<std::uint32_t> points(roads.size());
  std::uint64_t running = 0;
  std::uint64_t given = 0;
  for (std::size_t i = 0; i < roads.size(); ++i) {
    running += share[i];
    const std::uint64_t until_here = budget * running / scaled_total;
    points[i] = static_cast<std::uint32_t>(until_here - given);
    given = until_here;
  }
  return points;
}

}  // namespace

Graph generateRoadGraph(const GeneratorOptions& options) {
  if (options.nodes < 4 || options.nodes >= kInvalidNode) {
    throw std::invalid_argument("generator: nodes must be in 4.." + std::to_string(kInvalidNode - 1) + ", got " +
                                std::to_string(options.nodes));
  }
  if (options.block_m < 10 || options.block_m > 10'000 || options.arterial_blocks == 0 ||
      options.motorway_spacing_m == 0 || options.interchange_spacing_m == 0) {
    throw std::invalid_argument(
        "generator: block_m must be in 10..10000, arterial_blocks and the motorway spacings positive");
  }
  if (options.missing_street_permille > 1000 || options.one_way_permille > 1000 || options.dead_end_permille > 1000) {
    throw std::invalid_argument("generator: a permille must be at most 1000");
  }
  SplitMix64 random(options.seed);
  Layout layout(options, random);
  layout.build();
  std::vector<Point>& junctions = layout.junctions();
  std::vector<Road>& roads = layout.roads();

  // Keep the largest component's junctions and the roads between them.
  const std::vector<bool> kept = keptJunctions(junctions, roads);
  std::vector<Point> where;
  std::vector<NodeId> new_id(junctions.size(), kInvalidNode);
  for (std::size_t node = 0; node < junctions.size(); ++node) {
    if (!kept[node]) continue;
    new_id[node] = static_cast<NodeId>(where.size());
    where.push_back(junctions[node]);
  }
  std::erase_if(roads, [&](const Road& road) { return !kept[road.from] || !kept[road.to]; });
  for (Road& road : roads) {
    road.from = new_id[road.from];
    road.to = new_id[road.to];
  }
  const std::uint64_t budget = options.nodes > where.size() ? options.nodes - where.size() : 0;
  const std::vector<std::uint32_t> shape_points = shapePointsPerRoad(where, roads, budget);

  // Bend each road into its shape points: a parabola through the ends with `bend_m` at the middle,
  // plus jitter, all in integer metres.
  struct Link {
    NodeId tail;
    NodeId head;
    RoadClass road_class;
    bool one_way;
  };
  std::vector<Link> links;
  links.reserve(roads.size() + budget);
  where.reserve(where.size() + budget);
  for (std::size_t i = 0; i < roads.size(); ++i) {
    const Road& road = roads[i];
    const Point a = where[road.from];
    const Point b = where[road.to];
    const std::int64_t dx = b.x - a.x;
    const std::int64_t dy = b.y - a.y;
    const std::int64_t length = std::max<std::int64_t>(straightMetres(a, b), 1);
    const std::int64_t pieces = std::int64_t{shape_points[i]} + 1;
    const auto jitter = static_cast<std::int64_t>(traitsOf(road.road_class).jitter_m);
    NodeId previous = road.from;
    for (std::int64_t k = 1; k < pieces; ++k) {
      const std::int64_t left = road.bend_m * 4 * k * (pieces - k) / (pieces * pieces) + random.within(jitter);
      const Point point{a.x + dx * k / pieces - dy * left / length, a.y + dy * k / pieces + dx * left / length};
      const auto node = static_cast<NodeId>(where.size());
      where.push_back(point);
      links.push_back({previous, node, road.road_class, road.one_way});
      previous = node;
    }
    links.push_back({previous, road.to, road.road_class, road.one_way});
  }

  // Number the nodes south to north in strips of a block, west to east within a strip.
  const auto n = static_cast<NodeId>(where.size());
  const std::int64_t margin = 2 * std::int64_t{options.block_m} + 2 * kRampM;  // ramps reach past the edge
  std::vector<std::pair<std::uint64_t, NodeId>> order(n);
  for (NodeId node = 0; node < n; ++node) {
    const auto strip = static_cast<std::uint64_t>((where[node].y + margin) / options.block_m);
    const auto x = static_cast<std::uint64_t>(where[node].x + margin);
    order[node] = {strip << 32 | x, node};
  }
  std::sort(order.begin(), order.end());
  std::vector<NodeId> position(n);
  for (NodeId i = 0; i < n; ++i) position[order[i].second] = i;

  // Metres to microdegrees around the centre: one cosine, the rest integer arithmetic.
  const std::int64_t lat_nano_per_m = std::llround(1e9 / (kEarthRadiusMeters * kRadiansPerDegree));
  const std::int64_t lon_nano_per_m =
      std::llround(static_cast<double>(lat_nano_per_m) / std::cos(options.center_lat_e6 / 1e6 * kRadiansPerDegree));
  const std::int64_t half = layout.side() / 2;
  std::vector<Coordinate> coordinates(n);
  for (NodeId node = 0; node < n; ++node) {
    const std::int64_t lon = options.center_lon_e6 + (where[node].x - half) * lon_nano_per_m / 1000;
    const std::int64_t lat = options.center_lat_e6 + (where[node].y - half) * lat_nano_per_m / 1000;
    if (lat < -90'000'000 || lat > 90'000'000 || lon < -180'000'000 || lon > 180'000'000) {
      throw std::invalid_argument("generator: the area does not fit on the globe around the centre");
    }
    coordinates[position[node]] = {static_cast<std::int32_t>(lon), static_cast<std::int32_t>(lat)};
  }

  std::vector<RoadArc> arcs;
  arcs.reserve(2 * links.size());
  for (const Link& link : links) {
    const NodeId tail = position[link.tail];
    const NodeId head = position[link.head];
    const Coordinate a = coordinates[tail];
    const Coordinate b = coordinates[head];
    const auto length = static_cast<std::uint32_t>(
        std::max(std::ceil(haversineMeters(a.lon(), a.lat(), b.lon(), b.lat())), 1.0));
    const std::uint32_t kmh = traitsOf(link.road_class).kmh;
    const auto duration = static_cast<std::uint32_t>((std::uint64_t{length} * 36 + kmh - 1) / kmh);
    arcs.push_back({tail, head, length, duration});
    if (!link.one_way) arcs.push_back({head, tail, length, duration});
  }
  std::string source = "generated:nodes=";
  source.append(std::to_string(options.nodes)).append(",seed=").append(std::to_string(options.seed));
  return Graph::fromRoads(n, std::move(arcs), std::move(coordinates), {}, Metric::kLengthMeters, std::move(source));
}

}  // namespace twinlane::app
