// SPDX-License-Identifier: Apache-2.0
// importOsm on small hand-written OSM XML files (and a PBF made from one): each way rule through
// the real reader, numbering, merging, pruning, car durations, and the errors a user can meet.
#include <gtest/gtest.h>

#include <osmium/io/any_input.hpp>
#include <osmium/io/any_output.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dimacs.h"
#include "graph_geometry.h"
#include "osm_import.h"
#include "progress_line.h"
#include "test_support.h"

namespace twinlane::app {
namespace {

struct TestNode {
  std::int64_t id;
  double lon;
  double lat;
};

struct TestWay {
  std::vector<std::int64_t> refs;
  std::map<std::string, std::string> tags;
};

std::string osmXml(const std::vector<TestNode>& nodes, const std::vector<TestWay>& ways) {
  std::ostringstream xml;
  xml.precision(10);
  xml << "<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" generator=\"test\">\n";
  for (const TestNode& node : nodes) {
    xml << "  <node id=\"" << node.id << "\" lat=\"" << node.lat << "\" lon=\"" << node.lon
        << "\"/>\n";
  }
  std::int64_t way_id = 1;
  for (const TestWay& way : ways) {
    xml << "  <way id=\"" << way_id++ << "\">\n";
    for (std::int64_t ref : way.refs) xml << "    <nd ref=\"" << ref << "\"/>\n";
    for (const auto& [key, value] : way.tags) {
      xml << "    <tag k=\"" << key << "\" v=\"" << value << "\"/>\n";
    }
    xml << "  </way>\n";
  }
  xml << "</osm>\n";
  return xml.str();
}

// Nodes 1..4 about 110 m apart going north near Mannheim.
std::vector<TestNode> fourNodes() {
  return {{1, 8.5, 49.400}, {2, 8.5, 49.401}, {3, 8.5, 49.402}, {4, 8.5, 49.403}};
}

double metresBetween(const TestNode& a, const TestNode& b) {
  return haversineMeters(a.lon, a.lat, b.lon, b.lat);
}

// The arcs as (tail OSM id, head OSM id) pairs.
std::set<std::pair<std::int64_t, std::int64_t>> osmArcs(const ImportedRoads& roads) {
  std::set<std::pair<std::int64_t, std::int64_t>> arcs;
  for (const ImportedArc& arc : roads.arcs) {
    arcs.insert({roads.osm_ids[arc.tail], roads.osm_ids[arc.head]});
  }
  return arcs;
}

const ImportedArc* findArc(const ImportedRoads& roads, std::int64_t tail, std::int64_t head) {
  for (const ImportedArc& arc : roads.arcs) {
    if (roads.osm_ids[arc.tail] == tail && roads.osm_ids[arc.head] == head) return &arc;
  }
  return nullptr;
}

class OsmImportTest : public ::testing::Test {
 protected:
  ImportedRoads import(const std::vector<TestNode>& nodes, const std::vector<TestWay>& ways,
                       OsmProfile profile = OsmProfile::kDistance) {
    return importOsm(dir_.write("test.osm", osmXml(nodes, ways)), profile, nullptr);
  }

  // What importOsm throws for `path`, or "" when it does not throw.
  static std::string importError(const std::string& path) {
    try {
      importOsm(path, OsmProfile::kDistance, nullptr);
    } catch (const GraphFormatError& error) {
      return error.what();
    }
    return "";
  }

