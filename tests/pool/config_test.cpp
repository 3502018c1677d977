// SPDX-License-Identifier: Apache-2.0
// Config: defaults, units, and errors that name the file, line and key.
#include "pool/config.h"

#include <gtest/gtest.h>

namespace twinlane::pool {
namespace {

// What a service read: its own section (example: { file: F }) and a key it adds to limits.
struct ExampleConfig : ServiceConfig {
  std::string file;
  std::uint64_t max_items = 100;
  std::unique_ptr<fcgi::Service> load() const override { return nullptr; }
};

ServiceSpec exampleService() {
  ServiceSpec spec;
  spec.name = "example";
  spec.url_prefix = "/api/v1/";
  spec.routes = {{{"health", "/api/v1/health", false, {"GET"}}, Lane::kFast},
                 {{"node", "/api/v1/nodes/", true, {"GET"}}, Lane::kFast},
                 {{"route", "/api/v1/route", false, {"GET"}}, Lane::kSlow},
                 {{"matrix", "/api/v1/matrix", false, {"POST"}}, Lane::kSlow}};
  spec.configure = [](ConfigSection& top) {
    auto config = std::make_unique<ExampleConfig>();
    config->file = top.section("example").string("file");
    config->max_items = top.section("limits").integer("max_items", config->max_items, 1, 1000);
    return config;
  };
  return spec;
}

Config parseConfig(const std::string& yaml, const std::string& source) {
  return pool::parseConfig(yaml, source, exampleService());
}

const ExampleConfig& serviceConfig(const Config& config) {
  return dynamic_cast<const ExampleConfig&>(*config.service);
}

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
  EXPECT_TRUE(serviceConfig(config).file.empty());
  // Sockets default to the program's own directory, /run/NAME/.
  EXPECT_EQ(config.lane(Lane::kFast).listen.path, "/run/example/fast.sock");
  EXPECT_EQ(config.lane(Lane::kSlow).listen.path, "/run/example/slow.sock");
  EXPECT_EQ(config.lane(Lane::kFast).threads, 8u);
  // Each lane serves, by default, the routes that declare it, and the fast lane the pool's own.
  EXPECT_EQ(config.lane(Lane::kSlow).routes, (std::vector<std::string>{"route", "matrix"}));
  EXPECT_EQ(config.lane(Lane::kFast).routes, (std::vector<std::string>{"health", "node", "status", "metrics"}));
  EXPECT_EQ(config.lane(Lane::kSlow).queue_capacity, 64u);
  EXPECT_EQ(config.lane(Lane::kFast).queue_capacity, 1024u);
  EXPECT_EQ(config.lane(Lane::kFast).keepalive, 256u);
  EXPECT_EQ(config.lane(Lane::kSlow).keepalive, 0u);
  EXPECT_EQ(config.lane(Lane::kSlow).queue_timeout, Millis(5000));
  EXPECT_EQ(config.lane(Lane::kSlow).nice, 10);
  EXPECT_EQ(config.lane(Lane::kFast).cpu_weight, 1000u);  // 10:1, where the cgroup is delegated
  EXPECT_EQ(config.lane(Lane::kSlow).cpu_weight, 100u);
  EXPECT_EQ(config.lane(Lane::kSlow).cpu_max, 0.0);
  EXPECT_EQ(config.limits.max_body, 1u << 20);
  EXPECT_TRUE(config.host_header);
  EXPECT_FALSE(config.upstreams.several());
  EXPECT_EQ(config.lane(Lane::kFast).socket.mode, 0660u);
  EXPECT_GE(config.lane(Lane::kSlow).processes, 1u);
}

TEST(ConfigTest, ReadsTheDesignExample) {
  const Config config = parseConfig(R"(
example:
  file: /var/lib/example/data.txt
lanes:
  fast:
    listen: 127.0.0.1:9001
    allow: [10.0.0.0/8, "fd00::/8"]
    socket: { owner: www-data, group: www-data, mode: "0640" }
    processes: 2
    threads: 4
    keepalive: 32
    cpu: { slice: 100us, weight: 2000 }
    routes: [health, node, status, metrics]
  slow:
    listen: /run/twinlane/slow.sock
    processes: 3
    queue: { capacity: 16, timeout: 250ms }
    request_timeout: 2m
    max_requests: 10000
    max_requests_jitter: 1000
    max_private_memory: 256MiB
    nice: -5
    cpu: { weight: 10, max: 1.5 }
    routes: [route, matrix]
limits: { max_body: 512KiB, max_items: 400 }
shutdown: { graceful_timeout: 30s }
log: { level: debug }
user: twinlane
group: twinlane
)", "example.yaml");
  EXPECT_EQ(serviceConfig(config).file, "/var/lib/example/data.txt");
  EXPECT_EQ(config.lane(Lane::kFast).listen.kind, fcgi::ListenAddress::Kind::kTcp);
  EXPECT_EQ(config.lane(Lane::kFast).socket.owner, "www-data");
  EXPECT_EQ(config.lane(Lane::kFast).socket.mode, 0640u);
  EXPECT_EQ(config.lane(Lane::kFast).processes, 2u);
  EXPECT_EQ(config.lane(Lane::kFast).keepalive, 32u);
  EXPECT_EQ(config.lane(Lane::kFast).allow.entries(), (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
  EXPECT_EQ(config.lane(Lane::kSlow).allow.entries(), (std::vector<std::string>{"127.0.0.0/8", "::1"}));
  EXPECT_EQ(config.lane(Lane::kFast).cpu_slice, Micros(100));
  EXPECT_EQ(config.lane(Lane::kSlow).cpu_slice, Micros(0));
  EXPECT_EQ(config.lane(Lane::kFast).cpu_weight, 2000u);
  EXPECT_EQ(config.lane(Lane::kFast).cpu_max, 0.0);
  EXPECT_EQ(config.lane(Lane::kSlow).cpu_weight, 10u);
  EXPECT_EQ(config.lane(Lane::kSlow).cpu_max, 1.5);
  EXPECT_EQ(config.lane(Lane::kSlow).keepalive, 0u);
  EXPECT_EQ(config.lane(Lane::kSlow).queue_capacity, 16u);
  EXPECT_EQ(config.lane(Lane::kSlow).queue_timeout, Millis(250));
  EXPECT_EQ(config.lane(Lane::kSlow).request_timeout, Millis(120000));
  EXPECT_EQ(config.lane(Lane::kSlow).max_private_memory, 256u << 20);
  EXPECT_EQ(config.lane(Lane::kSlow).nice, -5);
  EXPECT_EQ(config.limits.max_body, 512u << 10);
  EXPECT_EQ(serviceConfig(config).max_items, 400u);
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.user, "twinlane");
}

TEST(ConfigTest, UnknownKeyIsNamedWithItsLine) {
  EXPECT_EQ(errorFor("lanes:\n  slow:\n    proceses: 4\n"),
            "test.yaml:3: lanes.slow.proceses: unknown key; expected one of: listen, socket, allow, processes, threads, "
            "routes, queue, request_timeout, max_requests, max_requests_jitter, max_private_memory, nice, scheduler, keepalive, cpu");
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
  EXPECT_NE(errorFor("lanes: { fast: { keepalive: 1025 } }").find("lanes.fast.keepalive"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { keepalive: -1 } }").find("lanes.fast.keepalive"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { cpu: { slice: 50us } } }").find("lanes.fast.cpu.slice: must be 0"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { cpu: { slice: 1s } } }").find("like 100us or 3ms"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { cpu: { slice: 200ms } } }").find("to 100000us"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { allow: [10.0.0.0/40] } }").find("lanes.fast.allow: '10.0.0.0/40': the prefix"),
            std::string::npos);
  EXPECT_NE(errorFor("lanes: { slow: { allow: [backend1] } }").find("lanes.slow.allow: 'backend1' is not an IPv4"),
            std::string::npos);
  EXPECT_NE(errorFor("headers: { host: no }").find("headers.host: 'no' is not one of"), std::string::npos);
  EXPECT_FALSE(parseConfig("headers: { host: false }", "t.yaml").host_header);
  EXPECT_NE(errorFor("lanes: { fast: { cpu: { weight: 0 } } }").find("lanes.fast.cpu.weight"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { slow: { cpu: { weight: 10001 } } }").find("lanes.slow.cpu.weight"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { slow: { cpu: { max: 50% } } }").find("lanes.slow.cpu.max: '50%' is not a number of CPUs"),
            std::string::npos);
  EXPECT_NE(errorFor("lanes: { slow: { cpu: { max: 0.001 } } }").find("from 0.01 to 4096 CPUs"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { slow: { cpu: { max: -1 } } }").find("lanes.slow.cpu.max"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { socket: { mode: \"0999\" } } }").find("octal mode"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { listen: fast.sock } }").find("lanes.fast.listen"), std::string::npos);
  EXPECT_NE(errorFor("lanes: { fast: { routes: health } }").find("must be a list"), std::string::npos);
  EXPECT_NE(errorFor("lanes: 5").find("lanes: must be a mapping"), std::string::npos);
  EXPECT_NE(errorFor("log: { level: loud }").find("log.level: 'loud'"), std::string::npos);
}

TEST(ConfigTest, ConflictsBetweenLanes) {
  EXPECT_NE(errorFor("lanes: { fast: { listen: /tmp/a.sock }, slow: { listen: /tmp/a.sock } }").find("same address"),
            std::string::npos);
  EXPECT_EQ(errorFor("lanes:\n  fast: { routes: [health, route] }\n"),
            "test.yaml:2: lanes.fast.routes: route 'route' is assigned to both lanes");
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
    loadConfig("/nonexistent/twinlane.yaml", exampleService());
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()),
              "/nonexistent/twinlane.yaml: cannot read the config file: No such file or directory");
  }
}

