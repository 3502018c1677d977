// SPDX-License-Identifier: Apache-2.0
// The tag tables (highway classes, country speed limits) and the maxspeed grammar.
#include "osm_rules.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <string>

namespace twinlane::app {
namespace {

constexpr double kKmhPerMph = 1.609344;
constexpr double kKmhPerKnot = 1.852;
constexpr double kNoLimitKmh = 130;  // `maxspeed=none`: what a car keeps to on a free autobahn
constexpr double kWalkKmh = 6;       // `maxspeed=walk`: walking pace
constexpr double kHighestPlausibleKmh = 300;

struct NamedSpeed {
  std::string_view name;
  double kmh;
};

// The car highway classes of osm2dimacs.py with speeds in the spirit of OSRM's car.lua: what a
// car typically drives there, not the legal limit.
constexpr std::array kClassSpeeds{
    NamedSpeed{"motorway", 90},      NamedSpeed{"motorway_link", 45},
    NamedSpeed{"trunk", 85},         NamedSpeed{"trunk_link", 40},
    NamedSpeed{"primary", 65},       NamedSpeed{"primary_link", 30},
    NamedSpeed{"secondary", 55},     NamedSpeed{"secondary_link", 25},
    NamedSpeed{"tertiary", 40},      NamedSpeed{"tertiary_link", 20},
    NamedSpeed{"unclassified", 25},  NamedSpeed{"residential", 25},
    NamedSpeed{"living_street", 10}, NamedSpeed{"service", 15},
    NamedSpeed{"road", 25},
};

// Implicit limits (`maxspeed=DE:urban`), upper-case country code first. urban, rural and
// motorway are the national limits for cars as the OSM wiki page "Default speed limits" lists
// them; where a country has no limit on motorways (DE) we take 130, its advisory speed. trunk
// and living_street come from OSRM car.lua's maxspeed_table (DE:living_street 7, AT/CH/NL trunk
// 100, ES trunk 90) or its maxspeed_table_default (trunk 110), and from the national
// "encounter zone" rules (20 in CH, FR, BE, ES; walking pace in AT and NL). LI follows the
// Swiss rules without motorways; MC is all town; AD and MT have no motorways. A pair that is
// not listed is unknown, so the way falls back to its class speed and is counted.
constexpr std::array kCountrySpeeds{
    NamedSpeed{"DE:urban", 50},          NamedSpeed{"DE:rural", 100},
    NamedSpeed{"DE:trunk", 110},         NamedSpeed{"DE:motorway", 130},
    NamedSpeed{"DE:living_street", 7},   NamedSpeed{"AT:urban", 50},
    NamedSpeed{"AT:rural", 100},         NamedSpeed{"AT:trunk", 100},
    NamedSpeed{"AT:motorway", 130},      NamedSpeed{"AT:living_street", kWalkKmh},
    NamedSpeed{"CH:urban", 50},          NamedSpeed{"CH:rural", 80},
    NamedSpeed{"CH:trunk", 100},         NamedSpeed{"CH:motorway", 120},
    NamedSpeed{"CH:living_street", 20},  NamedSpeed{"FR:urban", 50},
    NamedSpeed{"FR:rural", 80},          NamedSpeed{"FR:trunk", 110},
    NamedSpeed{"FR:motorway", 130},      NamedSpeed{"FR:living_street", 20},
    NamedSpeed{"IT:urban", 50},          NamedSpeed{"IT:rural", 90},
    NamedSpeed{"IT:trunk", 110},         NamedSpeed{"IT:motorway", 130},
    NamedSpeed{"ES:urban", 50},          NamedSpeed{"ES:rural", 90},
    NamedSpeed{"ES:trunk", 90},          NamedSpeed{"ES:motorway", 120},
    NamedSpeed{"ES:living_street", 20},  NamedSpeed{"NL:urban", 50},
    NamedSpeed{"NL:rural", 80},          NamedSpeed{"NL:trunk", 100},
    NamedSpeed{"NL:motorway", 130},      NamedSpeed{"NL:living_street", 15},
    NamedSpeed{"BE:urban", 50},          NamedSpeed{"BE:rural", 70},
    NamedSpeed{"BE:trunk", 110},         NamedSpeed{"BE:motorway", 120},
    NamedSpeed{"BE:living_street", 20},  NamedSpeed{"LI:urban", 50},
    NamedSpeed{"LI:rural", 80},          NamedSpeed{"LI:living_street", 20},
    NamedSpeed{"MC:urban", 50},          NamedSpeed{"AD:urban", 50},
    NamedSpeed{"AD:rural", 90},          NamedSpeed{"MT:urban", 50},
    NamedSpeed{"MT:rural", 80},
    // Great Britain posts miles per hour; "national speed limit" roads are nsl_*.
    NamedSpeed{"GB:urban", 30 * kKmhPerMph},       NamedSpeed{"GB:nsl_restricted", 30 * kKmhPerMph},
    NamedSpeed{"GB:rural", 60 * kKmhPerMph},       NamedSpeed{"GB:nsl_single", 60 * kKmhPerMph},
    NamedSpeed{"GB:nsl_dual", 70 * kKmhPerMph},    NamedSpeed{"GB:motorway", 70 * kKmhPerMph},
    NamedSpeed{"UK:urban", 30 * kKmhPerMph},       NamedSpeed{"UK:nsl_restricted", 30 * kKmhPerMph},
    NamedSpeed{"UK:rural", 60 * kKmhPerMph},       NamedSpeed{"UK:nsl_single", 60 * kKmhPerMph},
    NamedSpeed{"UK:nsl_dual", 70 * kKmhPerMph},    NamedSpeed{"UK:motorway", 70 * kKmhPerMph},
};

std::optional<double> lookUp(const auto& table, std::string_view name) {
  const auto it = std::find_if(table.begin(), table.end(),
                               [&](const NamedSpeed& entry) { return entry.name == name; });
  if (it == table.end()) return std::nullopt;
  return it->kmh;
}

bool isSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && isSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && isSpace(text.back())) text.remove_suffix(1);
  return text;
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isOneOf(const char* value, std::initializer_list<std::string_view> choices) {
  return value != nullptr && std::find(choices.begin(), choices.end(), value) != choices.end();
}

Maxspeed unknown() { return {MaxspeedStatus::kUnknown, 0}; }

Maxspeed limit(double kmh) {
  if (kmh <= 0 || kmh > kHighestPlausibleKmh) return unknown();
  return {MaxspeedStatus::kParsed, kmh};
}

// Splits `text` into a leading decimal number (digits, optionally `.` and digits; no sign, no
// exponent) and what follows it. nullopt when it does not start with one.
std::optional<double> leadingNumber(std::string_view& text) {
  std::size_t end = 0;
  while (end < text.size() && isDigit(text[end])) ++end;
  if (end == 0) return std::nullopt;
  if (end < text.size() && text[end] == '.') {
    const std::size_t fraction = end + 1;
    end = fraction;
    while (end < text.size() && isDigit(text[end])) ++end;
    if (end == fraction) return std::nullopt;
  }
  double value = 0;
  std::from_chars(text.data(), text.data() + end, value);
  text.remove_prefix(end);
  return value;
}

// `50`, `50.5`, `30 mph`, `30mph`, `50 km/h`, `50 kmh`, `50 kph`, `10 knots`.
Maxspeed numberWithUnit(std::string_view text) {
  const std::optional<double> number = leadingNumber(text);
  if (!number) return unknown();
  const std::string_view unit = trim(text);
  if (unit.empty() || unit == "km/h" || unit == "kmh" || unit == "kph") return limit(*number);
  if (unit == "mph") return limit(*number * kKmhPerMph);
  if (unit == "knots") return limit(*number * kKmhPerKnot);
  return unknown();
}

// `DE:zone30`, `DE:zone:30`, `DE:urban`, `GB:nsl_single`; the country code in any case.
Maxspeed countryLimit(std::string_view country, std::string_view kind) {
  if (kind.starts_with("zone")) {
    std::string_view number = kind.substr(4);
    if (number.starts_with(':')) number.remove_prefix(1);
    const std::optional<double> kmh = leadingNumber(number);
    if (!kmh || !number.empty()) return unknown();
    return limit(*kmh);
  }
  std::string name(country);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
  name.append(1, ':').append(kind);
  const std::optional<double> kmh = lookUp(kCountrySpeeds, name);
  return kmh ? limit(*kmh) : unknown();
}

Maxspeed parseOneMaxspeed(std::string_view text) {
  text = trim(text);
  if (text == "signals" || text == "variable") return {MaxspeedStatus::kNotALimit, 0};
  if (text == "none") return limit(kNoLimitKmh);
  if (text == "walk") return limit(kWalkKmh);
  if (const std::size_t colon = text.find(':'); colon != std::string_view::npos) {
    return countryLimit(text.substr(0, colon), text.substr(colon + 1));
  }
  return numberWithUnit(text);
}

WayDirection directionOf(std::string_view highway, const char* oneway, const char* junction) {
  if (isOneOf(oneway, {"yes", "true", "1"})) return WayDirection::kForward;
  if (isOneOf(oneway, {"-1", "reverse"})) return WayDirection::kBackward;
  if (isOneOf(oneway, {"reversible", "alternating"})) return WayDirection::kSkipped;
  // Only a missing tag implies a direction: `oneway=no` on a roundabout or motorway means what
  // it says, as in osm2dimacs.py.
  if (oneway == nullptr && (isOneOf(junction, {"roundabout", "circular"}) ||
                            highway == "motorway" || highway == "motorway_link")) {
    return WayDirection::kForward;
  }
  return WayDirection::kBoth;
}

}  // namespace

