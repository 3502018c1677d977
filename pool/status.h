// SPDX-License-Identifier: Apache-2.0
// The pool's own routes: /status (JSON) and /metrics (Prometheus text), answered by a
// fast-lane worker from the shared scoreboard, so they keep answering while the slow lane is
// saturated. They describe the pool; the service adds its summary and its own metric lines.
#pragma once

#include <Poco/JSON/Object.h>
#include <sys/types.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "fcgi/response.h"
#include "fcgi/router.h"
#include "fcgi/service.h"
#include "pool/config.h"
#include "pool/scoreboard.h"

namespace twinlane::pool {

// What /status and /metrics read. The master fills one per generation; workers see their
// fork-time copy.
struct PoolView {
  const Config* config = nullptr;
  const Scoreboard* scoreboard = nullptr;
  const fcgi::Service* service = nullptr;
  Poco::JSON::Object::Ptr service_summary;
  std::string started_at;  // RFC 3339, the master's start
  std::uint32_t generation = 1;
  std::array<ino_t, kLaneCount> listener_inodes{};  // for the kernel's queue lengths
};

// The routes of the pool's built-in service (StatusService): `status` and `metrics`.
std::vector<fcgi::RouteSpec> poolRoutes();
// Whether `name` is one of those; a service may not reuse them.
bool isPoolRouteName(std::string_view name);

Poco::JSON::Object::Ptr renderStatus(const PoolView& view);
std::string renderMetrics(const PoolView& view);

}  // namespace twinlane::pool
