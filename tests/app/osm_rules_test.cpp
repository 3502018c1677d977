// SPDX-License-Identifier: Apache-2.0
// The OSM tag rules on plain strings: every maxspeed form the importer reads, and which ways are
// car roads in which direction, case by case against osm2dimacs.py's rules.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "osm_rules.h"

namespace twinlane::app {
namespace {

using Tags = std::map<std::string, std::string, std::less<>>;

WayRules classify(const Tags& tags) {
  return classifyWay([&tags](std::string_view key) -> const char* {
    const auto it = tags.find(key);
    return it == tags.end() ? nullptr : it->second.c_str();
  });
}

void expectLimit(std::string_view value, double kmh) {
  const Maxspeed maxspeed = parseMaxspeed(value);
  EXPECT_EQ(maxspeed.status, MaxspeedStatus::kParsed) << value;
  EXPECT_DOUBLE_EQ(maxspeed.kmh, kmh) << value;
  EXPECT_EQ(parseMaxspeedKmh(value), kmh) << value;
}

void expectStatus(std::string_view value, MaxspeedStatus status) {
  EXPECT_EQ(parseMaxspeed(value).status, status) << value;
  EXPECT_EQ(parseMaxspeedKmh(value), std::nullopt) << value;
}

TEST(MaxspeedTest, PlainNumbersAreKilometresPerHour) {
  expectLimit("50", 50);
  expectLimit("50.5", 50.5);
  expectLimit(" 30 ", 30);
  expectLimit("300", 300);
}

TEST(MaxspeedTest, ReadsUnits) {
  expectLimit("30 mph", 30 * 1.609344);
  expectLimit("30mph", 30 * 1.609344);
  expectLimit("50 km/h", 50);
  expectLimit("50 kmh", 50);
  expectLimit("50 kph", 50);
  expectLimit("10 knots", 10 * 1.852);
}

TEST(MaxspeedTest, ReadsWordsAndZones) {
  expectLimit("none", 130);
  expectLimit("walk", 6);
  expectLimit("DE:zone30", 30);
  expectLimit("DE:zone:30", 30);
  expectLimit("FR:zone20", 20);
}

TEST(MaxspeedTest, ReadsCountryDefaults) {
  expectLimit("DE:urban", 50);
  expectLimit("DE:rural", 100);
  expectLimit("DE:motorway", 130);
  expectLimit("DE:living_street", 7);
  expectLimit("de:urban", 50);
  expectLimit("AT:rural", 100);
  expectLimit("CH:rural", 80);
  expectLimit("CH:motorway", 120);
  expectLimit("FR:rural", 80);
  expectLimit("IT:rural", 90);
  expectLimit("ES:motorway", 120);
  expectLimit("NL:rural", 80);
  expectLimit("BE:rural", 70);
  expectLimit("GB:urban", 30 * 1.609344);
  expectLimit("GB:nsl_single", 60 * 1.609344);
  expectLimit("GB:nsl_dual", 70 * 1.609344);
  expectLimit("UK:motorway", 70 * 1.609344);
  expectLimit("LI:rural", 80);
  expectLimit("MC:urban", 50);
  expectLimit("AD:rural", 90);
  expectLimit("MT:rural", 80);
}

TEST(MaxspeedTest, ListsGiveTheLowestLimit) {
  expectLimit("50;30", 30);
  expectLimit("30 mph;60", 30 * 1.609344);
  expectLimit("signals;70", 70);
  expectLimit("fast;70", 70);
}

TEST(MaxspeedTest, SignalsAndVariableAreNotLimits) {
  expectStatus("signals", MaxspeedStatus::kNotALimit);
  expectStatus("variable", MaxspeedStatus::kNotALimit);
  expectStatus("signals;variable", MaxspeedStatus::kNotALimit);
}

TEST(MaxspeedTest, AnythingElseIsUnknown) {
  for (std::string_view value :
       {"", "0", "-30", "301", "1e2", ".5", "50.", "50 mp/h", "fast", "DE:zone", "DE:zone30x",
        "DE:unknown", "XX:urban", "MC:motorway", "signals;fast", ";", "5O"}) {
    expectStatus(value, MaxspeedStatus::kUnknown);
  }
}

TEST(ClassSpeedTest, EveryCarClassHasASpeed) {
  const std::map<std::string, double> expected = {
      {"motorway", 90},     {"motorway_link", 45}, {"trunk", 85},         {"trunk_link", 40},
      {"primary", 65},      {"primary_link", 30},  {"secondary", 55},     {"secondary_link", 25},
      {"tertiary", 40},     {"tertiary_link", 20}, {"unclassified", 25},  {"residential", 25},
      {"living_street", 10}, {"service", 15},      {"road", 25}};
  for (const auto& [highway, kmh] : expected) EXPECT_EQ(classSpeedKmh(highway), kmh) << highway;
  for (std::string_view other : {"footway", "cycleway", "track", "path", "construction", ""}) {
    EXPECT_EQ(classSpeedKmh(other), std::nullopt) << other;
  }
}

TEST(WayRulesTest, CarRoadsAreTwoWayWithTheirClassSpeed) {
  const WayRules rules = classify({{"highway", "residential"}});
  EXPECT_TRUE(rules.is_car_road);
  EXPECT_TRUE(rules.hasArcs());
  EXPECT_EQ(rules.direction, WayDirection::kBoth);
  EXPECT_EQ(rules.class_speed_kmh, 25);
  EXPECT_EQ(rules.maxspeed.status, MaxspeedStatus::kAbsent);
  EXPECT_EQ(rules.speed_kmh, 25);
}

TEST(WayRulesTest, NonCarWaysAreNotRoads) {
  EXPECT_FALSE(classify({{"highway", "footway"}}).is_car_road);
  EXPECT_FALSE(classify({{"highway", "cycleway"}}).hasArcs());
  EXPECT_FALSE(classify({{"building", "yes"}}).is_car_road);
  EXPECT_FALSE(classify({}).is_car_road);
}

TEST(WayRulesTest, AreasAreDropped) {
  EXPECT_FALSE(classify({{"highway", "service"}, {"area", "yes"}}).is_car_road);
  EXPECT_TRUE(classify({{"highway", "service"}, {"area", "no"}}).is_car_road);
}

TEST(WayRulesTest, NoAndPrivateAccessAreDropped) {
  for (const char* key : {"access", "motor_vehicle", "motorcar"}) {
    for (const char* value : {"no", "private"}) {
      EXPECT_FALSE(classify({{"highway", "tertiary"}, {key, value}}).is_car_road)
          << key << "=" << value;
    }
    for (const char* value : {"destination", "yes", "permissive", "customers"}) {
      EXPECT_TRUE(classify({{"highway", "tertiary"}, {key, value}}).is_car_road)
          << key << "=" << value;
    }
  }
}

TEST(WayRulesTest, OnewayValuesSetTheDirection) {
  const std::map<std::string, WayDirection> expected = {
      {"yes", WayDirection::kForward},       {"true", WayDirection::kForward},
      {"1", WayDirection::kForward},         {"-1", WayDirection::kBackward},
      {"reverse", WayDirection::kBackward},  {"reversible", WayDirection::kSkipped},
      {"alternating", WayDirection::kSkipped}, {"no", WayDirection::kBoth},
      {"false", WayDirection::kBoth},        {"yes;no", WayDirection::kBoth}};
  for (const auto& [oneway, direction] : expected) {
    EXPECT_EQ(classify({{"highway", "primary"}, {"oneway", oneway}}).direction, direction)
        << "oneway=" << oneway;
  }
  EXPECT_FALSE(classify({{"highway", "primary"}, {"oneway", "reversible"}}).hasArcs());
  EXPECT_TRUE(classify({{"highway", "primary"}, {"oneway", "reversible"}}).is_car_road);
}

TEST(WayRulesTest, RoundaboutsAreOnewayUnlessTaggedOtherwise) {
  for (const char* junction : {"roundabout", "circular"}) {
    EXPECT_EQ(classify({{"highway", "primary"}, {"junction", junction}}).direction,
              WayDirection::kForward)
        << junction;
    EXPECT_EQ(classify({{"highway", "primary"}, {"junction", junction}, {"oneway", "no"}})
                  .direction,
              WayDirection::kBoth)
        << junction;
    EXPECT_EQ(classify({{"highway", "primary"}, {"junction", junction}, {"oneway", "-1"}})
                  .direction,
              WayDirection::kBackward)
        << junction;
  }
  EXPECT_EQ(classify({{"highway", "primary"}, {"junction", "spui"}}).direction,
            WayDirection::kBoth);
}

TEST(WayRulesTest, MotorwaysAreOnewayUnlessTaggedOtherwise) {
  for (const char* highway : {"motorway", "motorway_link"}) {
    EXPECT_EQ(classify({{"highway", highway}}).direction, WayDirection::kForward) << highway;
    EXPECT_EQ(classify({{"highway", highway}, {"oneway", "no"}}).direction, WayDirection::kBoth)
        << highway;
  }
  EXPECT_EQ(classify({{"highway", "trunk"}}).direction, WayDirection::kBoth);
}

TEST(WayRulesTest, MaxspeedOverridesTheClassSpeedOnlyWhenParsed) {
  WayRules rules = classify({{"highway", "primary"}, {"maxspeed", "70"}});
  EXPECT_EQ(rules.maxspeed.status, MaxspeedStatus::kParsed);
  EXPECT_EQ(rules.speed_kmh, 70);
  rules = classify({{"highway", "primary"}, {"maxspeed", "signals"}});
  EXPECT_EQ(rules.maxspeed.status, MaxspeedStatus::kNotALimit);
  EXPECT_EQ(rules.speed_kmh, 65);
  rules = classify({{"highway", "primary"}, {"maxspeed", "fast"}});
  EXPECT_EQ(rules.maxspeed.status, MaxspeedStatus::kUnknown);
  EXPECT_EQ(rules.speed_kmh, 65);
}

}  // namespace
}  // namespace twinlane::app
