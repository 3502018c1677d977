// SPDX-License-Identifier: Apache-2.0
// Route matching: see router.h.
#include "fcgi/router.h"

#include <algorithm>

#include "fcgi/http_error.h"

namespace twinlane::fcgi {

Router::Router(std::vector<RouteSpec> routes) : routes_(std::move(routes)) {}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  for (const RouteSpec& route : routes_) {
    const bool claims = route.prefix ? path.size() > route.path.size() && path.starts_with(route.path)
                                     : path == route.path;
    if (!claims) continue;
    if (std::find(route.methods.begin(), route.methods.end(), method) == route.methods.end()) {
      std::string allow;
      for (const auto& m : route.methods) allow += (allow.empty() ? "" : ", ") + m;
      throw HttpError(405, "method_not_allowed",
                      "method " + quoteInput(method) + " is not allowed on " + quoteInput(path) + "; use " + allow,
                      {{"Allow", allow}});
    }
    return {&route, route.prefix ? path.substr(route.path.size()) : std::string_view{}};
  }
  throw HttpError::notFound(std::string(path));
}

}  // namespace twinlane::fcgi
