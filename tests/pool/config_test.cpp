// SPDX-License-Identifier: Apache-2.0
// Config: defaults, units, and errors that name the file, line and key.
#include "pool/config.h"

#include <gtest/gtest.h>

namespace twinlane::pool {
namespace {

std::string errorFor(const std::string& yaml) {
  try {
    parseConfig(yaml, "test.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a ConfigError for:\n" << yaml;
  return {};
}

TEST(ConfigTest, EmptyFileGivesTheDocumentedDefaults) {
  const Config config = parseConfig("", "empty.yaml");
  EXPECT_TRUE(config.data.graph.empty());
  EXPECT_EQ(config.fast.listen.path, "/run/twinlane/fast.sock");
  EXPECT_EQ(config.fast.threads, 8u);
  EXPECT_EQ(config.slow.routes, (std::vector<std::string>{"route", "matrix"}));
  EXPECT_EQ(config.slow.queue_capacity, 64u);
  EXPECT_EQ(config.slow.queue_timeout, Millis(5000));
  EXPECT_EQ(config.slow.nice, 10);
  EXPECT_EQ(config.limits.max_body, 1u << 20);
  EXPECT_EQ(config.fast.socket.mode, 0660u);
  EXPECT_GE(config.slow.processes, 1u);
}

TEST(ConfigTest, ReadsTheDesignExample) {
  const Config config = parseConfig(R"(
data:
  graph: /var/lib/twinlane/graph.gr
  coordinates: /var/lib/twinlane/graph.co
lanes:
  fast:
    listen: 127.0.0.1:9001
    socket: { owner: www-data, group: www-data, mode: "0640" }
    processes: 2
    threads: 4
    routes: [health, graph, node, nearest, status, metrics]
  slow:
    listen: /run/twinlane/slow.sock
    processes: 3
    queue: { capacity: 16, timeout: 250ms }
    request_timeout: 2m
    max_requests: 10000
    max_requests_jitter: 1000
    max_private_memory: 256MiB
    nice: -5
    routes: [route, matrix]
limits: { max_body: 512KiB, matrix_max_cells: 400 }
shutdown: { graceful_timeout: 30s }
log: { level: debug }
user: twinlane
group: twinlane
)", "example.yaml");
  EXPECT_EQ(config.data.coordinates, "/var/lib/twinlane/graph.co");
  EXPECT_EQ(config.fast.listen.kind, fcgi::ListenAddress::Kind::kTcp);
  EXPECT_EQ(config.fast.socket.owner, "www-data");
  EXPECT_EQ(config.fast.socket.mode, 0640u);
  EXPECT_EQ(config.fast.processes, 2u);
  EXPECT_EQ(config.slow.queue_capacity, 16u);
  EXPECT_EQ(config.slow.queue_timeout, Millis(250));
  EXPECT_EQ(config.slow.request_timeout, Millis(120000));
  EXPECT_EQ(config.slow.max_private_memory, 256u << 20);
  EXPECT_EQ(config.slow.nice, -5);
  EXPECT_EQ(config.limits.max_body, 512u << 10);
  EXPECT_EQ(config.limits.matrix_max_cells, 400u);
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.user, "twinlane");
}

TEST(ConfigTest, UnknownKeyIsNamedWithItsLine) {
  EXPECT_EQ(errorFor("lanes:\n  slow:\n    proceses: 4\n"),
            "test.yaml:3: lanes.slow.proceses: unknown key; expected one of: listen, socket, processes, threads, "
            "routes, queue, request_timeout, max_requests, max_requests_jitter, max_private_memory, nice, scheduler");
  EXPECT_EQ(errorFor("log: { level: debug }\nlimts: {}\n").rfind("test.yaml:2: limts: unknown key", 0), 0u);
}

TEST(ConfigTest, DurationsAndSizesNeedUnits) {
  EXPECT_EQ(errorFor("lanes:\n  slow:\n    queue: { timeout: 5 }\n"),
            "test.yaml:3: lanes.slow.queue.timeout: '5' is not a duration like 250ms, 5s or 2m");
  EXPECT_EQ(errorFor("limits:\n  max_body: 1MB\n"),
            "test.yaml:2: limits.max_body: '1MB' is not a size like 512KiB or 1MiB");
  EXPECT_NE(errorFor("lanes: { slow: { request_timeout: 0ms } }").find("must be at least 1ms"), std::string::npos);
}

TEST(ConfigTest, WrongTypesAndImpossibleValues) {
  EXPECT_NE(errorFor("lanes: { slow: { processes: 0 } }").find("lanes.slow.processes: '0' is not 'auto' or a number"),
            std::string::npos);
  EXPECT_NE(errorFor("lanes: { slow: { processes: [1] } }").find("must be a single value"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { threads: -2 } }").find("lanes.fast.threads"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { slow: { nice: 20 } }").find("from -20 to 19"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { socket: { mode: \"0999\" } } }").find("octal mode"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { listen: fast.sock } }").find("lanes.fast.listen"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { routes: health } }").find("must be a list"), std::string::npos);
  EXPECT_NE(errorFor("lanes: 5").find("lanes: must be a mapping"), std::string::npos);
  EXPECT_NE(errorFor("log: { level: loud }").find("log.level: 'loud'"), std::string::npos);
  EXPECT_NE(errorFor("data: { coordinates: /x.co }").find("without data.graph"), std::string::npos);
}

TEST(ConfigTest, ConflictsBetweenLanes) {
  EXPECT_NE(errorFor("lanes: { fast: { listen: /tmp/a.sock }, slow: { listen: /tmp/a.sock } }").find("same address"),
            std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { routes: [health, route] } }").find("route 'route' is assigned to both lanes"),
            std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { routes: [health, health] } }").find("'health' is listed twice"),
            std::string::npos);
}

TEST(ConfigTest, SyntaxErrorsAndDuplicateKeysHaveLines) {
  EXPECT_EQ(errorFor("lanes:\n  fast: { threads: 2\n").rfind("test.yaml:", 0), 0u);
  EXPECT_NE(errorFor("lanes:\n  fast: {}\n  fast: {}\n").find("test.yaml:3: lanes.fast: appears twice"),
            std::string::npos);
}

TEST(ConfigTest, AFileThatCannotBeReadSaysWhy) {
  try {
    loadConfig("/nonexistent/twinlane.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "/nonexistent/twinlane.yaml: cannot read the config file: No such file or directory");
  }
}

TEST(ConfigTest, RoutesAreValidatedAgainstTheService) {
  const Config config = parseConfig("lanes: { fast: { routes: [health, helth] } }", "r.yaml");
  try {
    validateRoutes(config, {"health", "route", "matrix"});
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "r.yaml: lanes.fast.routes: unknown route 'helth'; known routes: health, route, matrix");
  }
}

TEST(ConfigTest, UnitParsers) {
  EXPECT_EQ(parseDuration("250ms"), Millis(250));
  EXPECT_EQ(parseDuration("2m"), Millis(120000));
  EXPECT_EQ(parseDuration("0"), Millis(0));
  EXPECT_FALSE(parseDuration("5"));
  EXPECT_FALSE(parseDuration("1.5s"));
  EXPECT_FALSE(parseDuration("s"));
  EXPECT_FALSE(parseDuration("-1s"));
  EXPECT_EQ(parseSize("1GiB"), 1ull << 30);
  EXPECT_EQ(parseSize("100B"), 100u);
  EXPECT_FALSE(parseSize("1 MiB"));
}

}  // namespace
}  // namespace twinlane::pool
