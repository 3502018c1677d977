// SPDX-License-Identifier: Apache-2.0
// LaneRoutes: the routes one lane serves and the service that answers each, the application's
// or the pool's built-in one (StatusService), so the worker routes every request the same way
// and names no route itself. Routes come in the order the lane's config names them; the router
// answers 404 and 405 for the rest. Worker side: built once per worker, then each serving
// thread makes its own handlers (newThread).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "fcgi/router.h"
#include "fcgi/service.h"

namespace twinlane::pool {

// A route and the service that answers it.
struct OfferedRoute {
  fcgi::RouteSpec route;
  const fcgi::Service* service = nullptr;
};

class LaneRoutes {
 public:
  // `names`: the lane's routes from its config; `offered`: every route with its service (the
  // services must outlive this). A name nobody offers is skipped (the config was checked
  // against the routes before start).
  LaneRoutes(const std::vector<std::string>& names, const std::vector<OfferedRoute>& offered);

  // One serving thread's handlers, one per service.
  class Thread {
   public:
    // Routes the request and lets its service answer. Throws HttpError 404/405 for a path or
    // method the lane does not serve, and whatever the service throws.
    void handle(fcgi::Request& request, fcgi::Response& response);

   private:
    friend class LaneRoutes;
    explicit Thread(const LaneRoutes& routes);
    const LaneRoutes& routes_;
    std::vector<std::unique_ptr<fcgi::ServiceThread>> handlers_;  // indexed like services_
  };

  Thread newThread() const { return Thread(*this); }

 private:
  fcgi::Router router_;
  std::vector<std::size_t> owner_;  // per route of router_, in order: its index in services_
  std::vector<const fcgi::Service*> services_;
};

}  // namespace twinlane::pool
