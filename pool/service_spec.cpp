// SPDX-License-Identifier: Apache-2.0
// The rules a ServiceSpec must keep: see service_spec.h.
#include "pool/service_spec.h"

#include <algorithm>
#include <stdexcept>

#include "pool/status.h"

namespace twinlane::pool {
namespace {

bool isNameCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

void checkRoute(const ServiceSpec& spec, const fcgi::RouteSpec& route) {
  const std::string which = "route '" + route.name + "'";
  if (route.name.empty()) throw std::invalid_argument("a route has no name");
  if (isPoolRouteName(route.name)) throw std::invalid_argument(which + ": the name is the pool's own route");
  if (!route.path.starts_with(spec.url_prefix)) {
    throw std::invalid_argument(which + ": path '" + route.path + "' is not under the URL prefix '" + spec.url_prefix + "'");
  }
  // nginx would get two locations for the same path: the route's and the prefix's fallback.
  if (route.prefix && route.path == spec.url_prefix) {
    throw std::invalid_argument(which + ": a prefix route cannot be the URL prefix itself");
  }
  if (route.methods.empty()) throw std::invalid_argument(which + ": no methods");
}

}  // namespace

void checkServiceSpec(const ServiceSpec& spec) {
  if (spec.name.empty() || !std::all_of(spec.name.begin(), spec.name.end(), isNameCharacter)) {
    throw std::invalid_argument("name '" + spec.name + "' must be letters, digits, '.', '_' or '-'");
  }
  if (spec.url_prefix.size() < 2 || spec.url_prefix.front() != '/' || spec.url_prefix.back() != '/') {
    throw std::invalid_argument("url_prefix '" + spec.url_prefix + "' must start and end with '/', like /api/v1/");
  }
  if (spec.routes.empty()) throw std::invalid_argument("no routes");
  for (std::size_t i = 0; i < spec.routes.size(); ++i) {
    checkRoute(spec, spec.routes[i].route);
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.routes[j].route.name == spec.routes[i].route.name) {
        throw std::invalid_argument("route '" + spec.routes[i].route.name + "' is declared twice");
      }
    }
  }
  if (!spec.configure) throw std::invalid_argument("no configure function");
}

}  // namespace twinlane::pool