  testing::TempDir dir_;
};

TEST_F(OsmImportTest, TwoWayRoadHasArcsBothWaysWithRoundedUpLengths) {
  const std::vector<TestNode> nodes = fourNodes();
  const ImportedRoads roads = import(nodes, {{{1, 2, 3}, {{"highway", "residential"}}}});
  ASSERT_EQ(roads.osm_ids, (std::vector<std::int64_t>{1, 2, 3}));
  ASSERT_EQ(roads.arcs.size(), 4u);
  const std::vector<std::pair<NodeId, NodeId>> expected = {{0, 1}, {1, 0}, {1, 2}, {2, 1}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ImportedArc& arc = roads.arcs[i];
    EXPECT_EQ(std::pair(arc.tail, arc.head), expected[i]) << i;
    const double metres = metresBetween(nodes[arc.tail], nodes[arc.head]);
    EXPECT_EQ(arc.length_m, static_cast<std::uint32_t>(std::ceil(metres))) << i;
    EXPECT_EQ(arc.duration_ds, std::lround(metres * 36 / 25)) << i;
  }
  EXPECT_EQ(roads.coordinates[2], (Coordinate{8'500'000, 49'402'000}));
  EXPECT_EQ(roads.summary.ways_read, 1u);
  EXPECT_EQ(roads.summary.road_ways, 1u);
  EXPECT_EQ(roads.summary.nodes, 3u);
  EXPECT_EQ(roads.summary.arcs, 4u);
}

// A two-way road 1-2-3 keeps every node in one component; the way under test joins 1 and 3.
TEST_F(OsmImportTest, EachWayRuleDecidesTheArcsBetweenTwoNodes) {
  using Arcs = std::set<std::pair<std::int64_t, std::int64_t>>;
  const Arcs both = {{1, 3}, {3, 1}};
  const Arcs forward = {{1, 3}};
  const Arcs backward = {{3, 1}};
  const Arcs none = {};
  const std::vector<std::pair<std::map<std::string, std::string>, Arcs>> cases = {
      {{{"highway", "tertiary"}}, both},
      {{{"highway", "tertiary"}, {"oneway", "yes"}}, forward},
      {{{"highway", "tertiary"}, {"oneway", "true"}}, forward},
      {{{"highway", "tertiary"}, {"oneway", "1"}}, forward},
      {{{"highway", "tertiary"}, {"oneway", "-1"}}, backward},
      {{{"highway", "tertiary"}, {"oneway", "reverse"}}, backward},
      {{{"highway", "tertiary"}, {"oneway", "reversible"}}, none},
      {{{"highway", "tertiary"}, {"oneway", "alternating"}}, none},
      {{{"highway", "tertiary"}, {"oneway", "no"}}, both},
      {{{"highway", "tertiary"}, {"junction", "roundabout"}}, forward},
      {{{"highway", "tertiary"}, {"junction", "circular"}}, forward},
      {{{"highway", "tertiary"}, {"junction", "roundabout"}, {"oneway", "no"}}, both},
      {{{"highway", "motorway"}}, forward},
      {{{"highway", "motorway_link"}}, forward},
      {{{"highway", "motorway"}, {"oneway", "no"}}, both},
      {{{"highway", "service"}, {"access", "no"}}, none},
      {{{"highway", "service"}, {"access", "private"}}, none},
      {{{"highway", "service"}, {"motor_vehicle", "no"}}, none},
      {{{"highway", "service"}, {"motorcar", "private"}}, none},
      {{{"highway", "service"}, {"access", "destination"}}, both},
      {{{"highway", "service"}, {"area", "yes"}}, none},
      {{{"highway", "footway"}}, none},
      {{{"railway", "rail"}}, none},
  };
  for (const auto& [tags, expected] : cases) {
    std::string label;
    for (const auto& [key, value] : tags) label += key + "=" + value + " ";
    SCOPED_TRACE(label);
    const ImportedRoads roads =
        import(fourNodes(), {{{1, 2, 3}, {{"highway", "residential"}}}, {{1, 3}, tags}});
    Arcs between;
    for (const auto& arc : osmArcs(roads)) {
      if ((arc.first == 1 && arc.second == 3) || (arc.first == 3 && arc.second == 1)) {
        between.insert(arc);
      }
    }
    EXPECT_EQ(between, expected);
    EXPECT_EQ(roads.summary.road_ways, expected.empty() ? 1u : 2u);
  }
}

TEST_F(OsmImportTest, KeepsOnlyTheLargestStronglyConnectedComponent) {
  const ImportedRoads roads = import(fourNodes(), {{{1, 2, 3}, {{"highway", "residential"}}},
                                                   {{3, 4}, {{"highway", "residential"},
                                                             {"oneway", "yes"}}}});
  EXPECT_EQ(roads.osm_ids, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(roads.coordinates.size(), 3u);
  EXPECT_EQ(roads.summary.nodes_before_pruning, 4u);
  EXPECT_EQ(roads.summary.arcs_before_pruning, 5u);
  EXPECT_EQ(roads.summary.nodes, 3u);
  EXPECT_EQ(roads.summary.arcs, 4u);
  EXPECT_EQ(osmArcs(roads).count({3, 4}), 0u);
  const std::string line = formatImportSummary(roads.summary);
  EXPECT_NE(line.find("3 nodes, 4 arcs; dropped 1 nodes (25.0%) and 1 arcs (20.0%)"),
            std::string::npos)
      << line;
}

TEST_F(OsmImportTest, NumbersNodesDenselyInAscendingOsmIdOrder) {
  const std::vector<TestNode> nodes = {{5000, 8.50, 49.40}, {20, 8.51, 49.40}, {1000, 8.52, 49.40}};
  const ImportedRoads roads = import(nodes, {{{5000, 20, 1000}, {{"highway", "primary"}}}});
  ASSERT_EQ(roads.osm_ids, (std::vector<std::int64_t>{20, 1000, 5000}));
  EXPECT_EQ(roads.coordinates, (std::vector<Coordinate>{{8'510'000, 49'400'000},
                                                        {8'520'000, 49'400'000},
                                                        {8'500'000, 49'400'000}}));
  // The way runs 5000 -> 20 -> 1000, that is dense 2 -> 0 -> 1.
  std::vector<std::pair<NodeId, NodeId>> arcs;
  for (const ImportedArc& arc : roads.arcs) arcs.emplace_back(arc.tail, arc.head);
  EXPECT_EQ(arcs, (std::vector<std::pair<NodeId, NodeId>>{{0, 1}, {0, 2}, {1, 0}, {2, 0}}));
}

TEST_F(OsmImportTest, CountsAMissingNodeAndJoinsItsNeighbours) {
  const ImportedRoads roads =
      import(fourNodes(), {{{1, 2, 99, 3}, {{"highway", "residential"}}}});
  EXPECT_EQ(roads.summary.missing_locations, 1u);
  EXPECT_EQ(roads.osm_ids, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(osmArcs(roads), (std::set<std::pair<std::int64_t, std::int64_t>>{
                                {1, 2}, {2, 1}, {2, 3}, {3, 2}}));
}

TEST_F(OsmImportTest, WayWithFewerThanTwoLocatedNodesIsNoRoad) {
  const ImportedRoads roads = import(fourNodes(), {{{1, 2}, {{"highway", "residential"}}},
                                                   {{3, 98, 99}, {{"highway", "residential"}}}});
  EXPECT_EQ(roads.summary.road_ways, 1u);
  EXPECT_EQ(roads.summary.missing_locations, 2u);
  EXPECT_EQ(roads.summary.nodes_before_pruning, 2u);
}

TEST_F(OsmImportTest, SkipsARepeatedNode) {
  const ImportedRoads roads = import(fourNodes(), {{{1, 2, 2, 3}, {{"highway", "residential"}}}});
  EXPECT_EQ(roads.osm_ids, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(roads.arcs.size(), 4u);
  for (const ImportedArc& arc : roads.arcs) EXPECT_NE(arc.tail, arc.head);
}

TEST_F(OsmImportTest, ParallelWaysKeepTheFasterArc) {
  // Both ways join 1 and 2 (the same length); the maxspeed one is faster.
  const std::vector<TestWay> ways = {
      {{1, 2}, {{"highway", "residential"}}},
      {{1, 2}, {{"highway", "residential"}, {"maxspeed", "50"}}},
      {{2, 1}, {{"highway", "residential"}, {"maxspeed", "30"}}},
  };
  const double metres = metresBetween(fourNodes()[0], fourNodes()[1]);
  for (OsmProfile profile : {OsmProfile::kCar, OsmProfile::kDistance}) {
    SCOPED_TRACE(std::string(osmProfileName(profile)));
    const ImportedRoads roads = import(fourNodes(), ways, profile);
    ASSERT_EQ(roads.arcs.size(), 2u);
    EXPECT_EQ(roads.summary.arcs_before_pruning, 2u);
    for (const ImportedArc& arc : roads.arcs) {
      EXPECT_EQ(arc.length_m, static_cast<std::uint32_t>(std::ceil(metres)));
      EXPECT_EQ(arc.duration_ds, std::lround(metres * 36 / 50));
    }
  }
}

TEST_F(OsmImportTest, CarDurationsComeFromMaxspeedOrTheClass) {
  const std::vector<TestNode> nodes = fourNodes();
  const ImportedRoads roads =
      import(nodes,
             {{{1, 2}, {{"highway", "primary"}}},
              {{2, 3}, {{"highway", "primary"}, {"maxspeed", "30 mph"}}},
              {{3, 4}, {{"highway", "primary"}, {"maxspeed", "fast"}}},
              {{4, 1}, {{"highway", "primary"}, {"maxspeed", "signals"}}}},
             OsmProfile::kCar);
  ASSERT_EQ(roads.arcs.size(), 8u);
  auto duration = [&](std::int64_t tail, std::int64_t head) {
    const ImportedArc* arc = findArc(roads, tail, head);
    return arc != nullptr ? static_cast<long>(arc->duration_ds) : -1L;
  };
  EXPECT_EQ(duration(1, 2), std::lround(metresBetween(nodes[0], nodes[1]) * 36 / 65));
  EXPECT_EQ(duration(2, 3), std::lround(metresBetween(nodes[1], nodes[2]) * 36 / (30 * 1.609344)));
  EXPECT_EQ(duration(3, 4), std::lround(metresBetween(nodes[2], nodes[3]) * 36 / 65));
  EXPECT_EQ(duration(4, 1), std::lround(metresBetween(nodes[3], nodes[0]) * 36 / 65));
  EXPECT_EQ(roads.summary.unknown_maxspeed_ways, 1u);
}

// Two nodes at one place, and a third 1 cm away: every arc still weighs 1 m and 0.1 s.
TEST_F(OsmImportTest, VeryShortSegmentsWeighAtLeastOne) {
  const std::vector<TestNode> nodes = {{1, 8.5, 49.4}, {2, 8.5, 49.4}, {3, 8.5, 49.4000001}};
  const ImportedRoads roads =
      import(nodes, {{{1, 2, 3}, {{"highway", "motorway"}, {"oneway", "no"}}}});
  ASSERT_EQ(roads.arcs.size(), 4u);
  for (const ImportedArc& arc : roads.arcs) {
    EXPECT_EQ(arc.length_m, 1u);
    EXPECT_EQ(arc.duration_ds, 1u);
  }
  EXPECT_EQ(roads.coordinates[0], roads.coordinates[2]);
}

TEST_F(OsmImportTest, NoCarRoadsIsAnErrorNamingTheFile) {
  const std::string path =
      dir_.write("paths.osm", osmXml(fourNodes(), {{{1, 2, 3}, {{"highway", "footway"}}},
                                                   {{3, 4}, {{"building", "yes"}}}}));
  EXPECT_EQ(importError(path), path + ": no car roads (2 ways read)");
}

TEST_F(OsmImportTest, RoadsThatReachNothingAreAnError) {
  const std::string path = dir_.write(
      "stub.osm", osmXml(fourNodes(), {{{1, 2}, {{"highway", "primary"}, {"oneway", "yes"}}}}));
  EXPECT_EQ(importError(path),
            path + ": no two car-road nodes reach each other (1 ways read, 1 car-road ways)");
}

TEST_F(OsmImportTest, MalformedXmlIsAnError) {
  const std::string path =
      dir_.write("broken.osm", "<?xml version='1.0'?>\n<osm version=\"0.6\">\n<node id=\"1\"");
  const std::string error = importError(path);
  EXPECT_TRUE(error.starts_with(path + ": not a readable OSM file: ")) << error;
}

TEST_F(OsmImportTest, MissingFileIsAnError) {
  const std::string path = dir_.file("absent.osm.pbf");
  const std::string error = importError(path);
  EXPECT_TRUE(error.starts_with(path + ": not a readable OSM file: ")) << error;
}

// Found by fuzz_osm: a PBF file whose first blob header has no type (libosmium then compares
// the expected type with a null pointer of length 0, which UBSan reports; the fuzz build turns
// that check off for the importer). The file must be refused, naming it.
TEST_F(OsmImportTest, APbfBlobHeaderWithoutATypeIsAnError) {
  const std::string bytes(
      "\x00\x00\x00\x0d\x12\x09\x4f\x53\x4d\x48\x65\x61\x64\x65\x72\x18\x3b\x10\x2f\x1a\x37\x78\x9c\x53"
      "\xe2\xf3\x2f\xce\x0d\x33\xd0\x33\x53\xe2\x72\x49\xcd\x2b\x4e\xf5\xcb\x4f\x49\x2d\x6e\x62\x24\x14"
      "\xc8\xc9\x4c\xca\x2f\xce",
      54);
  const std::string path = dir_.write("no-type.osm.pbf", bytes);
  const std::string error = importError(path);
  EXPECT_TRUE(error.starts_with(path + ": not a readable OSM file: ")) << error;
}

TEST_F(OsmImportTest, UnknownFormatIsAnError) {
  const std::string path = dir_.write("roads.txt", "hello");
  const std::string error = importError(path);
  EXPECT_TRUE(error.starts_with(path + ": not a readable OSM file: ")) << error;
}

TEST_F(OsmImportTest, TruncatedPbfIsAnErrorNotACrash) {
  // A ring of 300 nodes, written as PBF by libosmium, then cut short.
  std::vector<TestNode> nodes;
  std::vector<std::int64_t> ring;
  for (std::int64_t id = 1; id <= 300; ++id) {
    const double angle = static_cast<double>(id) * 2 * 3.14159265358979 / 300;
    nodes.push_back({id, 8.5 + 0.01 * std::cos(angle), 49.4 + 0.01 * std::sin(angle)});
    ring.push_back(id);
  }
  ring.push_back(1);
  const std::string xml = dir_.write("ring.osm", osmXml(nodes, {{ring, {{"highway", "primary"}}}}));
  const std::string pbf = dir_.file("ring.osm.pbf");
  {
    osmium::io::Reader reader(xml);
    osmium::io::Writer writer(pbf);
    while (osmium::memory::Buffer buffer = reader.read()) writer(std::move(buffer));
    writer.close();
    reader.close();
  }
  EXPECT_EQ(importOsm(pbf, OsmProfile::kDistance, nullptr).summary.nodes, 300u);

  const auto size = std::filesystem::file_size(pbf);
  std::filesystem::resize_file(pbf, size / 2);
  const std::string error = importError(pbf);
  EXPECT_TRUE(error.starts_with(pbf + ": not a readable OSM file: ")) << error;

  // Wherever the file ends, the import fails cleanly.
  for (std::uintmax_t cut = 1; cut < size / 2; cut += 7) {
    std::filesystem::resize_file(pbf, cut);
    EXPECT_NE(importError(pbf), "") << "cut at " << cut << " of " << size << " bytes";
  }
}

TEST_F(OsmImportTest, ReportsReadingAndBuildingPhases) {
  std::ostringstream shown;
  ProgressLine progress(shown, true);
  const std::string path =
      dir_.write("roads.osm", osmXml(fourNodes(), {{{1, 2, 3}, {{"highway", "residential"}}}}));
  importOsm(path, OsmProfile::kCar, &progress);
  const std::string text = shown.str();
  EXPECT_NE(text.find("\rreading 100%"), std::string::npos) << text;
  EXPECT_NE(text.find("\rbuilding 100%\n"), std::string::npos) << text;
}

TEST(ImportSummaryTest, FitsOnOneLine) {
  ImportSummary summary;
  summary.unknown_maxspeed_ways = 2;
  summary.missing_locations = 1234;
  summary.nodes_before_pruning = 160'983;
  summary.arcs_before_pruning = 298'577;
  summary.nodes = 158'558;
  summary.arcs = 295'254;
  summary.seconds = 0.654;
  EXPECT_EQ(formatImportSummary(summary),
            "158,558 nodes, 295,254 arcs; dropped 2,425 nodes (1.5%) and 3,323 arcs (1.1%) "
            "outside the largest strongly connected component; 2 ways with an unknown maxspeed; "
            "1,234 missing node locations; 0.65 s");
}

TEST(OsmProfileTest, NamesRoundTrip) {
  EXPECT_EQ(parseOsmProfile("car"), OsmProfile::kCar);
  EXPECT_EQ(parseOsmProfile("distance"), OsmProfile::kDistance);
  EXPECT_EQ(parseOsmProfile("bike"), std::nullopt);
  EXPECT_EQ(osmProfileName(OsmProfile::kCar), "car");
  EXPECT_EQ(osmProfileName(OsmProfile::kDistance), "distance");
}

}  // namespace
}  // namespace twinlane::app
