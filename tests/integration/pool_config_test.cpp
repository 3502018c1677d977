// SPDX-License-Identifier: Apache-2.0
// Config discipline at the command line: `--check-config` rejects an unknown key, a duration
// without its unit and a value of the wrong type with exit 1 and "FILE:LINE: key: problem",
// asks the service to check its own keys (files readable, values in range), accepts a good file
// with exit 0, and `nginx-config` gives nginx more time to read an answer than the pool gives a
// request.
#include <gtest/gtest.h>

#include <sstream>

#include "integration_stack.h"
#include "temp_dir.h"
#include "testapp_stack.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

// The 1-based line of `yaml` holding `needle`; 0 if none.
int lineOf(const std::string& yaml, const std::string& needle) {
  std::istringstream in(yaml);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (line.find(needle) != std::string::npos) return number;
  }
  return 0;
}

struct PoolConfig : ::testing::Test {
  TempDir dir{"twinlane-it"};
  StackOptions options = integrationOptions();

  // Writes the stack's config with `slow_settings` and runs `twinlane --check-config` on it.
  CompletedProcess check(const std::vector<std::string>& slow_settings, std::filesystem::path& file, std::string& yaml) {
    auto with = options;
    with.slow_settings = slow_settings;
    yaml = renderConfig(with, dir.path());
    file = dir.write("twinlane.yaml", yaml);
    return runToCompletion({options.binary.string(), "--check-config", file.string()}, dir.path(), "check", 30s);
  }

  // `slow_settings` are extra lines of lanes.slow; `offending` is the text of the bad line;
  // `problem`, when given, what the message must say after the key.
  void expectRejected(const std::vector<std::string>& slow_settings, const std::string& offending, const std::string& key,
                      const std::string& problem = "") {
    std::filesystem::path file;
    std::string yaml;
    const auto result = check(slow_settings, file, yaml);
    ASSERT_NE(lineOf(yaml, offending), 0) << yaml;
    const std::string where = file.string() + ":" + std::to_string(lineOf(yaml, offending)) + ": " + key + ":" + problem;
    EXPECT_EQ(result.status.describe(), "exit 1") << yaml;
    EXPECT_NE(result.err.find(where), std::string::npos) << "expected \"" << where << "\" in: " << result.err;
    EXPECT_NE(result.err.find("test failed"), std::string::npos) << result.err;
  }
};

TEST_F(PoolConfig, CheckConfigRejectsAnUnknownKeyNamingFileLineAndKey) {
  expectRejected({"colour: blue"}, "colour: blue", "lanes.slow.colour");
}

TEST_F(PoolConfig, CheckConfigRejectsADurationWithoutItsUnit) {
  options.request_timeout = "30";
  expectRejected({}, "request_timeout: 30", "lanes.slow.request_timeout");
}

TEST_F(PoolConfig, CheckConfigRejectsAListWhereANumberBelongs) {
  expectRejected({"max_requests: [1, 2]"}, "max_requests: [1, 2]", "lanes.slow.max_requests");
}

// The road-graph service reads and checks data: and limits.matrix_max_cells itself.
TEST_F(PoolConfig, CheckConfigAsksTheServiceWhetherItsFilesCanBeRead) {
  options.graph = dir.path() / "missing.gr";
  expectRejected({}, "graph: ", "data.graph",
                 " cannot read " + options.graph->string() + ": No such file or directory");
}

TEST_F(PoolConfig, CheckConfigRefusesAnOsmFileOrAnUnknownFormatAsTheGraph) {
  options.graph = dir.write("roads.osm", "<?xml version='1.0'?><osm version='0.6'></osm>\n");
  expectRejected({}, "graph: ", "data.graph", " " + options.graph->string() + ": an OpenStreetMap file, which is not served directly");
  options.graph = dir.write("program", std::string("\x7f" "ELF\x02\x01\x01", 7));
  expectRejected({}, "graph: ", "data.graph", " " + options.graph->string() + ": neither a twinlane snapshot nor a DIMACS text file (it starts 7f 45 4c 46");
}

TEST_F(PoolConfig, CheckConfigRejectsAServiceValueOutOfRange) {
  options.matrix_max_cells = 0;
  expectRejected({}, "matrix_max_cells: 0", "limits.matrix_max_cells", " '0' is not a whole number from 1 to 100000000");
}

