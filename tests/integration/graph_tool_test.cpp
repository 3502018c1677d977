// SPDX-License-Identifier: Apache-2.0
// twinlane-graph as a user runs it: import an OSM file and convert a DIMACS one into snapshots,
// describe and verify them, and refuse bad input with exit codes 1 (data) and 2 (command line)
// and no file left behind.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "child_process.h"
#include "osm_fixture.h"
#include "temp_dir.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

struct ToolRun {
  ExitStatus status;
  std::string out;
  std::string err;
};

ToolRun runTool(const TempDir& dir, std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), TWINLANE_GRAPH_BIN);
  ChildProcess tool({.argv = arguments, .env = {}, .stdout_path = dir.file("tool.out"), .stderr_path = dir.file("tool.err")});
  const auto status = tool.waitExit(120s);
  if (!status) return {ExitStatus{}, "", "did not exit within 120 s"};
  return {*status, tool.readStdout(), tool.readStderr()};
}

TEST(GraphTool, ImportsAnOsmFileThatInfoAndVerifyThenDescribe) {
  TempDir dir("twinlane-tool");
  dir.write("square.osm", kSquareOsm);
  const ToolRun import = runTool(dir, {"import", "--profile", "car", dir.file("square.osm"), dir.file("square.twg")});
  ASSERT_TRUE(import.status.success()) << import.status.describe() << "\n" << import.err;
  EXPECT_NE(import.out.find("imported " + dir.file("square.twg").string() + " (car): 4 nodes, 8 arcs"),
            std::string::npos) << import.out;
  EXPECT_EQ(import.err, "") << "no progress lines when stderr is not a terminal";

  const ToolRun info = runTool(dir, {"info", dir.file("square.twg")});
  ASSERT_TRUE(info.status.success()) << info.err;
  for (const char* expected : {"format:      twinlane snapshot 1.1", "profile:     car", "nodes:       4", "arcs:        8",
                               "weights:     duration_ds", "metrics:     length_m duration_ds", "osm ids:     yes",
                               "node.osm_id", "nearest.order", "ch.up.first", "ch.down.unpack"}) {
    EXPECT_NE(info.out.find(expected), std::string::npos) << "missing '" << expected << "' in\n" << info.out;
  }
  const ToolRun verify = runTool(dir, {"verify", dir.file("square.twg")});
  EXPECT_TRUE(verify.status.success()) << verify.out << verify.err;
  EXPECT_NE(verify.out.find(": ok (4 nodes, 8 arcs"), std::string::npos) << verify.out;
}

TEST(GraphTool, ConvertsDimacsKeepingItsChecksum) {
  TempDir dir("twinlane-tool");
  dir.write("g.gr", "c three nodes\np sp 3 4\na 1 2 5\na 2 3 7\na 3 1 1\na 1 3 20\n");
  dir.write("g.co", "p aux sp co 3\nv 1 8460000 49480000\nv 2 8461000 49480000\nv 3 8461000 49481000\n");
  const ToolRun text = runTool(dir, {"info", dir.file("g.gr"), dir.file("g.co")});
  ASSERT_TRUE(text.status.success()) << text.err;
  const ToolRun convert = runTool(dir, {"convert", dir.file("g.gr"), dir.file("g.co"), dir.file("g.twg")});
  ASSERT_TRUE(convert.status.success()) << convert.err;
  const ToolRun snapshot = runTool(dir, {"info", dir.file("g.twg")});
  ASSERT_TRUE(snapshot.status.success()) << snapshot.err;
  const auto checksumLine = [](const std::string& out) { return out.substr(out.find("checksum:"), 50); };
  EXPECT_EQ(checksumLine(text.out), checksumLine(snapshot.out));
  EXPECT_NE(text.out.find("format:      DIMACS"), std::string::npos) << text.out;
  EXPECT_TRUE(runTool(dir, {"verify", dir.file("g.twg")}).status.success());
}

TEST(GraphTool, BadInputGetsAClearErrorAnExitCodeAndLeavesNoFile) {
  TempDir dir("twinlane-tool");
  dir.write("no-roads.osm", "<?xml version='1.0'?><osm version='0.6'><node id='1' lat='1' lon='1'/></osm>");
  dir.write("broken.osm", "<?xml version='1.0'?><osm version='0.6'><node id='1' lat=");
  dir.write("bad.gr", "p sp 2 1\na 1 3 5\n");
  struct Case {
    std::vector<std::string> arguments;
    int code;
    std::string words;
  };
  const std::string out = dir.file("out.twg");
  const std::vector<Case> cases = {
      {{"import", "--profile", "bike", dir.file("no-roads.osm"), out}, 2, "--profile is car or distance"},
      {{"import", dir.file("no-roads.osm"), out}, 2, "--profile car|distance is needed"},
      {{"import", "--profile", "car", dir.file("no-roads.osm"), out}, 1, "no car roads (0 ways read)"},
      {{"import", "--profile", "car", dir.file("broken.osm"), out}, 1, "not a readable OSM file"},
      {{"import", "--profile", "car", dir.file("missing.osm.pbf"), out}, 1, "missing.osm.pbf"},
      {{"convert", dir.file("bad.gr"), out}, 1, "bad.gr:2:"},
      {{"convert", dir.file("bad.gr")}, 2, "GR and OUT are needed"},
      {{"info", dir.file("no-roads.osm")}, 1, "an OpenStreetMap file"},
      {{"verify", dir.file("bad.gr")}, 1, "not a snapshot"},
      {{"frobnicate"}, 2, "unknown command 'frobnicate'"},
  };
  for (const Case& c : cases) {
    const ToolRun run = runTool(dir, c.arguments);
    EXPECT_TRUE(run.status.exited && run.status.code == c.code) << c.arguments[0] << ": " << run.status.describe() << "\n" << run.err;
    EXPECT_NE(run.err.find(c.words), std::string::npos) << "expected '" << c.words << "' in: " << run.err;
  }
  EXPECT_FALSE(std::filesystem::exists(out));
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << "left behind: " << entry.path();
  }
}

}  // namespace
}  // namespace twinlane::test
