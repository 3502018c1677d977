// SPDX-License-Identifier: Apache-2.0
// Rendering the nginx upstreams and server block: see nginx_config.h.
#include "pool/nginx_config.h"

#include <algorithm>
#include <sstream>

#include "pool/status.h"

namespace twinlane::pool {
namespace {

// The FastCGI parameters the workers read. TWINLANE_QUEUED_AT is when nginx handed the request
// on, so a slow worker can tell how long it waited in the queue.
constexpr const char* kFastcgiParams = R"(    fastcgi_param REQUEST_METHOD    $request_method;
    fastcgi_param REQUEST_URI       $request_uri;
    fastcgi_param DOCUMENT_URI      $document_uri;
    fastcgi_param QUERY_STRING      $query_string;
    fastcgi_param CONTENT_TYPE      $content_type;
    fastcgi_param CONTENT_LENGTH    $content_length;
    fastcgi_param SERVER_PROTOCOL   $server_protocol;
    fastcgi_param REMOTE_ADDR       $remote_addr;
    fastcgi_param TWINLANE_QUEUED_AT $msec;
)";

struct NginxError {
  int status;
  const char* code;
  const char* message;
};

// Every status nginx can produce itself on these locations, as the API's JSON error shape, so a
// client never gets an HTML page (the application's own errors pass through untouched, since
// fastcgi_intercept_errors stays off). 494 is nginx's internal code for a request header or
// cookie too large (it would answer 400): the client gets 431, the standard status for it.
constexpr NginxError kNginxErrors[] = {
    {400, "bad_request", "nginx refused the request as malformed (request line, path or headers)"},
    {403, "forbidden", "this path is open to local clients only"},
    {404, "not_found", "no such path"},
    {405, "method_not_allowed", "this method is not allowed on this path"},
    {408, "request_timeout", "the request did not arrive in time"},
    {413, "payload_too_large", "the request body exceeds limits.max_body"},
    {414, "uri_too_long", "the request line is longer than the server accepts"},
    {494, "header_too_large", "a request header or the cookies are larger than the server accepts"},
    {500, "internal", "internal error in the web server; its error log has the details"},
    {502, "bad_gateway", "the worker serving this request failed or is unreachable; try again"},
    {503, "overloaded", "the service is overloaded; try again later"},
    {504, "timeout", "the worker did not answer in time"},
};

// The status a client sees for an error nginx produced.
int clientStatus(int status) { return status == 494 ? 431 : status; }

// Where nginx's error pages live: internal URIs rather than named locations, because a request
// whose request line nginx could not parse has no URI, and nginx cannot redirect such a request
// to a named location (it answers 500 and logs "empty URI in redirect to named location").
std::string errorPage(const NginxError& error) {
  const std::string status = std::to_string(clientStatus(error.status));
  std::ostringstream page;
  if (error.status != clientStatus(error.status)) page << '=' << status << ' ';
  page << "/.twinlane/error/" << status;
  return page.str();
}

std::string seconds(Millis duration) { return std::to_string((duration.count() + 999) / 1000) + "s"; }

std::string millis(Millis duration) { return std::to_string(duration.count()) + "ms"; }

const std::vector<fcgi::ListenAddress>& hostsOf(const Config& config, const LaneConfig& lane) {
  return config.upstreams.servers[laneIndex(lane.lane)];
}

// Hosts nginx tries for one request of `lane`: each once, or upstreams.tries.
std::size_t triesFor(const Config& config, const LaneConfig& lane) {
  const std::size_t hosts = hostsOf(config, lane).size();
  return config.upstreams.tries == 0 ? hosts : std::min<std::size_t>(config.upstreams.tries, hosts);
}

void writeServers(std::ostream& out, const Config& config, const LaneConfig& lane) {
  const auto& hosts = hostsOf(config, lane);
  if (hosts.empty()) {
    out << "    # max_fails=0: never mark the only server down after a full queue or a crash.\n"
        << "    server " << lane.listen.nginxForm() << " max_fails=0;\n";
    return;
  }
  // A slow request holds its worker for a long while: send the next one where fewest are open.
  if (lane.lane == Lane::kSlow) out << "    least_conn;\n";
  out << "    # A host that failed max_fails times (refused, reset, timed out) within fail_timeout\n"
      << "    # rests for fail_timeout; then nginx tries it again.\n";
  for (const auto& host : hosts) {
    out << "    server " << host.nginxForm() << " max_fails=" << config.upstreams.max_fails
        << " fail_timeout=" << seconds(config.upstreams.fail_timeout) << ";\n";
  }
}

// Idle connections nginx keeps to the lane. Across several hosts none by default: a kept
// connection to a host whose link was cut holds the next request sent on it until
// fastcgi_read_timeout, and the next host then finds it too old for its queue (503
// queue_timeout), where a new connection fails over after fastcgi_connect_timeout.
unsigned keptConnections(const Config& config, const LaneConfig& lane) {
  if (hostsOf(config, lane).size() >= 2 && !config.upstreams.keepalive) return 0;
  return lane.keepalive;
}

void writeUpstream(std::ostream& out, const Config& config, const LaneConfig& lane) {
  out << "upstream twinlane_" << lane.name() << " {\n";
  writeServers(out, config, lane);
  if (keptConnections(config, lane) > 0) {
    // The workers wait for a kept connection's next request in epoll, not in a thread, and
    // close one idle for 90 s: nginx closes its own sooner, so it never reuses a closing one.
    out << "    keepalive " << lane.keepalive << ";\n"
        << "    keepalive_timeout 60s;\n";
  } else if (lane.keepalive > 0) {
    out << "    # One connection carries one request: several hosts, upstreams.keepalive false.\n";
  } else {
    out << "    # One connection carries one request (lanes.L.keepalive: 0).\n";
  }
  out << "}\n\n";
}

// Passes the location's requests to `lane`, over kept connections where the lane keeps them.
void writePass(std::ostream& out, const Config& config, const LaneConfig& lane) {
  out << "        fastcgi_pass twinlane_" << lane.name() << ";\n";
  if (keptConnections(config, lane) > 0) out << "        fastcgi_keep_conn on;\n";
}

// Several hosts: a request that could not be handed to one host (refused, reset, no answer in
// time) goes to the next. Every route is read-only, so a POST may be retried too.
void writeRetries(std::ostream& out, const Config& config, const LaneConfig& lane) {
  if (hostsOf(config, lane).size() < 2) return;
  out << "        fastcgi_next_upstream error timeout non_idempotent;\n"
      << "        fastcgi_next_upstream_tries " << triesFor(config, lane) << ";\n";
}

void writeLocation(std::ostream& out, const Config& config, const fcgi::RouteSpec& route, const LaneConfig& lane) {
  out << "    location " << (route.prefix ? "^~ " : "= ") << route.path << " {\n";
  // A full backlog makes connect() fail at once (EAGAIN): that 502 means "overloaded".
  // A location's own error_page replaces every inherited one, so all of them are repeated.
  for (const auto& error : kNginxErrors) {
    // "=": the named location chooses the status (503 for a full queue, else 502).
    out << "        error_page " << error.status << ' ';
    if (error.status == 502 || error.status == 504) {
      out << "= @twinlane_" << lane.name() << "_" << error.status << ";\n";
    } else {
      out << errorPage(error) << ";\n";
    }
  }
  if (isPoolRouteName(route.name)) {  // the pool's status and metrics: loopback only
    out << "        allow 127.0.0.1;\n        allow ::1;\n        deny all;\n";
  }
  // nginx must wait longer than the pool would let the request queue and compute, so the
  // pool's own 503/504 answers reach the client rather than nginx's.
  const Millis read_timeout = lane.upstreamReadTimeout();
  writePass(out, config, lane);
  writeRetries(out, config, lane);
  out << "        fastcgi_read_timeout " << seconds(read_timeout) << ";\n"
      << "    }\n";
}

// Any other path under the service's prefix goes to the fast lane, whose router answers it
// with a JSON 404 that names the path. The prefix without its slash gets an exact location.
void writePrefixFallback(std::ostream& out, const Config& config, const std::string& prefix, const LaneConfig& fast) {
  if (prefix.empty() || prefix == "/") return;
  out << "    # Any other path under " << prefix << ": the fast lane answers it with a JSON 404.\n"
      << "    location " << prefix << " {\n";
  writePass(out, config, fast);
  out << "    }\n";
  if (prefix.back() != '/') return;
  out << "    location = " << prefix.substr(0, prefix.size() - 1) << " {\n";
  writePass(out, config, fast);
  out << "    }\n";
}

// The service's static files: nginx reads them itself (its workers need read access). The
// types are spelt out here because the site may be included where no mime.types is; every other
// path still falls through to `location /` and its JSON 404, and a missing file is a JSON 404
// too. no-cache: browsers revalidate (ETag), so an upgraded page is never mixed with an old script.
void writeStaticLocations(std::ostream& out, const std::string& root) {
  if (root.empty()) return;
  std::string directory = root;
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  const auto common = [&out] {
    out << "        types { text/html html; text/css css; text/javascript js; image/png png; image/svg+xml svg; }\n"
        << "        default_type application/octet-stream;\n"
        << "        charset utf-8;\n"
        << "        charset_types text/css text/javascript;\n"  // text/html always is one
        << "        add_header Cache-Control no-cache;\n";
  };
  out << "    # The service's web page (its static root): index.html at /, its other files under /web/.\n"
      << "    location = / {\n"
      << "        root \"" << directory << "\";\n"
      << "        try_files /index.html =404;\n";
  common();
  out << "    }\n"
      << "    location /web/ {\n"
      << "        alias \"" << directory << (directory == "/" ? "" : "/") << "\";\n";
  common();
  out << "    }\n";
}

const fcgi::RouteSpec* findRoute(const std::vector<fcgi::RouteSpec>& routes, const std::string& name) {
  for (const auto& route : routes) {
    if (route.name == name) return &route;
  }
  return nullptr;
}

}  // namespace