TEST_F(PoolConfig, CheckConfigRejectsAnUnknownKeyInTheServiceSection) {
  options.hierarchy.clear();
  options.extra_yaml = "data: { grpah: /x.gr }\n";
  expectRejected({}, "grpah", "data.grpah", " unknown key; expected one of: graph, coordinates, hierarchy");
}

TEST_F(PoolConfig, CheckConfigRejectsAHierarchySettingOtherThanAutoOrOff) {
  options.hierarchy = "maybe";
  expectRejected({}, "hierarchy: maybe", "data.hierarchy", " expected auto or off, got 'maybe'");
}

// web.root names the map page's files, which nginx serves: a directory holding index.html.
TEST_F(PoolConfig, CheckConfigRejectsAWebRootWithoutThePage) {
  options.extra_yaml = "web: { root: " + dir.path().string() + " }\n";
  expectRejected({}, "web: {", "web.root", " cannot read " + dir.path().string() + "/index.html: No such file or directory");
  options.extra_yaml = "web: { root: relative/web }\n";
  expectRejected({}, "web: {", "web.root", " 'relative/web' is not an absolute path");
  options.extra_yaml = "web: { root: /nonexistent/web }\n";
  expectRejected({}, "web: {", "web.root", " /nonexistent/web is not a directory");
}

TEST_F(PoolConfig, NginxConfigServesTheWebRootAtTheRoot) {
  dir.write("index.html", "<!DOCTYPE html>\n");
  options.extra_yaml = "web: { root: " + dir.path().string() + " }\n";
  const auto file = dir.write("twinlane.yaml", renderConfig(options, dir.path()));
  const auto result = runToCompletion({options.binary.string(), "nginx-config", "--config", file.string()}, dir.path(),
                                      "nginx-config", 30s);
  ASSERT_EQ(result.status.describe(), "exit 0") << result.err;
  EXPECT_NE(result.out.find("root \"" + dir.path().string() + "\";"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("alias \"" + dir.path().string() + "/\";"), std::string::npos) << result.out;
}

// The test app has a section of its own and knows nothing of the graph's.
TEST_F(PoolConfig, EachServiceHasItsOwnSection) {
  options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.extra_yaml = "testapp: { data: /nonexistent/testapp.txt }\n";
  expectRejected({}, "testapp: {", "testapp.data", " cannot read /nonexistent/testapp.txt: No such file or directory");
  options.extra_yaml = "data: { graph: /x.gr }\n";
  expectRejected({}, "data: {", "data", " unknown key; expected one of: lanes, limits, shutdown, upstreams, headers, log, user, group, testapp");
}

TEST_F(PoolConfig, CheckConfigAcceptsAGoodFile) {
  std::filesystem::path file;
  std::string yaml;
  const auto result = check({"max_requests: 100", "max_private_memory: 64MiB", "nice: 10", "scheduler: batch"}, file, yaml);
  EXPECT_EQ(result.status.describe(), "exit 0") << result.err;
  EXPECT_NE(result.out.find("is ok"), std::string::npos) << result.out;
}

TEST_F(PoolConfig, NginxConfigWaitsLongerThanRequestTimeout) {
  options.request_timeout = "45s";
  options.queue_timeout = "5s";
  const auto file = dir.write("twinlane.yaml", renderConfig(options, dir.path()));
  const auto rendered = runToCompletion(
      {options.binary.string(), "nginx-config", "--config", file.string(), "--listen", "127.0.0.1:8080"}, dir.path(),
      "nginx-config", 30s);
  ASSERT_TRUE(rendered.status.success()) << rendered.err;

  for (const std::string route : {"/api/v1/route", "/api/v1/matrix"}) {
    const auto start = rendered.out.find("location = " + route + " {");
    ASSERT_NE(start, std::string::npos) << rendered.out;
    const std::string block = rendered.out.substr(start, rendered.out.find("\n    }", start) - start);
    const std::string directive = "fastcgi_read_timeout ";
    const auto at = block.find(directive);
    ASSERT_NE(at, std::string::npos) << block;
    const std::string value = block.substr(at + directive.size(), block.find(';', at) - at - directive.size());
    ASSERT_TRUE(value.ends_with("s") && !value.ends_with("ms")) << "expected seconds: " << value;
    EXPECT_GT(std::stol(value), 45) << "nginx would cut off a request the pool still allows: " << block;
  }
}

}  // namespace
}  // namespace twinlane::test
