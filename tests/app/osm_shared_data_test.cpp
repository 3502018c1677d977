// SPDX-License-Identifier: Apache-2.0
// Real data: importing each OSM extract in ../shared/data with the distance profile reproduces
// the OSM-road-d.* DIMACS graph that tools/osm2dimacs.py made from it: the same nodes in the
// same order with the same coordinates, the same arcs, and the same lengths (allowing 1 m where
// the last bit of a floating-point sum differs). Prints the import time and the summary line.
// Skips, saying why, when the data or `xz` is absent (a fresh clone has no ../shared).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>

#include "dimacs.h"
#include "osm_import.h"
#include "test_support.h"

#ifndef TWINLANE_SHARED_DATA_DIR
#error "tests/app/CMakeLists.txt defines TWINLANE_SHARED_DATA_DIR"
#endif

namespace twinlane::app {
namespace {

struct SharedExtract {
  const char* pbf;
  const char* dimacs_prefix;
};

void PrintTo(const SharedExtract& extract, std::ostream* out) { *out << extract.pbf; }

// The extracts osm2dimacs.py converted, as ../shared/data/README.md lists them.
constexpr SharedExtract kExtracts[] = {
    {"monaco.osm.pbf", "OSM-road-d.monaco"},
    {"andorra-latest.osm.pbf", "OSM-road-d.andorra"},
    {"liechtenstein-latest.osm.pbf", "OSM-road-d.liechtenstein"},
    {"malta-latest.osm.pbf", "OSM-road-d.malta"},
    {"rhein-neckar-rnv.osm.pbf", "OSM-road-d.rhein-neckar"},
};

class OsmSharedDataTest : public ::testing::TestWithParam<SharedExtract> {};

TEST_P(OsmSharedDataTest, DistanceImportReproducesTheSharedDimacsGraph) {
  const std::filesystem::path data = TWINLANE_SHARED_DATA_DIR;
  const std::filesystem::path pbf = data / GetParam().pbf;
  const std::filesystem::path gr_xz = data / (std::string(GetParam().dimacs_prefix) + ".gr.xz");
  const std::filesystem::path co_xz = data / (std::string(GetParam().dimacs_prefix) + ".co.xz");
  for (const auto& file : {pbf, gr_xz, co_xz}) {
    if (!std::filesystem::exists(file)) GTEST_SKIP() << "shared data absent: " << file.string();
  }
  if (!testing::xzOnPath()) GTEST_SKIP() << "xz absent: install xz-utils to decompress " << gr_xz.string();

  const testing::TempDir dir;
  const std::string gr = dir.file("graph.gr");
  const std::string co = dir.file("graph.co");
  for (const auto& [from, to] : {std::pair{gr_xz.string(), gr}, std::pair{co_xz.string(), co}}) {
    const std::string command = "xz -dc '" + from + "' > '" + to + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  const Graph expected = readDimacs(gr, co);
  const ImportedRoads roads = importOsm(pbf.string(), OsmProfile::kDistance, nullptr);
  std::cout << GetParam().pbf << ": " << formatImportSummary(roads.summary) << "\n";

  ASSERT_EQ(roads.osm_ids.size(), expected.nodeCount());
  ASSERT_EQ(roads.arcs.size(), expected.arcCount());
  ASSERT_TRUE(std::is_sorted(roads.osm_ids.begin(), roads.osm_ids.end()));
  for (NodeId node = 0; node < expected.nodeCount(); ++node) {
    const Coordinate ours = roads.coordinates[node];
    const Coordinate theirs = expected.coordinate(node);
    ASSERT_EQ(ours, theirs) << "node " << node + 1 << ": ours " << ours.lon_e6 << " " << ours.lat_e6
                            << ", .co " << theirs.lon_e6 << " " << theirs.lat_e6;
  }
  // The .gr arcs are sorted by (tail, head), and the CSR keeps that order within each tail.
  std::size_t off_by_one = 0;
  std::size_t index = 0;
  for (NodeId tail = 0; tail < expected.nodeCount(); ++tail) {
    for (ArcId arc = expected.firstOut(tail); arc < expected.endOut(tail); ++arc, ++index) {
      const ImportedArc& ours = roads.arcs[index];
      ASSERT_EQ(std::pair(ours.tail, ours.head), std::pair(tail, expected.head(arc)))
          << "arc " << index;
      const auto difference = static_cast<std::int64_t>(ours.length_m) - expected.weight(arc);
      ASSERT_LE(std::abs(difference), 1) << "arc " << tail + 1 << " -> " << expected.head(arc) + 1;
      if (difference != 0) ++off_by_one;
    }
  }
  std::cout << GetParam().dimacs_prefix << ": " << expected.nodeCount() << " nodes, "
            << expected.arcCount() << " arcs equal; " << off_by_one
            << " lengths off by 1 m, the rest exact\n";
  EXPECT_LE(off_by_one, expected.arcCount() / 1000);
}

INSTANTIATE_TEST_SUITE_P(SharedData, OsmSharedDataTest, ::testing::ValuesIn(kExtracts),
                         [](const ::testing::TestParamInfo<SharedExtract>& param_info) {
                           std::string name = param_info.param.dimacs_prefix + 11;  // after "OSM-road-d."
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace twinlane::app
