// SPDX-License-Identifier: Apache-2.0
// twinlane: the road-graph service (app/) served by the pool (pool/).
#include "handlers/graph_service.h"
#include "pool/command.h"

namespace {

std::unique_ptr<twinlane::fcgi::Service> makeGraphService(const twinlane::pool::Config& config) {
  return twinlane::app::GraphService::load(
      {config.data.graph, config.data.coordinates, config.limits.matrix_max_cells});
}

}  // namespace

int main(int argc, char** argv) {
  return twinlane::pool::runCommand(argc, argv, {"twinlane", twinlane::app::graphRoutes(), makeGraphService});
}