TEST(ConfigTest, RoutesAreValidatedAgainstTheService) {
  EXPECT_EQ(errorFor("lanes:\n  fast: { routes: [health, helth] }\n"),
            "test.yaml:2: lanes.fast.routes: unknown route 'helth'; known routes: health, node, route, matrix, status, "
            "metrics");
}

TEST(ConfigTest, TheServiceReadsItsOwnKeysWithTheSameErrors) {
  // Its own section: an unknown key there is named with what the service reads.
  EXPECT_EQ(errorFor("example:\n  fiel: /x\n"), "test.yaml:2: example.fiel: unknown key; expected one of: file");
  // A key it adds to a section the pool shares with it.
  EXPECT_EQ(errorFor("limits:\n  max_items: 0\n"),
            "test.yaml:2: limits.max_items: '0' is not a whole number from 1 to 1000");
  EXPECT_NE(errorFor("limits: { max_itmes: 5 }").find("expected one of: max_body, max_params, max_items"),
            std::string::npos);
  // Without the service, its keys are unknown to the pool.
  try {
    pool::parseConfig("example: { file: /x }\n", "bare.yaml", ServiceSpec{});
    FAIL() << "the pool accepted a key no one reads";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("bare.yaml:1: example: unknown key; expected one of: lanes, limits", 0), 0u)
        << error.what();
  }
}

