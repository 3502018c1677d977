// SPDX-License-Identifier: Apache-2.0
// Snapshots: a graph written and mapped again answers exactly as the original, every kind of
// damaged file is refused with a message naming the problem (never a crash), and a served copy
// is immune to the file being truncated or overwritten on disk.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "ch_builder.h"
#include "ch_search.h"
#include "dimacs.h"
#include "graph_file.h"
#include "mapped_file.h"
#include "search.h"
#include "snapshot_reader.h"
#include "snapshot_verify.h"
#include "snapshot_writer.h"
#include "test_support.h"
#include "xxh3.h"

namespace twinlane::app {
namespace {

namespace fs = std::filesystem;

class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("twinlane-snapshot-" + std::to_string(::getpid()));
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  fs::path directory_;
};

std::vector<char> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeAll(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

SnapshotContents load(const std::string& path) { return viewSnapshot(MappedFile::sealedCopy(path), path); }

// The message of the GraphFormatError that loading `path` throws, or "" when it loads.
std::string loadError(const std::string& path) {
  try {
    (void)load(path);
  } catch (const GraphFormatError& error) {
    return error.what();
  }
  return "";
}

template <typename T>
std::vector<T> copy(std::span<const T> values) { return {values.begin(), values.end()}; }

void expectSameArrays(const Graph& a, const Graph& b) {
  EXPECT_EQ(copy(a.arrays().first_out), copy(b.arrays().first_out));
  EXPECT_EQ(copy(a.arrays().head), copy(b.arrays().head));
  EXPECT_EQ(copy(a.arrays().weight), copy(b.arrays().weight));
  EXPECT_EQ(copy(a.arrays().first_in), copy(b.arrays().first_in));
  EXPECT_EQ(copy(a.arrays().tail), copy(b.arrays().tail));
  EXPECT_EQ(copy(a.arrays().in_weight), copy(b.arrays().in_weight));
  EXPECT_EQ(copy(a.arrays().lon_e6), copy(b.arrays().lon_e6));
  EXPECT_EQ(copy(a.arrays().lat_e6), copy(b.arrays().lat_e6));
  EXPECT_EQ(copy(a.arrays().length_m), copy(b.arrays().length_m));
  EXPECT_EQ(copy(a.arrays().duration_ds), copy(b.arrays().duration_ds));
  EXPECT_EQ(copy(a.arrays().osm_id), copy(b.arrays().osm_id));
  EXPECT_EQ(a.checksum(), b.checksum());
  EXPECT_EQ(a.lowerBoundScale(), b.lowerBoundScale());
  EXPECT_EQ(a.metric(), b.metric());
}

TEST_F(SnapshotTest, RandomGraphsRoundTripWithTheSameAnswers) {
  const std::uint64_t seed = testing::testSeed() + 90;
  std::cout << "seed " << seed << "\n";
  std::mt19937_64 random(seed);
  for (int round = 0; round < 20; ++round) {
    const Graph original = round % 2 == 0 ? testing::randomGeometricGraph(random, 300, static_cast<Weight>(1 + round))
                                          : testing::randomGraph(random, 300, round % 4 == 1);
    const std::optional<NearestIndex> index =
        original.hasCoordinates() ? std::optional<NearestIndex>(original) : std::nullopt;
    writeSnapshotFile(original, index ? &*index : nullptr, nullptr, {}, path("g.twg"));
    const SnapshotContents loaded = load(path("g.twg"));
    expectSameArrays(original, loaded.graph);
    EXPECT_TRUE(loaded.graph.isMapped());
    ASSERT_EQ(loaded.nearest.has_value(), original.hasCoordinates());

    PathSearch before(original);
    PathSearch after(loaded.graph);
    for (int query = 0; query < 20; ++query) {
      const auto from = static_cast<NodeId>(random() % original.nodeCount());
      const auto to = static_cast<NodeId>(random() % original.nodeCount());
      EXPECT_EQ(before.route(from, to).distance, after.route(from, to).distance);
      if (index) {
        const double lon = 8.4 + static_cast<double>(random() % 30'000) / 1e6;
        const double lat = 49.4 + static_cast<double>(random() % 20'000) / 1e6;
        EXPECT_EQ(index->nearest(lon, lat)->node, loaded.nearest->nearest(lon, lat)->node);
      }
    }
  }
}

TEST_F(SnapshotTest, ADimacsGraphKeepsItsChecksumThroughConversion) {
  std::ofstream(path("g.gr")) << "p sp 3 3\na 1 2 5\na 2 3 7\na 3 1 1\n";
  const Graph dimacs = readDimacs(path("g.gr"));
  writeSnapshotFile(dimacs, nullptr, nullptr, {snapshot::Profile::kDimacs, path("g.gr")}, path("g.twg"));
  const LoadedGraph loaded = loadGraphFile(path("g.twg"), "");
  EXPECT_EQ(loaded.format, "snapshot");
  EXPECT_EQ(loaded.graph.checksum(), dimacs.checksum());
  EXPECT_EQ(loaded.graph.source(), path("g.twg"));
  EXPECT_EQ(loadGraphFile(path("g.gr"), "").format, "dimacs");
}

TEST_F(SnapshotTest, RoadGraphsKeepTheirMetricsAndOsmIds) {
  const Graph roads = Graph::fromRoads(3, {{0, 1, 120, 90}, {1, 2, 80, 40}, {2, 0, 30, 11}},
                                       {{8'400'000, 49'400'000}, {8'401'000, 49'400'000}, {8'401'000, 49'401'000}},
                                       {9000000001, 42, 7}, Metric::kDurationDeciseconds, "roads");
  const NearestIndex index(roads);
  writeSnapshotFile(roads, &index, nullptr, {snapshot::Profile::kCar, "roads.osm.pbf"}, path("r.twg"));
  const SnapshotContents loaded = load(path("r.twg"));
  expectSameArrays(roads, loaded.graph);
  EXPECT_EQ(loaded.graph.osmId(0), 9000000001);
  EXPECT_EQ(loaded.graph.durationDeciseconds(1), 40u);
  EXPECT_EQ(loaded.graph.lengthMeters(1), 80u);
  EXPECT_EQ(loaded.profile, snapshot::Profile::kCar);
  EXPECT_EQ(loaded.made_from, "roads.osm.pbf");
}

TEST_F(SnapshotTest, TheServedCopySurvivesTheFileBeingTruncatedAndOverwritten) {
  std::mt19937_64 random(7);
  const Graph original = testing::randomGeometricGraph(random, 20000, 1);
  const NearestIndex index(original);
  writeSnapshotFile(original, &index, nullptr, {}, path("g.twg"));
  const SnapshotContents served = load(path("g.twg"));
  ASSERT_EQ(::truncate(path("g.twg").c_str(), 100), 0);
  // A mapping of the file itself would now raise SIGBUS on the first page past 100 bytes.
  expectSameArrays(original, served.graph);
  writeAll(path("g.twg"), std::vector<char>(readAll(path("g.twg")).size() + 1'000'000, 'x'));
  expectSameArrays(original, served.graph);
}

TEST_F(SnapshotTest, AnUnchangedFileSharesTheLiveCopyAndAReplacedOneGetsItsOwn) {
  const Graph small = Graph::fromArcs(2, {{0, 1, 3}}, {}, "small");
  writeSnapshotFile(small, nullptr, nullptr, {}, path("g.twg"));
  const auto first = MappedFile::sealedCopy(path("g.twg"));
  EXPECT_EQ(MappedFile::sealedCopy(path("g.twg")), first) << "a reload of the same data copies it again";
  writeSnapshotFile(Graph::fromArcs(2, {{0, 1, 4}}, {}, "other"), nullptr, nullptr, {}, path("g.twg"));
  const auto replaced = MappedFile::sealedCopy(path("g.twg"));
  EXPECT_NE(replaced, first);
  EXPECT_NE(std::vector<std::byte>(replaced->bytes().begin(), replaced->bytes().end()),
            std::vector<std::byte>(first->bytes().begin(), first->bytes().end()));
}

TEST_F(SnapshotTest, WritingReplacesTheTargetWholeAndLeavesNoTemporaryFile) {
  const Graph small = Graph::fromArcs(2, {{0, 1, 3}}, {}, "small");
  writeSnapshotFile(small, nullptr, nullptr, {}, path("g.twg"));
  const auto before = readAll(path("g.twg"));
  EXPECT_THROW(writeSnapshotFile(small, nullptr, nullptr, {}, path("missing/g.twg")), std::runtime_error);
  for (const auto& entry : fs::directory_iterator(directory_)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(readAll(path("g.twg")), before);
}

// Rewrites a valid snapshot with `mutate` applied to its header, table and bytes, then fixes
// every checksum, so that the reader's structural checks, not the checksums, must catch it.
class DamagedSnapshot : public SnapshotTest {
 protected:
  void SetUp() override {
    SnapshotTest::SetUp();
    const Graph graph = Graph::fromArcs(4, {{0, 1, 5}, {1, 2, 7}, {2, 3, 1}, {3, 0, 2}},
                                        {{8'400'000, 49'400'000}, {8'401'000, 49'400'000},
                                         {8'401'000, 49'401'000}, {8'400'000, 49'401'000}}, "four");
    const NearestIndex index(graph);
    const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
    writeSnapshotFile(graph, &index, &hierarchy, {}, path("good.twg"));
    good_ = readAll(path("good.twg"));
    // Without the hierarchy, whose validation at load would catch some damage before verify.
    writeSnapshotFile(graph, &index, nullptr, {}, path("bare.twg"));
    bare_ = readAll(path("bare.twg"));
  }

  snapshot::Header& header(std::vector<char>& bytes) { return *reinterpret_cast<snapshot::Header*>(bytes.data()); }
  snapshot::SectionEntry& entry(std::vector<char>& bytes, std::string_view name) {
    auto* table = reinterpret_cast<snapshot::SectionEntry*>(bytes.data() + sizeof(snapshot::Header));
    for (std::uint32_t i = 0; i < header(bytes).section_count; ++i) {
      if (name == table[i].name) return table[i];
    }
    throw std::logic_error("no section " + std::string(name));
  }
  template <typename T>
  T* section(std::vector<char>& bytes, std::string_view name) {
    return reinterpret_cast<T*>(bytes.data() + entry(bytes, name).offset);
  }
  void fixChecksums(std::vector<char>& bytes) {
    auto* table = reinterpret_cast<snapshot::SectionEntry*>(bytes.data() + sizeof(snapshot::Header));
    const auto all = std::as_bytes(std::span(bytes));
    const std::size_t fits = (bytes.size() - sizeof(snapshot::Header)) / sizeof(snapshot::SectionEntry);
    const std::size_t count = std::min<std::size_t>(header(bytes).section_count, fits);
    for (std::size_t i = 0; i < count; ++i) {
      if (table[i].offset <= bytes.size() && table[i].length <= bytes.size() - table[i].offset) {
        table[i].xxh3 = xxh3(all.subspan(table[i].offset, table[i].length));
      }
    }
    Xxh3Stream checksum;
    checksum.update(all.first(56));
    checksum.update(all.subspan(sizeof(snapshot::Header), count * sizeof(snapshot::SectionEntry)));
    header(bytes).header_xxh3 = checksum.digest();
  }
  std::string errorAfter(const std::function<void(std::vector<char>&)>& mutate, bool fix = true) {
    std::vector<char> bytes = good_;
    mutate(bytes);
    if (fix) fixChecksums(bytes);
    writeAll(path("bad.twg"), bytes);
    return loadError(path("bad.twg"));
  }
  // What verify finds in `base` after `mutate` (checksums fixed, so that the file loads).
  std::vector<std::string> problemsAfter(const std::vector<char>& base,
                                         const std::function<void(std::vector<char>&)>& mutate) {
    std::vector<char> bytes = base;
    mutate(bytes);
    fixChecksums(bytes);
    writeAll(path("bad.twg"), bytes);
    return verifySnapshot(load(path("bad.twg")));
  }

  std::vector<char> good_;
  std::vector<char> bare_;
};

TEST_F(DamagedSnapshot, TheGoodFileLoads) { EXPECT_EQ(loadError(path("good.twg")), ""); }

TEST_F(DamagedSnapshot, EachDamageIsNamed) {
  const auto expectError = [&](const std::function<void(std::vector<char>&)>& mutate, const std::string& words,
                               bool fix = true) {
    const std::string error = errorAfter(mutate, fix);
    EXPECT_NE(error.find(path("bad.twg")), std::string::npos) << error;
    EXPECT_NE(error.find(words), std::string::npos) << "expected '" << words << "' in: " << error;
  };
  expectError([](auto& b) { b.clear(); }, "shorter than its header", false);
  expectError([](auto& b) { b.resize(40); }, "shorter than its header", false);
  expectError([&](auto& b) { header(b).magic[1] = 'X'; }, "wrong magic");
  expectError([&](auto& b) { header(b).version_major = 2; }, "format version 2.1 is not readable");
  expectError([&](auto& b) { header(b).byte_order = 0x04030201; }, "byte order");
  expectError([&](auto& b) { b.pop_back(); }, "truncated", false);
  expectError([&](auto& b) { b.push_back(0); }, "truncated", false);
  expectError([&](auto& b) { header(b).node_count = 5; }, "header checksum mismatch", false);
  expectError([&](auto& b) { section<std::uint32_t>(b, "fwd.head")[0] ^= 1; }, "'fwd.head' checksum mismatch", false);
  expectError([&](auto& b) { header(b).section_count = 100000; }, "sections");
  expectError([&](auto& b) { entry(b, "fwd.head").offset = (b.size() / 64 + 64) * 64; }, "outside the file");
  expectError([&](auto& b) { entry(b, "fwd.head").offset = ~std::uint64_t{0} - 63; }, "outside the file");
  expectError([&](auto& b) { entry(b, "fwd.head").length = ~std::uint64_t{0}; }, "outside the file");
  expectError([&](auto& b) { entry(b, "fwd.head").offset += 4; }, "not aligned");
  expectError([&](auto& b) { entry(b, "fwd.head").offset = entry(b, "fwd.first").offset; }, "overlap");
  expectError([&](auto& b) { std::strcpy(entry(b, "bwd.tail").name, "fwd.head"); }, "two sections named 'fwd.head'");
  expectError([&](auto& b) { entry(b, "fwd.head").length -= 2; }, "whole number");
  expectError([&](auto& b) { entry(b, "fwd.head").element_size = 8; }, "expected 4");
  expectError([&](auto& b) { std::strcpy(entry(b, "fwd.head").name, "fwd.headx"); entry(b, "fwd.headx").flags = 0; },
              "no 'fwd.head' section");
  expectError([&](auto& b) { std::strcpy(entry(b, "fwd.weight").name, "ch.future"); }, "required but unknown");
  expectError([&](auto& b) { std::strcpy(entry(b, "fwd.weight").name, "Bad Name"); }, "invalid name");
  expectError([&](auto& b) { std::strcpy(entry(b, "node.lat_e6").name, "x.optional"); entry(b, "x.optional").flags = 0; },
              "'node.lon_e6' without 'node.lat_e6'");
  expectError([&](auto& b) { section<std::uint32_t>(b, "fwd.head")[2] = 4; }, "names node 4 at arc 2");
  expectError([&](auto& b) { section<std::uint32_t>(b, "bwd.tail")[0] = 0xffffffff; }, "'bwd.tail' names node");
  expectError([&](auto& b) { section<std::uint32_t>(b, "fwd.first")[2] = 0; }, "decreases at node");
  expectError([&](auto& b) { section<std::uint32_t>(b, "fwd.first")[4] = 3; }, "does not run from 0 to the arc count");
  expectError([&](auto& b) { entry(b, "fwd.head").length = 12; }, "has 3 elements, expected 4");
  expectError([&](auto& b) { section<std::int32_t>(b, "node.lat_e6")[1] = 91'000'000; }, "coordinate outside");
  expectError([&](auto& b) { section<std::uint32_t>(b, "nearest.order")[0] = 4; }, "'nearest.order' names a node");
  expectError([&](auto& b) { section<std::uint8_t>(b, "nearest.axis")[0] = 3; }, "axis other than");
  expectError([&](auto& b) { section<snapshot::Meta>(b, "meta")->lower_bound_scale = std::nan(""); }, "scale is out of range");
  expectError([&](auto& b) { section<snapshot::Meta>(b, "meta")->metric = 1; }, "weighed by length_m but has no 'fwd.len_m'");
  expectError([&](auto& b) { section<snapshot::Meta>(b, "meta")->graph_sha1[0] = 'G'; }, "not hex");
  expectError([&](auto& b) { section<std::uint32_t>(b, "ch.rank")[0] = 7; },
              "snapshot's contraction hierarchy: rank or order out of range at 0");
  expectError([&](auto& b) { section<std::uint32_t>(b, "ch.up.unpack")[0] = 1000; },
              "snapshot's contraction hierarchy: up arc 0 unpacks into arcs that do not exist");
  expectError([&](auto& b) { section<std::uint32_t>(b, "ch.down.end")[0] = 0; }, "does not climb");
  expectError([&](auto& b) { std::memcpy(entry(b, "ch.down.unpack").name, "ch.down.unpackx", 16); },
              "has section 'ch.rank' without 'ch.down.unpack'");
}

// Damage that a load lets through (the arrays stay in bounds) but verify finds.
TEST_F(DamagedSnapshot, VerifyFindsPartsThatDisagree) {
  const auto problemsAfter = [&](const std::function<void(std::vector<char>&)>& mutate) {
    return this->problemsAfter(bare_, mutate);
  };
  EXPECT_TRUE(problemsAfter([](auto&) {}).empty());
  const auto has = [](const std::vector<std::string>& problems, const std::string& words) {
    return std::any_of(problems.begin(), problems.end(),
                       [&](const std::string& problem) { return problem.find(words) != std::string::npos; });
  };
  // Arc 3 -> 0 stored as 3 -> 1 in the reverse arrays: node 0 has no in-arc and node 1 two.
  auto problems = problemsAfter([&](auto& b) {
    section<std::uint32_t>(b, "bwd.first")[1] = 0;
    section<std::uint32_t>(b, "bwd.tail")[0] = 0;
  });
  EXPECT_TRUE(has(problems, "not the forward arcs reversed")) << ::testing::PrintToString(problems);
  problems = problemsAfter([&](auto& b) { section<std::uint32_t>(b, "fwd.weight")[0] = 6; });
  EXPECT_TRUE(has(problems, "stored checksum")) << ::testing::PrintToString(problems);
  problems = problemsAfter([&](auto& b) { section<snapshot::Meta>(b, "meta")->lower_bound_scale = 250; });
  EXPECT_TRUE(has(problems, "A* scale")) << ::testing::PrintToString(problems);
  problems = problemsAfter([&](auto& b) {
    auto* order = section<std::uint32_t>(b, "nearest.order");
    order[1] = order[0];
  });
  EXPECT_TRUE(has(problems, "does not hold every node")) << ::testing::PrintToString(problems);
}

// A hierarchy that is not the graph's: a load checks only its bounds (one sequential pass; the
// whole check reads the arrays at random and took 0.5 s at a million nodes), verify all of it.
TEST_F(DamagedSnapshot, AHierarchyThatDisagreesWithItsGraphLoadsButVerifyFindsIt) {
  const auto damaged = [&](const std::function<void(std::vector<char>&)>& mutate) { return problemsAfter(good_, mutate); };
  EXPECT_EQ(damaged([](auto&) {}), std::vector<std::string>{});
  for (const char* weights : {"ch.up.weight", "fwd.weight"}) {
    const auto problems = damaged([&](auto& b) { section<std::uint32_t>(b, weights)[0] += 1; });
    ASSERT_FALSE(problems.empty()) << weights;
    EXPECT_NE(problems.back().find("contraction hierarchy: up arc 0 does not weigh"), std::string::npos)
        << weights << ": " << ::testing::PrintToString(problems);
  }
}

TEST_F(DamagedSnapshot, AnUnknownOptionalSectionIsSkipped) {
  EXPECT_EQ(errorAfter([&](auto& b) {
              std::strcpy(entry(b, "nearest.order").name, "zz.later");
              std::strcpy(entry(b, "nearest.axis").name, "zz.later2");
            }),
            "");
}

TEST_F(DamagedSnapshot, EveryTruncationAndRandomByteFlipIsRefusedOrHarmless) {
  std::mt19937_64 random(testing::testSeed() + 91);
  for (std::size_t cut = 0; cut < good_.size(); cut += std::max<std::size_t>(1, good_.size() / 64)) {
    std::vector<char> bytes(good_.begin(), good_.begin() + static_cast<std::ptrdiff_t>(cut));
    writeAll(path("cut.twg"), bytes);
    EXPECT_NE(loadError(path("cut.twg")), "") << "cut at " << cut;
  }
  int refused = 0;
  for (int flip = 0; flip < 200; ++flip) {
    std::vector<char> bytes = good_;
    bytes[random() % bytes.size()] ^= static_cast<char>(1 + random() % 255);
    writeAll(path("flip.twg"), bytes);
    refused += loadError(path("flip.twg")).empty() ? 0 : 1;  // a flip in padding is harmless
  }
  EXPECT_GT(refused, 0);
}

TEST_F(SnapshotTest, FilesOfOtherKindsAreToldApartAndExplained) {
  std::ofstream(path("x.osm.pbf"), std::ios::binary) << std::string("\0\0\0\x0d\x0a\x09OSMHeader\x18", 16);
  std::ofstream(path("x.bin"), std::ios::binary) << std::string("\x7f" "ELF\x02\x01\x01\x00", 8);
  std::ofstream(path("x.osm")) << "<?xml version='1.0'?><osm></osm>";
  EXPECT_THROW(
      {
        try {
          (void)loadGraphFile(path("x.osm.pbf"), "");
        } catch (const GraphFormatError& error) {
          EXPECT_NE(std::string(error.what()).find("twinlane-graph import"), std::string::npos) << error.what();
          throw;
        }
      },
      GraphFormatError);
  try {
    (void)loadGraphFile(path("x.bin"), "");
    ADD_FAILURE() << "an ELF file loaded";
  } catch (const GraphFormatError& error) {
    EXPECT_NE(std::string(error.what()).find("neither a twinlane snapshot nor a DIMACS text file (it starts 7f 45 4c 46"),
              std::string::npos) << error.what();
  }
  EXPECT_EQ(sniffGraphFile(path("x.osm")).format, GraphFileFormat::kOsmXml);
  const Graph graph = Graph::fromArcs(1, {}, {}, "one");
  writeSnapshotFile(graph, nullptr, nullptr, {}, path("g.twg"));
  std::ofstream(path("g.co")) << "p aux sp co 1\nv 1 0 0\n";
  EXPECT_THROW((void)loadGraphFile(path("g.twg"), path("g.co")), GraphFormatError);
}

TEST_F(SnapshotTest, AHierarchyWrittenIsTheHierarchyRead) {
  std::mt19937_64 random(testing::testSeed() + 40);
  const Graph graph = testing::randomGraph(random, 300, true);
  const ContractionHierarchy hierarchy = buildContractionHierarchy(graph);
  writeSnapshotFile(graph, nullptr, &hierarchy, {}, path("g.twg"));
  const LoadedGraph loaded = loadGraphFile(path("g.twg"), "");
  ASSERT_TRUE(loaded.hierarchy.has_value());
  EXPECT_EQ(loaded.hierarchy->arcCount(), hierarchy.arcCount());
  ChSearch built(graph, hierarchy);
  ChSearch mapped(loaded.graph, *loaded.hierarchy);
  for (NodeId to = 0; to < graph.nodeCount(); to += 7) {
    EXPECT_EQ(mapped.route(0, to).nodes, built.route(0, to).nodes) << "0 -> " << to;
  }
  writeSnapshotFile(graph, nullptr, nullptr, {}, path("bare.twg"));
  EXPECT_FALSE(loadGraphFile(path("bare.twg"), "").hierarchy.has_value());
}

}  // namespace
}  // namespace twinlane::app
