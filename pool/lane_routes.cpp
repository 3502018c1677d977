// SPDX-License-Identifier: Apache-2.0
// A lane's routes and their services: see lane_routes.h.
#include "pool/lane_routes.h"

#include <utility>

namespace twinlane::pool {
namespace {

struct OwnedRoutes {
  std::vector<fcgi::RouteSpec> routes;
  std::vector<std::size_t> owner;
};

OwnedRoutes laneRoutes(const std::vector<std::string>& names, const std::vector<const fcgi::Service*>& services) {
  OwnedRoutes offered;
  for (std::size_t s = 0; s < services.size(); ++s) {
    for (auto& route : services[s]->routes()) {
      offered.routes.push_back(std::move(route));
      offered.owner.push_back(s);
    }
  }
  OwnedRoutes lane;
  for (const auto& name : names) {
    for (std::size_t r = 0; r < offered.routes.size(); ++r) {
      if (offered.routes[r].name != name) continue;
      lane.routes.push_back(offered.routes[r]);
      lane.owner.push_back(offered.owner[r]);
    }
  }
  return lane;
}

}  // namespace

LaneRoutes::LaneRoutes(const std::vector<std::string>& names, std::vector<const fcgi::Service*> services)
    : router_({}), services_(std::move(services)) {
  OwnedRoutes lane = laneRoutes(names, services_);
  router_ = fcgi::Router(std::move(lane.routes));
  owner_ = std::move(lane.owner);
}

LaneRoutes::Thread::Thread(const LaneRoutes& routes) : routes_(routes) {
  for (const fcgi::Service* service : routes_.services_) handlers_.push_back(service->newThread());
}

void LaneRoutes::Thread::handle(fcgi::Request& request, fcgi::Response& response) {
  const fcgi::RouteMatch match = routes_.router_.match(request.method(), request.path());
  const auto index = static_cast<std::size_t>(match.route - routes_.router_.routes().data());
  handlers_[routes_.owner_[index]]->handle(match, request, response);
}

}  // namespace twinlane::pool