std::optional<double> classSpeedKmh(std::string_view highway) {
  return lookUp(kClassSpeeds, highway);
}

Maxspeed parseMaxspeed(std::string_view value) {
  // A list gives several limits (by time, by vehicle); the lowest is the safe reading.
  Maxspeed lowest = {MaxspeedStatus::kNotALimit, 0};
  bool any_unknown = false;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(value.find(';', start), value.size());
    const Maxspeed item = parseOneMaxspeed(value.substr(start, end - start));
    if (item.status == MaxspeedStatus::kParsed) {
      if (lowest.status != MaxspeedStatus::kParsed || item.kmh < lowest.kmh) lowest = item;
    } else if (item.status == MaxspeedStatus::kUnknown) {
      any_unknown = true;
    }
    if (end == value.size()) break;
    start = end + 1;
  }
  if (lowest.status != MaxspeedStatus::kParsed && any_unknown) return unknown();
  return lowest;
}

std::optional<double> parseMaxspeedKmh(std::string_view value) {
  const Maxspeed maxspeed = parseMaxspeed(value);
  if (maxspeed.status != MaxspeedStatus::kParsed) return std::nullopt;
  return maxspeed.kmh;
}

WayRules classifyWay(const TagLookup& tag) {
  WayRules rules;
  const char* highway = tag("highway");
  if (highway == nullptr) return rules;
  const std::optional<double> class_speed = classSpeedKmh(highway);
  if (!class_speed || isOneOf(tag("area"), {"yes"})) return rules;
  for (std::string_view key : {"access", "motor_vehicle", "motorcar"}) {
    if (isOneOf(tag(key), {"no", "private"})) return rules;
  }
  rules.is_car_road = true;
  rules.direction = directionOf(highway, tag("oneway"), tag("junction"));
  rules.class_speed_kmh = *class_speed;
  const char* maxspeed = tag("maxspeed");
  rules.maxspeed = maxspeed != nullptr ? parseMaxspeed(maxspeed)
                                       : Maxspeed{MaxspeedStatus::kAbsent, 0};
  rules.speed_kmh = rules.maxspeed.status == MaxspeedStatus::kParsed ? rules.maxspeed.kmh
                                                                     : rules.class_speed_kmh;
  return rules;
}

}  // namespace twinlane::app
