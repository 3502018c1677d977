// SPDX-License-Identifier: Apache-2.0
// The road-graph service as the pool serves it (pool/service_spec.h). This file is the wiring:
// which routes are expensive enough for the slow lane, the URL prefix, and the service's config
// keys:
//   data: { graph: FILE, coordinates: FILE }   a snapshot, or DIMACS .gr (plain or gzip) and
//                                              an optional .co; no graph: the generated default
//   data: { hierarchy: auto | off }            auto: the snapshot's contraction hierarchy, or
//                                              one built at load; off: none (bidirectional A*)
//   web: { root: DIR }                         the map page's files, which nginx serves at /;
//                                              default: installed, or this source tree's web/
//   limits: { matrix_max_cells: N,             the largest sources x targets of one matrix
//             segments_max: N }                the most segments one /segments answer draws
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "graph_service_spec.h"
#include "handlers/graph_service.h"
#include "handlers/web_root.h"

namespace twinlane::app {
namespace {

class GraphConfig : public pool::ServiceConfig {
 public:
  // `web_root` is empty when the file does not name one (the default then applies).
  GraphConfig(GraphServiceOptions options, pool::ConfigSection data, pool::ConfigSection web, std::string web_root)
      : options_(std::move(options)), data_(data), web_(web), web_root_(std::move(web_root)) {}

  void check() const override {
    // Only a root the file names is checked: the default may be rendered into nginx's site
    // before the package that installs it (the package build does exactly that).
    if (!web_root_.empty()) {
      if (const std::string why = whyNotWebRoot(web_root_); !why.empty()) throw web_.error("root", why);
    }
    for (const auto& [key, file] : {std::pair{"graph", options_.graph_path}, {"coordinates", options_.coordinates_path}}) {
      if (file.empty() || ::access(file.c_str(), R_OK) == 0) continue;
      const std::string reason = std::strerror(errno);
      throw data_.error(key, "cannot read " + file + ": " + reason);
    }
    if (options_.graph_path.empty()) return;
    // The first bytes say whether the file can be served at all; the full check is the load.
    const GraphFileHead head = sniffGraphFile(options_.graph_path);
    if (const std::string why = whyNotServable(options_.graph_path, head); !why.empty()) {
      throw data_.error("graph", options_.graph_path + ": " + why);
    }
    if (head.format == GraphFileFormat::kSnapshot && !options_.coordinates_path.empty()) {
      throw data_.error("coordinates", "a snapshot holds its own coordinates; remove data.coordinates");
    }
  }

  std::unique_ptr<fcgi::Service> load() const override { return GraphService::load(options_); }
  std::string staticRoot() const override { return web_root_.empty() ? defaultWebRoot() : web_root_; }

 private:
  GraphServiceOptions options_;
  pool::ConfigSection data_;  // for errors at the line of the key
  pool::ConfigSection web_;
  std::string web_root_;
};

std::unique_ptr<pool::ServiceConfig> readGraphConfig(pool::ConfigSection& top) {
  pool::ConfigSection data = top.section("data");
  GraphServiceOptions options;
  options.graph_path = data.string("graph");
  options.coordinates_path = data.string("coordinates");
  if (options.graph_path.empty() && !options.coordinates_path.empty()) {
    throw data.error("coordinates", "given without data.graph");
  }
  const std::string hierarchy = data.string("hierarchy", "auto");
  if (hierarchy != "auto" && hierarchy != "off") throw data.error("hierarchy", "expected auto or off, got '" + hierarchy + "'");
  options.use_hierarchy = hierarchy == "auto";
  // systemd's CacheDirectory= (a colon-separated list when a unit names several): where the
  // generated default graph's snapshot is kept between starts (default_graph.h).
  if (const char* cache = std::getenv("CACHE_DIRECTORY"); cache != nullptr && options.graph_path.empty()) {
    options.default_graph_cache = std::string(cache).substr(0, std::string(cache).find(':'));
  }
  options.matrix_max_cells = top.section("limits").integer("matrix_max_cells", options.matrix_max_cells, 1, 100'000'000);
  options.segments_max = top.section("limits").integer("segments_max", options.segments_max, 1, 1'000'000);
  pool::ConfigSection web = top.section("web");
  std::string web_root = web.string("root");
  if (web.has("root") && web_root.empty()) throw web.error("root", "is empty; give the directory of the map page's files");
  return std::make_unique<GraphConfig>(std::move(options), data, web, std::move(web_root));
}

}  // namespace

pool::ServiceSpec graphServiceSpec() {
  pool::ServiceSpec spec;
  spec.name = "twinlane";
  spec.url_prefix = "/api/v1/";
  // A best path or a matrix searches the graph: the slow lane. Lookups are cheap: the fast one.
  for (auto& route : graphRoutes()) {
    const bool searches = route.name == "route" || route.name == "matrix";
    spec.routes.push_back({std::move(route), searches ? pool::Lane::kSlow : pool::Lane::kFast});
  }
  spec.configure = readGraphConfig;
  return spec;
}

}  // namespace twinlane::app
