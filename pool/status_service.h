// SPDX-License-Identifier: Apache-2.0
// StatusService: the pool's built-in service, /status (JSON) and /metrics (Prometheus text).
// It is routed like the application's routes: a lane serves it when its config names the
// routes `status` and `metrics` (the fast lane, so they answer while the slow lane is
// saturated). It answers from the shared scoreboard through the worker's PoolView.
// Worker side; what the answers contain is status.cpp's.
#pragma once

#include <memory>
#include <vector>

#include "fcgi/service.h"
#include "pool/status.h"

namespace twinlane::pool {

class StatusService final : public fcgi::Service {
 public:
  // `view` must outlive the service (the worker's fork-time copy does).
  explicit StatusService(const PoolView& view) : view_(view) {}

  std::unique_ptr<fcgi::ServiceThread> newThread() const override;
  // The pool describes itself in /status; it has nothing to add as a service.
  Poco::JSON::Object::Ptr summary() const override;

 private:
  const PoolView& view_;
};

}  // namespace twinlane::pool
