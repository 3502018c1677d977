// The pool's own routes: /status (JSON) and /metrics (Prometheus text), answered by a
// fast-lane worker from the shared scoreboard, so they keep answering while the slow lane is
// saturated. They describe the pool, never the application's data beyond its summary.
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fcgi/response.h"
#include "fcgi/router.h"
#include "pool/config.h"
#include "pool/scoreboard.h"

namespace twinlane::pool {

// What /status and /metrics read. Lives in the master; workers see their fork-time copy.
struct PoolView {
  const Config* config = nullptr;
  const Scoreboard* scoreboard = nullptr;
  Poco::JSON::Object::Ptr service_summary;
  std::string started_at;  // RFC 3339
  std::uint32_t generation = 1;
};

std::vector<fcgi::RouteSpec> poolRoutes();
bool isPoolRoute(const fcgi::RouteSpec& route);

// Fills `response` for a pool route. Worker side.
void answerPoolRoute(const fcgi::RouteSpec& route, const PoolView& view, fcgi::Response& response);

Poco::JSON::Object::Ptr renderStatus(const PoolView& view);
std::string renderMetrics(const PoolView& view);

}  // namespace twinlane::pool
