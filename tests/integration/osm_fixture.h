// SPDX-License-Identifier: Apache-2.0
// A tiny OpenStreetMap extract for the tests that import one: four nodes on a square in
// Mannheim joined by a residential two-way street with maxspeed 30 (4 graph nodes, 8 arcs), and
// a footway to a fifth node that is not a car road.
#pragma once

namespace twinlane::test {

inline constexpr const char* kSquareOsm = R"(<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <node id="10" lat="49.4800" lon="8.4600"/>
  <node id="20" lat="49.4800" lon="8.4610"/>
  <node id="30" lat="49.4810" lon="8.4610"/>
  <node id="40" lat="49.4810" lon="8.4600"/>
  <node id="50" lat="49.4820" lon="8.4620"/>
  <way id="1"><nd ref="10"/><nd ref="20"/><nd ref="30"/><nd ref="40"/><nd ref="10"/>
    <tag k="highway" v="residential"/><tag k="maxspeed" v="30"/></way>
  <way id="2"><nd ref="30"/><nd ref="50"/><tag k="highway" v="footway"/></way>
</osm>
)";

}  // namespace twinlane::test
