// SPDX-License-Identifier: Apache-2.0
// Renders the nginx side of a twinlane deployment from the same YAML the master reads, so the
// sockets, the route-to-lane split and the timeouts cannot drift apart: two upstreams, one
// server block with a location per route, JSON bodies for errors nginx itself produces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fcgi/router.h"
#include "pool/config.h"

namespace twinlane::pool {

struct NginxSite {
  std::string listen = "127.0.0.1:8080";  // nginx's `listen` for the server block
  std::string server_name = "_";
  std::string config_path;                // named in the header comment
  std::string url_prefix = "/";           // the service's (ServiceSpec::url_prefix): any other path
                                          // under it gets the fast lane's JSON 404
  std::string static_root = {};           // ServiceConfig::staticRoot(): served at / and /web/; empty: none
};

// nginx's buffers for a request's line and headers (large_client_header_buffers NUMBER SIZE,
// with client_header_buffer_size 1k): the largest that keep what nginx then sends as FastCGI
// parameters within `max_params`, so a request over them gets nginx's 414 or 431 (JSON) rather
// than a connection the worker must close (502). nginx's own default (4 8k) from 128 KiB on.
struct HeaderBuffers {
  std::uint64_t number;
  std::uint64_t size;  // bytes, a multiple of 1 KiB
};
HeaderBuffers headerBuffersFor(std::uint64_t max_params);
// The smallest limits.max_params headerBuffersFor can keep to (one 1 KiB buffer).
std::uint64_t smallestMaxParams();

// `routes` are all routes the service and the pool offer; each lane gets those its config names.
std::string renderNginxConfig(const Config& config, const std::vector<fcgi::RouteSpec>& routes, const NginxSite& site);

}  // namespace twinlane::pool
