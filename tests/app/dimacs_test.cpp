// SPDX-License-Identifier: Apache-2.0
// readDimacs/writeDimacs: every malformed input names file, line and problem; gzip, CRLF,
// comments and blank lines are read; a written graph reads back identical.
#include "dimacs.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <optional>
#include <string>

#include "dimacs_writer.h"
#include "generator.h"
#include "test_support.h"

namespace twinlane::app {
namespace {

using testing::TempDir;

// Expects readDimacs to throw GraphFormatError whose message starts with `prefix` and
// contains `problem`.
void expectFormatError(const std::string& gr, const std::string& co, const std::string& prefix,
                       const std::string& problem) {
  try {
    (void)readDimacs(gr, co);
    ADD_FAILURE() << "no GraphFormatError, expected " << prefix << " ... " << problem;
  } catch (const GraphFormatError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
  }
}

struct MalformedCase {
  const char* name;
  const char* gr;
  const char* co;      // nullptr: no coordinate file
  bool co_is_bad;      // the error names the .co file rather than the .gr
  int line;            // -1: the message has no line ("path: problem")
  const char* problem;
};

class MalformedDimacsTest : public ::testing::TestWithParam<MalformedCase> {};

constexpr const char* kGoodGr = "p sp 3 2\na 1 2 5\na 2 3 7\n";

TEST_P(MalformedDimacsTest, NamesFileLineAndProblem) {
  const MalformedCase& c = GetParam();
  TempDir dir;
  const std::string gr = dir.write("g.gr", c.gr);
  const std::string co = c.co != nullptr ? dir.write("g.co", c.co) : std::string();
  const std::string& bad = c.co_is_bad ? co : gr;
  const std::string prefix = c.line < 0 ? bad + ": " : bad + ":" + std::to_string(c.line) + ": ";
  expectFormatError(gr, co, prefix, c.problem);
}

INSTANTIATE_TEST_SUITE_P(
    Gr, MalformedDimacsTest,
    ::testing::Values(
        MalformedCase{"EmptyFile", "", nullptr, false, -1, "empty file"},
        MalformedCase{"OnlyComments", "c nothing\nc here\n", nullptr, false, 2,
                      "end of file without a problem line"},
        MalformedCase{"ArcBeforeProblemLine", "c x\na 1 2 3\np sp 2 1\n", nullptr, false, 2,
                      "arc before the problem line"},
        MalformedCase{"DuplicateProblemLine", "p sp 2 1\nc\np sp 2 1\na 1 2 3\n", nullptr, false,
                      3, "duplicate problem line (the first is line 1)"},
        MalformedCase{"ProblemLineWrongKind", "p max 2 1\n", nullptr, false, 1,
                      "problem line must be 'p sp <nodes> <arcs>'"},
        MalformedCase{"ProblemLineMissingField", "p sp 2\n", nullptr, false, 1,
                      "problem line must be"},
        MalformedCase{"ProblemLineZeroNodes", "p sp 0 0\n", nullptr, false, 1,
                      "node count must be at least 1"},
        MalformedCase{"ProblemLineHugeNodes", "p sp 99999999999 0\n", nullptr, false, 1,
                      "node count '99999999999' is out of range"},
        MalformedCase{"TailIdZero", "p sp 2 1\na 0 2 3\n", nullptr, false, 2,
                      "tail node id 0 is outside 1..2"},
        MalformedCase{"HeadIdAboveN", "p sp 2 1\na 1 3 3\n", nullptr, false, 2,
                      "head node id 3 is outside 1..2"},
        MalformedCase{"NegativeId", "p sp 2 1\na -1 2 3\n", nullptr, false, 2,
                      "tail node id '-1' is not a non-negative integer"},
        MalformedCase{"NonIntegerWeight", "p sp 2 1\na 1 2 1.5\n", nullptr, false, 2,
                      "weight '1.5' is not a non-negative integer"},
        MalformedCase{"NegativeWeight", "p sp 2 1\na 1 2 -4\n", nullptr, false, 2,
                      "weight '-4' is not a non-negative integer"},
        MalformedCase{"OverflowingWeight", "p sp 2 1\na 1 2 4294967296\n", nullptr, false, 2,
                      "weight '4294967296' is out of range (maximum 4294967295)"},
        MalformedCase{"HugeWeight", "p sp 2 1\na 1 2 99999999999999999999999\n", nullptr, false,
                      2, "is out of range"},
        MalformedCase{"TrailingGarbageField", "p sp 2 1\na 1 2 3 x\n", nullptr, false, 2,
                      "arc line has 5 fields, expected 'a <tail> <head> <weight>'"},
        MalformedCase{"TrailingGarbageInField", "p sp 2 1\na 1 2 3x\n", nullptr, false, 2,
                      "weight '3x' is not a non-negative integer"},
        MalformedCase{"TooFewFields", "p sp 2 1\na 1 2\n", nullptr, false, 2,
                      "arc line has 3 fields"},
        MalformedCase{"ManyFields", "p sp 2 1\na 1 2 3 4 5 6 7\n", nullptr, false, 2,
                      "arc line has too many fields"},
        MalformedCase{"FewerArcsThanDeclared", "p sp 2 2\na 1 2 3\nc end\n", nullptr, false, 3,
                      "end of file after 1 arcs, but line 1 declares 2"},
        MalformedCase{"MoreArcsThanDeclared", "p sp 2 1\na 1 2 3\na 2 1 3\n", nullptr, false, 3,
                      "more arcs than the 1 declared on line 1"},
        MalformedCase{"UnknownLineType", "p sp 2 0\nx 1 2\n", nullptr, false, 2,
                      "unknown line type 'x'"},
        MalformedCase{"CommentWithoutSpaceIsNotAComment", "cx\np sp 1 0\n", nullptr, false, 1,
                      "unknown line type 'cx'"}),
    [](const auto& test_case) { return std::string(test_case.param.name); });

INSTANTIATE_TEST_SUITE_P(
    Co, MalformedDimacsTest,
    ::testing::Values(
        MalformedCase{"EmptyFile", kGoodGr, "", true, -1, "empty file"},
        MalformedCase{"NoProblemLine", kGoodGr, "c only\n", true, 1,
                      "end of file without a problem line 'p aux sp co <nodes>'"},
        MalformedCase{"CoordinateBeforeProblemLine", kGoodGr, "v 1 2 3\n", true, 1,
                      "coordinate before the problem line"},
        MalformedCase{"WrongProblemLine", kGoodGr, "p aux sp xy 3\n", true, 1,
                      "problem line must be 'p aux sp co <nodes>'"},
        MalformedCase{"NodeCountDiffersFromGraph", kGoodGr, "p aux sp co 4\n", true, 1,
                      "declares 4 nodes, but graph"},
        MalformedCase{"DuplicateProblemLine", kGoodGr, "p aux sp co 3\np aux sp co 3\n", true, 2,
                      "duplicate problem line"},
        MalformedCase{"MissingCoordinate", kGoodGr, "p aux sp co 3\nv 1 0 0\nv 3 0 0\n", true, 3,
                      "end of file, but node 2 has no coordinate"},
        MalformedCase{"DuplicateCoordinate", kGoodGr,
                      "p aux sp co 3\nv 1 0 0\nv 2 0 0\nv 1 5 5\nv 3 0 0\n", true, 4,
                      "duplicate coordinate for node 1 (first on line 2)"},
        MalformedCase{"IdZero", kGoodGr, "p aux sp co 3\nv 0 1 1\n", true, 2,
                      "node id 0 is outside 1..3"},
        MalformedCase{"IdAboveN", kGoodGr, "p aux sp co 3\nv 4 1 1\n", true, 2,
                      "node id 4 is outside 1..3"},
        MalformedCase{"NonIntegerLongitude", kGoodGr, "p aux sp co 3\nv 1 8.5 49\n", true, 2,
                      "longitude '8.5' is not an integer"},
        MalformedCase{"LatitudeOutOfRange", kGoodGr, "p aux sp co 3\nv 1 0 90000001\n", true, 2,
                      "latitude '90000001' is outside -90000000..90000000"},
        MalformedCase{"WrongFieldCount", kGoodGr, "p aux sp co 3\nv 1 2\n", true, 2,
                      "coordinate line has 3 fields, expected 'v <id> <lon> <lat>'"},
        MalformedCase{"UnknownLineType", kGoodGr, "p aux sp co 3\na 1 2 3\n", true, 2,
                      "unknown line type 'a'"}),
    [](const auto& test_case) { return std::string(test_case.param.name); });

TEST(DimacsTest, UnreadableFileNamesPathAndErrno) {
  TempDir dir;
  const std::string missing = dir.file("missing.gr");
  expectFormatError(missing, "", missing + ": cannot open: ", "No such file or directory");
  const std::string gr = dir.write("g.gr", kGoodGr);
  expectFormatError(gr, dir.file("missing.co"), dir.file("missing.co") + ": cannot open: ",
                    "No such file or directory");
}

TEST(DimacsTest, AHugeBadFieldIsQuotedCutShort) {
  TempDir dir;
  const std::string gr = dir.write("huge.gr", std::string(100'000, 'x') + "\n");
  try {
    (void)readDimacs(gr);
    ADD_FAILURE() << "a line of x loaded";
  } catch (const GraphFormatError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(":1: unknown line type '" + std::string(40, 'x') + "...'"), std::string::npos) << message;
    EXPECT_LT(message.size(), 200u + gr.size());
  }
}

TEST(DimacsTest, DirectoryIsAReadError) {
  TempDir dir;
  const std::string path = dir.path().string();
  expectFormatError(path, "", path + ":1: read error: ", "Is a directory");
}

TEST(DimacsTest, ReadsCommentsAnywhereCrlfBlankLinesParallelArcsAndZeroWeights) {
  TempDir dir;
  const std::string gr = dir.write(
      "g.gr",
      "c header\r\n"
      "p sp 3 4\r\n"
      "c between\r\n"
      "a 1 2 5\r\n"
      "\r\n"
      "a 1 2 7\r\n"
      "c\r\n"
      "a 2 3 0\r\n"
      "\ta 3 3 4  \r\n"
      "c trailer");
  const std::string co = dir.write("g.co",
                                   "c x\np aux sp co 3\nv 3 -73985000 +40750000\nv 1 0 0\n"
                                   "c y\nv 2 180000000 -90000000");
  const Graph graph = readDimacs(gr, co);
  EXPECT_EQ(graph.nodeCount(), 3u);
  EXPECT_EQ(graph.arcCount(), 4u);
  ASSERT_EQ(graph.endOut(0) - graph.firstOut(0), 2u);
  EXPECT_EQ(graph.head(graph.firstOut(0)), 1u);
  EXPECT_EQ(graph.weight(graph.firstOut(0)), 5u);
  EXPECT_EQ(graph.weight(graph.firstOut(0) + 1), 7u);
  EXPECT_EQ(graph.weight(graph.firstOut(1)), 0u);
  EXPECT_EQ(graph.head(graph.firstOut(2)), 2u);
  EXPECT_EQ(graph.coordinate(2), (Coordinate{-73'985'000, 40'750'000}));
  EXPECT_EQ(graph.coordinate(1), (Coordinate{180'000'000, -90'000'000}));
  EXPECT_EQ(graph.source(), gr);
}

void writeGzip(const std::string& path, const std::string& content) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, content.data(), static_cast<unsigned>(content.size())),
            static_cast<int>(content.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

TEST(DimacsTest, ReadsGzipLikePlainText) {
  TempDir dir;
  const std::string gr_text = "c x\np sp 3 3\na 1 2 5\na 2 3 7\na 3 1 1\n";
  const std::string co_text = "p aux sp co 3\nv 1 1 1\nv 2 2 2\nv 3 3 3\n";
  writeGzip(dir.file("g.gr.gz"), gr_text);
  writeGzip(dir.file("g.co.gz"), co_text);
  const Graph zipped = readDimacs(dir.file("g.gr.gz"), dir.file("g.co.gz"));
  const Graph plain = readDimacs(dir.write("g.gr", gr_text), dir.write("g.co", co_text));
  EXPECT_EQ(zipped.arcCount(), 3u);
  EXPECT_EQ(zipped.checksum(), plain.checksum());
}

TEST(DimacsTest, TruncatedGzipIsAReadError) {
  TempDir dir;
  std::string text = "p sp 1000 1000\n";
  for (int i = 0; i < 1000; ++i) text += "a " + std::to_string(i + 1) + " 1 " + std::to_string(i * 7919 % 1000) + "\n";
  const std::string whole = dir.file("whole.gr.gz");
  writeGzip(whole, text);
  const auto size = std::filesystem::file_size(whole);
  std::filesystem::copy_file(whole, dir.file("cut.gr.gz"));
  std::filesystem::resize_file(dir.file("cut.gr.gz"), size / 2);
  expectFormatError(dir.file("cut.gr.gz"), "", dir.file("cut.gr.gz") + ":", "read error");
}

TEST(DimacsTest, LinesLongerThanTheReadBufferAreHandled) {
  TempDir dir;
  const std::string gr = dir.write(
      "g.gr", "c " + std::string(3'000'000, 'x') + "\np sp 2 1\na 1 2 3\nc " +
                  std::string(2'500'000, 'y'));
  EXPECT_EQ(readDimacs(gr).arcCount(), 1u);
}

TEST(DimacsTest, WrittenGraphReadsBackIdenticalPlainAndGzip) {
  GeneratorOptions options;
  options.nodes = 60'000;  // files of a few MiB, so reads cross many buffer refills
  const Graph generated = generateRoadGraph(options);
  TempDir dir;
  writeDimacs(generated, dir.file("g.gr"), dir.file("g.co"));
  const Graph plain = readDimacs(dir.file("g.gr"), dir.file("g.co"));
  EXPECT_EQ(plain.nodeCount(), generated.nodeCount());
  EXPECT_EQ(plain.arcCount(), generated.arcCount());
  EXPECT_EQ(plain.checksum(), generated.checksum());
  writeDimacs(generated, dir.file("g.gr.gz"), dir.file("g.co.gz"));
  EXPECT_EQ(readDimacs(dir.file("g.gr.gz"), dir.file("g.co.gz")).checksum(), generated.checksum());
  EXPECT_LT(std::filesystem::file_size(dir.file("g.gr.gz")), std::filesystem::file_size(dir.file("g.gr")));
}

TEST(DimacsTest, WriterRefusesCoordinatesTheGraphDoesNotHave) {
  const Graph graph = Graph::fromArcs(1, {}, {}, "bare");
  TempDir dir;
  EXPECT_THROW(writeDimacs(graph, dir.file("g.gr"), dir.file("g.co")), std::invalid_argument);
}

TEST(DimacsTest, WriterNamesAnUnwritablePath) {
  const Graph graph = Graph::fromArcs(1, {}, {}, "bare");
  TempDir dir;
  const std::string path = dir.file("no/such/dir/g.gr");
  try {
    writeDimacs(graph, path, "");
    FAIL() << "no exception";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(std::string(error.what()), path + ": cannot open for writing: No such file or directory");
  }
}

}  // namespace
}  // namespace twinlane::app
