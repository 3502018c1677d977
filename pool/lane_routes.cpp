// SPDX-License-Identifier: Apache-2.0
// A lane's routes and their services: see lane_routes.h.
#include "pool/lane_routes.h"

#include <algorithm>
#include <utility>

namespace twinlane::pool {

LaneRoutes::LaneRoutes(const std::vector<std::string>& names, const std::vector<OfferedRoute>& offered)
    : router_({}) {
  std::vector<fcgi::RouteSpec> routes;
  for (const auto& name : names) {
    for (const auto& candidate : offered) {
      if (candidate.route.name != name) continue;
      auto known = std::find(services_.begin(), services_.end(), candidate.service);
      if (known == services_.end()) known = services_.insert(services_.end(), candidate.service);
      routes.push_back(candidate.route);
      owner_.push_back(static_cast<std::size_t>(known - services_.begin()));
    }
  }
  router_ = fcgi::Router(std::move(routes));
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
