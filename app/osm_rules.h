// SPDX-License-Identifier: Apache-2.0
// Which OpenStreetMap ways are car roads, which way they run and how fast a car goes on them.
//
// This file owns the tag rules of the OSM importer (osm_import.h), kept apart from libosmium so
// that they can be tested with plain strings. The way rules are those of
// ../shared/data/tools/osm2dimacs.py, which made the shared OSM-road-d.* graphs, so that our
// distance import reproduces them; the speeds (per highway class, and `maxspeed` values) follow
// OSRM's car profile in spirit. It owns no state and does no I/O.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

namespace twinlane::app {

// The value of a way's tag `key`, or nullptr when the way has no such tag.
using TagLookup = std::function<const char*(std::string_view key)>;

enum class WayDirection {
  kBoth,      // arcs in and against the order of the way's nodes
  kForward,   // only in the order of the way's nodes
  kBackward,  // only against it (oneway=-1)
  kSkipped,   // no arcs at all: reversible and alternating roads change direction by time
};

enum class MaxspeedStatus {
  kAbsent,    // no maxspeed tag
  kParsed,    // a limit in km/h
  kNotALimit, // a known value that names no number (signals, variable): use the class speed
  kUnknown,   // unparseable or out of range: use the class speed, and count the way
};

struct Maxspeed {
  MaxspeedStatus status = MaxspeedStatus::kUnknown;
  double kmh = 0;  // only meaningful when status is kParsed
};

// The importer's reading of one way.
struct WayRules {
  bool is_car_road = false;  // when false, nothing below is meaningful
  WayDirection direction = WayDirection::kBoth;
  double class_speed_kmh = 0;  // from the highway class
  Maxspeed maxspeed;           // from the maxspeed tag
  double speed_kmh = 0;        // maxspeed when parsed, else the class speed

  // Whether the way contributes arcs to the road graph.
  bool hasArcs() const { return is_car_road && direction != WayDirection::kSkipped; }
};

// The typical car speed on a highway class (`highway=residential` -> 25), or nullopt when the
// class is not a car road this importer keeps (footway, track, a `construction`, ...).
std::optional<double> classSpeedKmh(std::string_view highway);

// Parses a `maxspeed` value: `50`, `50.5`, `30 mph`, `30mph`, `50 km/h`, `50 kmh`, `50 kph`,
// `10 knots`, `none` (130), `walk` (6), `DE:zone30` and `DE:zone:30`, country defaults such as
// `DE:urban` or `GB:nsl_single`, and `;` lists (the lowest limit in the list). `signals` and
// `variable` are kNotALimit. Limits at or below 0 or above 300 km/h are kUnknown.
Maxspeed parseMaxspeed(std::string_view value);

// The limit in km/h when parseMaxspeed() finds one.
std::optional<double> parseMaxspeedKmh(std::string_view value);

// Classifies a way from its tags (highway, area, access, motor_vehicle, motorcar, oneway,
// junction, maxspeed).
WayRules classifyWay(const TagLookup& tag);

}  // namespace twinlane::app