namespace {

// The most FastCGI parameter bytes nginx sends for a request that fits its header buffers: the
// URI three times (REQUEST_URI, DOCUMENT_URI, QUERY_STRING) and the Content-Type line once more
// (CONTENT_TYPE), each at most one large buffer; every header line again as an HTTP_ parameter,
// where a short line at most doubles ("X:\r\n", 4 bytes, is "HTTP_X" and two length bytes); and
// the fixed parameters above, within 1 KiB.
constexpr std::uint64_t kKiB = 1024;
std::uint64_t worstParams(HeaderBuffers buffers) {
  return 4 * buffers.size + 2 * (kKiB + buffers.number * buffers.size) + kKiB;
}

}  // namespace

HeaderBuffers headerBuffersFor(std::uint64_t max_params) {
  for (std::uint64_t size = 8 * kKiB; size >= kKiB; size -= kKiB) {
    for (std::uint64_t number = 4; number >= 1; --number) {
      if (worstParams({number, size}) <= max_params) return {number, size};
    }
  }
  return {1, kKiB};
}

std::uint64_t smallestMaxParams() { return worstParams({1, kKiB}); }

std::string renderNginxConfig(const Config& config, const std::vector<fcgi::RouteSpec>& routes, const NginxSite& site) {
  // Slow-lane locations first, as operators read the file: the expensive routes stand out.
  const LaneConfig* const kSlowThenFast[] = {&config.lane(Lane::kSlow), &config.lane(Lane::kFast)};
  std::ostringstream out;
  out << "# twinlane: generated by `twinlane nginx-config --config " << site.config_path << " --listen " << site.listen
      << " --server-name " << site.server_name << "`.\n"
      << "# Edit that YAML file and render again rather than editing this one.\n\n";
  for (const LaneConfig& lane : config.lanes) writeUpstream(out, config, lane);

  const HeaderBuffers buffers = headerBuffersFor(config.limits.max_params);
  out << "server {\n"
      << "    listen " << site.listen << ";\n"
      << "    server_name " << site.server_name << ";\n"
      << "    default_type application/json;\n"
      << "    client_max_body_size " << config.limits.max_body << ";\n"
      << "    # Request line and headers: as large as keeps nginx's FastCGI parameters within\n"
      << "    # limits.max_params (" << config.limits.max_params << "); larger ones get 414 or 431 here.\n"
      << "    client_header_buffer_size 1k;\n"
      << "    large_client_header_buffers " << buffers.number << " " << buffers.size / kKiB << "k;\n"
      << "    fastcgi_connect_timeout "
      << (config.upstreams.several() ? millis(config.upstreams.connect_timeout) : std::string("2s")) << ";\n\n"
      << kFastcgiParams << "\n";
  for (const auto& error : kNginxErrors) out << "    error_page " << error.status << " " << errorPage(error) << ";\n";
  out << "\n";

  for (const LaneConfig* lane : kSlowThenFast) {
    out << "    # " << lane->name() << " lane\n";
    for (const auto& name : lane->routes) {
      if (const fcgi::RouteSpec* route = findRoute(routes, name)) writeLocation(out, config, *route, *lane);
    }
  }
  // nginx answers a prefix location's path without its final slash with an HTML 301 to the
  // path with it; exact locations keep those paths in the API (the fast lane's JSON 404).
  writePrefixFallback(out, config, site.url_prefix, config.lane(Lane::kFast));
  for (const LaneConfig* lane : kSlowThenFast) {
    for (const auto& name : lane->routes) {
      const fcgi::RouteSpec* route = findRoute(routes, name);
      if (!route || !route->prefix || route->path.empty() || route->path.back() != '/') continue;
      out << "    location = " << route->path.substr(0, route->path.size() - 1) << " {\n";
      writePass(out, config, config.lane(Lane::kFast));
      out << "    }\n";
    }
  }
  writeStaticLocations(out, site.static_root);
  out
      << "    location / {\n"
      << "        return 404;\n"
      << "    }\n\n";
  // $upstream_connect_time is "-" for each host nginx could not connect to ("-, -" for two):
  // when no host took the connection, every queue (backlog) is full: 503 overloaded. A full
  // unix-socket backlog refuses at once (502); a full TCP one drops the SYN, so the connect
  // times out (504). With a connection made, a worker failed (502) or took too long (504).
  for (const LaneConfig* lane : kSlowThenFast) {
    for (const int status : {502, 504}) {
      out << "    location @twinlane_" << lane->name() << "_" << status << " {\n"
          << "        if ($upstream_connect_time ~ \"^[-, ]+$\") {\n"
          << "            add_header Retry-After 1 always;\n"
          << "            return 503 '{\"error\":{\"code\":\"overloaded\",\"message\":\"the " << lane->name()
          << " lane queue is full; retry later\"}}';\n"
          << "        }\n";
      if (status == 502) {
        out << "        return 502 '{\"error\":{\"code\":\"bad_gateway\",\"message\":\"the worker serving this request failed; try again\"}}';\n";
      } else {
        out << "        return 504 '{\"error\":{\"code\":\"timeout\",\"message\":\"the worker did not answer in time\"}}';\n";
      }
      out << "    }\n";
    }
  }
  for (const auto& error : kNginxErrors) {
    out << "    location = /.twinlane/error/" << clientStatus(error.status) << " {\n"
        << "        internal;\n"
        << "        return " << clientStatus(error.status) << " '{\"error\":{\"code\":\"" << error.code << "\",\"message\":\""
        << error.message << "\"}}';\n"
        << "    }\n";
  }
  out << "}\n";
  return out.str();
}

}  // namespace twinlane::pool