TEST(ConfigTest, AMisspeltKeyIsNamedBeforeTheServiceComplainsOfWhatIsMissing) {
  ServiceSpec spec = exampleService();
  spec.configure = [](ConfigSection& top) -> std::unique_ptr<ServiceConfig> {
    ConfigSection example = top.section("example");
    if (example.string("file").empty()) throw example.error("file", "is required");
    return std::make_unique<ExampleConfig>();
  };
  try {
    pool::parseConfig("example:\n  fiel: /x\n", "t.yaml", spec);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()), "t.yaml:2: example.fiel: unknown key; expected one of: file");
  }
}

TEST(ConfigTest, ASectionThatIsNotAMappingCanBeReadAsAValueInstead) {
  // A service accepting `data: FILE` as well as `data: { file: FILE }`.
  ConfigSection top = ConfigSection::parseDocument("data: /x.txt\n", "t.yaml");
  EXPECT_THROW(top.section("data"), ConfigError);
  EXPECT_EQ(top.string("data"), "/x.txt");
  EXPECT_NO_THROW(top.rejectUnknown());
}

TEST(ServiceSpecTest, MistakesInAServicesCodeAreNamed) {
  const auto problem = [](const std::function<void(ServiceSpec&)>& change) {
    ServiceSpec spec = exampleService();
    change(spec);
    try {
      checkServiceSpec(spec);
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(problem([](ServiceSpec&) {}), "accepted");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.routes.push_back({{"status", "/api/v1/status", false, {"GET"}}, Lane::kFast}); }),
            "route 'status': the name is the pool's own route");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.routes.push_back(s.routes.front()); }), "route 'health' is declared twice");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.routes.push_back({{"other", "/other", false, {"GET"}}, Lane::kFast}); }),
            "route 'other': path '/other' is not under the URL prefix '/api/v1/'");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.routes.push_back({{"all", "/api/v1/", true, {"GET"}}, Lane::kFast}); }),
            "route 'all': a prefix route cannot be the URL prefix itself");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.url_prefix = "/api/v1"; }),
            "url_prefix '/api/v1' must start and end with '/', like /api/v1/");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.name = "my service"; }),
            "name 'my service' must be letters, digits, '.', '_' or '-'");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.configure = nullptr; }), "no configure function");
  EXPECT_EQ(problem([](ServiceSpec& s) { s.routes.clear(); }), "no routes");
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
