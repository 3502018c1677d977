// SPDX-License-Identifier: Apache-2.0
// twinlane: the road-graph service (app/handlers) served by the pool, through the same public
// API any other service uses (pool/serve.h). This file is the wiring: which routes are
// expensive enough for the slow lane, the URL prefix, and the service's config keys:
//   data: { graph: FILE, coordinates: FILE }   a snapshot, or DIMACS .gr (plain or gzip) and
//                                              an optional .co; no graph: the generated default
//   data: { hierarchy: auto | off }            auto: the snapshot's contraction hierarchy, or
//                                              one built at load; off: none (bidirectional A*)
//   limits: { matrix_max_cells: N }            the largest sources x targets of one matrix
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "handlers/graph_service.h"
#include "pool/serve.h"

namespace twinlane::app {
namespace {

class GraphConfig : public pool::ServiceConfig {
 public:
  GraphConfig(GraphServiceOptions options, pool::ConfigSection data) : options_(std::move(options)), data_(data) {}

  void check() const override {
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

 private:
  GraphServiceOptions options_;
  pool::ConfigSection data_;  // for errors at the line of the key
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
  options.matrix_max_cells = top.section("limits").integer("matrix_max_cells", options.matrix_max_cells, 1, 100'000'000);
  return std::make_unique<GraphConfig>(std::move(options), data);
}

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

}  // namespace
}  // namespace twinlane::app

int main(int argc, char** argv) { return twinlane::pool::serve(argc, argv, twinlane::app::graphServiceSpec()); }
