// SPDX-License-Identifier: Apache-2.0
// The YAML config, read by the code the master runs at start and on every reload (parseConfig
// with the road graph's ServiceSpec), and the nginx site `twinlane nginx-config` renders from a
// config that passed. A bad config must be a ConfigError ("FILE:LINE: KEY: problem"), the one
// error the master and --check-config report as such; any other exception is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "finding.h"
#include "graph_service_spec.h"
#include "pool/config.h"
#include "pool/nginx_config.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const twinlane::pool::ServiceSpec spec = twinlane::app::graphServiceSpec();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto refusal = twinlane::fuzz::refusalOf<twinlane::pool::ConfigError>("a config", [&] {
    const twinlane::pool::Config config = twinlane::pool::parseConfig(text, "fuzz.yaml", spec);
    std::vector<twinlane::fcgi::RouteSpec> routes;
    for (const auto& route : config.routes) routes.push_back(route.route);
    twinlane::pool::NginxSite site;
    site.config_path = "fuzz.yaml";
    site.url_prefix = spec.url_prefix;
    (void)twinlane::pool::renderNginxConfig(config, routes, site);
  });
  if (refusal && !refusal->starts_with("fuzz.yaml")) {
    twinlane::fuzz::finding("a config error that does not name the file: " + *refusal);
  }
  return 0;
}
