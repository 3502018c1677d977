// SPDX-License-Identifier: Apache-2.0
// nginx-config: the rendered site follows the YAML (sockets, lanes, timeouts).
#include "pool/nginx_config.h"

#include <gtest/gtest.h>

namespace twinlane::pool {
namespace {

const std::vector<fcgi::RouteSpec> kRoutes = {
    {"health", "/api/v1/health", false, {"GET"}}, {"node", "/api/v1/nodes/", true, {"GET"}},
    {"route", "/api/v1/route", false, {"GET"}},   {"matrix", "/api/v1/matrix", false, {"POST"}},
    {"status", "/status", false, {"GET"}},
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The service's routes, fast unless they search.
ServiceSpec exampleService() {
  ServiceSpec spec;
  for (const auto& route : kRoutes) {
    if (route.name == "status") continue;  // the pool's own
    spec.routes.push_back({route, route.name == "route" || route.name == "matrix" ? Lane::kSlow : Lane::kFast});
  }
  return spec;
}

Config parseConfig(const std::string& yaml, const std::string& source) {
  return pool::parseConfig(yaml, source, exampleService());
}

std::string configErrorOf(const std::string& yaml) {
  try {
    (void)parseConfig(yaml, "t.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(NginxConfigTest, RoutesEachPathToItsLane) {
  const Config config = parseConfig(R"(
lanes:
  fast: { listen: /tmp/t/fast.sock, routes: [health, node, status], keepalive: 0 }
  slow: { listen: 127.0.0.1:9002, routes: [route, matrix], request_timeout: 20s, queue: { timeout: 3s } }
limits: { max_body: 64KiB }
)", "t.yaml");
  const std::string site = renderNginxConfig(config, kRoutes, {"127.0.0.1:8081", "_", "t.yaml", "/api/v1/"});

  EXPECT_TRUE(contains(site, "upstream twinlane_fast {\n")) << site;
  EXPECT_TRUE(contains(site, "server unix:/tmp/t/fast.sock max_fails=0;"));
  EXPECT_TRUE(contains(site, "server 127.0.0.1:9002 max_fails=0;"));
  EXPECT_TRUE(contains(site, "listen 127.0.0.1:8081;"));
  // A location's own error_page replaces the server's: each lists every status nginx can make.
  EXPECT_TRUE(contains(site, "location = /api/v1/route {\n        error_page 400 /.twinlane/error/400;\n"
                             "        error_page 403 /.twinlane/error/403;\n"
                             "        error_page 404 /.twinlane/error/404;\n"
                             "        error_page 405 /.twinlane/error/405;\n"
                             "        error_page 408 /.twinlane/error/408;\n"
                             "        error_page 413 /.twinlane/error/413;\n"
                             "        error_page 414 /.twinlane/error/414;\n"
                             "        error_page 494 =431 /.twinlane/error/431;\n"
                             "        error_page 500 /.twinlane/error/500;\n"
                             "        error_page 502 = @twinlane_slow_502;\n"
                             "        error_page 503 /.twinlane/error/503;\n"
                             "        error_page 504 = @twinlane_slow_504;\n"
                             "        fastcgi_pass twinlane_slow;\n"
                             "        fastcgi_read_timeout 28s;"))
      << site;
  EXPECT_TRUE(contains(site, "location ^~ /api/v1/nodes/ {"));
  // Without the final slash: a JSON 404 from the fast lane, not nginx's HTML 301.
  EXPECT_TRUE(contains(site, "location = /api/v1/nodes {\n        fastcgi_pass twinlane_fast;\n    }"));
  EXPECT_TRUE(contains(site, "location = /api/v1 {\n        fastcgi_pass twinlane_fast;\n    }"));
  EXPECT_TRUE(contains(site, "error_page 502 = @twinlane_fast_502;\n"
                             "        error_page 503 /.twinlane/error/503;\n"
                             "        error_page 504 = @twinlane_fast_504;\n"
                             "        allow 127.0.0.1;\n        allow ::1;\n        deny all;\n"
                             "        fastcgi_pass twinlane_fast;"));
  // nginx's 494 (header too large) reaches the client as 431, in the API's error shape.
  EXPECT_TRUE(contains(site, "error_page 494 =431 /.twinlane/error/431;"));
  EXPECT_TRUE(contains(site, "location = /.twinlane/error/431 {\n        internal;\n"
                             "        return 431 '{\"error\":{\"code\":\"header_too_large\""));
  EXPECT_TRUE(contains(site, "location / {\n        return 404;\n    }"));
  // A full queue (no connection made) is 503 overloaded with Retry-After; a failed worker 502,
  // a worker too slow 504. A full TCP backlog drops the SYN: the connect times out (504).
  for (const char* status : {"502", "504"}) {
    EXPECT_TRUE(contains(site, std::string("location @twinlane_slow_") + status +
                                   " {\n        if ($upstream_connect_time ~ \"^[-, ]+$\") {\n"
                                   "            add_header Retry-After 1 always;\n            return 503 "))
        << status;
  }
  EXPECT_TRUE(contains(site, "        }\n        return 504 '{\"error\":{\"code\":\"timeout\""));
  // One host per lane: no retries elsewhere, nginx's usual connect timeout.
  EXPECT_FALSE(contains(site, "fastcgi_next_upstream"));
  EXPECT_TRUE(contains(site, "fastcgi_connect_timeout 2s;"));
  EXPECT_TRUE(contains(site, "fastcgi_param TWINLANE_QUEUED_AT $msec;"));
  EXPECT_TRUE(contains(site, "client_max_body_size 65536;"));
  EXPECT_TRUE(contains(site, "error_page 502 /.twinlane/error/502;"));
  EXPECT_FALSE(contains(site, "keepalive "));
  EXPECT_FALSE(contains(site, "location = /metrics")) << "metrics is on neither lane here";
}

// nginx's header buffers follow limits.max_params: nginx's default (4 8k) at the default of
// 128 KiB; smaller budgets first lose buffers, then buffer size; what nginx can send in the
// worst case (the URI thrice, short header lines doubled) always fits.
TEST(NginxConfigTest, HeaderBuffersKeepWhatNginxSendsWithinMaxParams) {
  const Config defaults = parseConfig("lanes: { fast: { listen: /tmp/f.sock }, slow: { listen: /tmp/s.sock } }\n", "t.yaml");
  EXPECT_EQ(defaults.limits.max_params, 128u << 10);
  const std::string site = renderNginxConfig(defaults, kRoutes, NginxSite{});
  EXPECT_TRUE(contains(site, "client_header_buffer_size 1k;\n    large_client_header_buffers 4 8k;")) << site;

  const Config small = parseConfig(
      "lanes: { fast: { listen: /tmp/f.sock }, slow: { listen: /tmp/s.sock } }\nlimits: { max_params: 16KiB }\n", "t.yaml");
  EXPECT_TRUE(contains(renderNginxConfig(small, kRoutes, NginxSite{}), "large_client_header_buffers 1 2k;"));

  for (const std::uint64_t max_params : {smallestMaxParams(), std::uint64_t{16} << 10, std::uint64_t{64} << 10,
                                         std::uint64_t{100} << 10, std::uint64_t{512} << 10}) {
    const HeaderBuffers buffers = headerBuffersFor(max_params);
    SCOPED_TRACE(max_params);
    EXPECT_GE(buffers.number, 1u);
    EXPECT_GE(buffers.size, 1024u);
    EXPECT_EQ(buffers.size % 1024, 0u);
    // The URI thrice and the Content-Type once, each a whole buffer; every header byte doubled.
    EXPECT_LE(4 * buffers.size + 2 * (1024 + buffers.number * buffers.size) + 1024, max_params);
  }
  EXPECT_NE(configErrorOf("lanes: { fast: { listen: /tmp/f.sock }, slow: { listen: /tmp/s.sock } }\n"
                          "limits: { max_params: 8KiB }\n").find("max_params"), std::string::npos);
}

// lanes.fast.keepalive: nginx keeps that many idle connections to the fast lane and asks the
// workers to keep each connection (fastcgi_keep_conn) on every location passing to it; the slow
// lane's locations, without keepalive, do not.
TEST(NginxConfigTest, KeepaliveKeepsConnectionsToItsLaneOnly) {
  const Config config = parseConfig(R"(
lanes:
  fast: { listen: /tmp/t/fast.sock, routes: [health, node, status], keepalive: 16 }
  slow: { listen: /tmp/t/slow.sock, routes: [route, matrix] }
)", "t.yaml");
  const std::string site = renderNginxConfig(config, kRoutes, {"127.0.0.1:8081", "_", "t.yaml", "/api/v1/"});

  EXPECT_TRUE(contains(site, "upstream twinlane_fast {\n    # max_fails=0: never mark the only server down after a full queue or a crash.\n"
                             "    server unix:/tmp/t/fast.sock max_fails=0;\n    keepalive 16;\n    keepalive_timeout 60s;\n}"))
      << site;
  EXPECT_TRUE(contains(site, "server unix:/tmp/t/slow.sock max_fails=0;\n    # One connection carries one request"));
  EXPECT_TRUE(contains(site, "fastcgi_pass twinlane_fast;\n        fastcgi_keep_conn on;\n        fastcgi_read_timeout"));
  EXPECT_TRUE(contains(site, "location = /api/v1/nodes {\n        fastcgi_pass twinlane_fast;\n        fastcgi_keep_conn on;\n    }"));
  EXPECT_TRUE(contains(site, "location /api/v1/ {\n        fastcgi_pass twinlane_fast;\n        fastcgi_keep_conn on;\n    }"));
  EXPECT_TRUE(contains(site, "fastcgi_pass twinlane_slow;\n        fastcgi_read_timeout"));
  EXPECT_FALSE(contains(site, "fastcgi_pass twinlane_slow;\n        fastcgi_keep_conn"));
}

// upstreams: several hosts per lane. The slow lane balances by open connections; each host rests
// after failing; a request that could not be handed to a host goes to the next, POSTs too
// (nothing twinlane answers changes state), at most `tries` hosts; the connect timeout bounds
// how long a host that vanished (link down) costs.
TEST(NginxConfigTest, UpstreamsSpreadEachLaneOverItsHosts) {
  const Config config = parseConfig(R"(
lanes:
  fast: { listen: "10.1.0.2:9001", routes: [health, node, status], keepalive: 8 }
  slow: { listen: "10.1.0.2:9002", routes: [route, matrix] }
upstreams:
  fast: ["10.1.0.2:9001", "10.1.0.3:9001"]
  slow: ["10.1.0.2:9002", "10.1.0.3:9002", "[fd00::4]:9002"]
  max_fails: 2
  fail_timeout: 5s
  tries: 2
  connect_timeout: 300ms
)", "t.yaml");
  const std::string site = renderNginxConfig(config, kRoutes, {"127.0.0.1:8081", "_", "t.yaml", "/api/v1/"});
  EXPECT_TRUE(contains(site, "upstream twinlane_slow {\n    least_conn;\n")) << site;
  EXPECT_TRUE(contains(site, "    server 10.1.0.2:9002 max_fails=2 fail_timeout=5s;\n"
                             "    server 10.1.0.3:9002 max_fails=2 fail_timeout=5s;\n"
                             "    server [fd00::4]:9002 max_fails=2 fail_timeout=5s;\n"));
  EXPECT_TRUE(contains(site, "upstream twinlane_fast {\n    # A host"));
  // No kept connections across hosts: one to a host whose link is cut would hold a request
  // until the read timeout.
  EXPECT_TRUE(contains(site, "    server 10.1.0.3:9001 max_fails=2 fail_timeout=5s;\n    # One connection carries one request: several hosts"));
  EXPECT_FALSE(contains(site, "fastcgi_keep_conn on;"));
  EXPECT_FALSE(contains(site, "max_fails=0"));
  EXPECT_TRUE(contains(site, "fastcgi_pass twinlane_slow;\n        fastcgi_next_upstream error timeout non_idempotent;\n"
                             "        fastcgi_next_upstream_tries 2;\n        fastcgi_read_timeout"));
  EXPECT_TRUE(contains(site, "fastcgi_pass twinlane_fast;\n        fastcgi_next_upstream error timeout non_idempotent;\n"
                             "        fastcgi_next_upstream_tries 2;\n"));
  const Config kept = parseConfig(R"(
lanes: { fast: { keepalive: 8 } }
upstreams: { fast: ["10.1.0.2:9001", "10.1.0.3:9001"], keepalive: true }
)", "t.yaml");
  const std::string kept_site = renderNginxConfig(kept, kRoutes, {"127.0.0.1:8081", "_", "t.yaml", "/api/v1/"});
  EXPECT_TRUE(contains(kept_site, "    server 10.1.0.3:9001 max_fails=1 fail_timeout=10s;\n    keepalive 8;")) << kept_site;
  EXPECT_TRUE(contains(kept_site, "fastcgi_keep_conn on;"));
  EXPECT_TRUE(contains(site, "fastcgi_connect_timeout 300ms;"));
}

TEST(NginxConfigTest, UpstreamsWithABadAddressAreAConfigError) {
  try {
    parseConfig("upstreams:\n  slow: [\"10.1.0.2:9002\", \"backend:x\"]\n", "t.yaml");
    FAIL() << "a bad upstream address was taken";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("t.yaml:2: upstreams.slow: 'backend:x'"), std::string::npos) << error.what();
  }
  EXPECT_THROW(parseConfig("upstreams: { connect_timeout: 2m }\n", "t.yaml"), ConfigError);
  EXPECT_THROW(parseConfig("upstreams: { tries: 17 }\n", "t.yaml"), ConfigError);
  EXPECT_THROW(parseConfig("upstreams: { hosts: [a] }\n", "t.yaml"), ConfigError);
}

TEST(NginxConfigTest, OtherPathsUnderTheServicePrefixGoToTheFastLane) {
  ServiceSpec spec;
  spec.routes = {{{"count", "/wordfreq/v1/count", false, {"GET"}}, Lane::kFast},
                 {{"similar", "/wordfreq/v1/similar", false, {"GET"}}, Lane::kSlow}};
  const Config config = pool::parseConfig("", "t.yaml", spec);
  std::vector<fcgi::RouteSpec> routes;
  for (const auto& route : allRoutes(spec)) routes.push_back(route.route);
  const std::string site = renderNginxConfig(config, routes, {"127.0.0.1:8081", "_", "t.yaml", "/wordfreq/v1/"});

  EXPECT_TRUE(contains(site, "location = /wordfreq/v1/similar {")) << site;
  // The fast lane keeps its connections by default.
  EXPECT_TRUE(contains(site, "location /wordfreq/v1/ {\n        fastcgi_pass twinlane_fast;\n        fastcgi_keep_conn on;\n    }"));
  EXPECT_TRUE(contains(site, "location = /wordfreq/v1 {\n        fastcgi_pass twinlane_fast;\n        fastcgi_keep_conn on;\n    }"));
  EXPECT_TRUE(contains(site, "    keepalive 256;\n"));
  EXPECT_FALSE(contains(site, "/api/v1")) << "the pool names no service's paths";
  // The pool's own routes are on the fast lane by default.
  EXPECT_TRUE(contains(site, "location = /status {")) << site;
}

TEST(NginxConfigTest, AServiceStaticRootIsServedAtTheRootAndUnderWebBeforeTheJson404) {
  const Config config = parseConfig("", "t.yaml");
  const std::string none = renderNginxConfig(config, kRoutes, {"127.0.0.1:8081", "_", "t.yaml", "/api/v1/"});
  EXPECT_FALSE(contains(none, "location = / {")) << none;
  EXPECT_FALSE(contains(none, "location /web/")) << none;

  const std::string site =
      renderNginxConfig(config, kRoutes, {"127.0.0.1:8081", "_", "t.yaml", "/api/v1/", "/usr/share/svc/web/"});
  EXPECT_TRUE(contains(site, "    location = / {\n        root \"/usr/share/svc/web\";\n"
                             "        try_files /index.html =404;\n"
                             "        types { text/html html; text/css css; text/javascript js;"))
      << site;
  EXPECT_TRUE(contains(site, "    location /web/ {\n        alias \"/usr/share/svc/web/\";\n")) << site;
  EXPECT_TRUE(contains(site, "add_header Cache-Control no-cache;"));
  // Everything else keeps the JSON 404.
  EXPECT_LT(site.find("location /web/"), site.find("    location / {\n        return 404;\n    }"));
}

}  // namespace
}  // namespace twinlane::pool
