// SPDX-License-Identifier: Apache-2.0
// Router: maps a request's method and path to one of a lane's named routes.
// A path no route claims is 404 not_found; a path claimed with another method is 405
// method_not_allowed with the Allow header. Routes are an exact path, or a prefix whose
// remainder (e.g. the id of /api/v1/nodes/{id}) is handed to the handler.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace twinlane::fcgi {

struct RouteSpec {
  std::string name;                  // what config files call it: "route", "health", ...
  std::string path;                  // "/api/v1/route", or "/api/v1/nodes/" with prefix
  bool prefix = false;
  std::vector<std::string> methods;  // e.g. {"GET"}
};

struct RouteMatch {
  const RouteSpec* route = nullptr;
  std::string_view rest;  // what follows the prefix; empty for exact routes
};

class Router {
 public:
  explicit Router(std::vector<RouteSpec> routes);

  // Throws HttpError 404 or 405. The match points into this router and into `path`.
  RouteMatch match(std::string_view method, std::string_view path) const;

  const std::vector<RouteSpec>& routes() const { return routes_; }

 private:
  std::vector<RouteSpec> routes_;
};

}  // namespace twinlane::fcgi
