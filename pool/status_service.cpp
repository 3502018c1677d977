// SPDX-License-Identifier: Apache-2.0
// The pool's built-in /status and /metrics service: see status_service.h.
#include "pool/status_service.h"

namespace twinlane::pool {
namespace {

class StatusThread final : public fcgi::ServiceThread {
 public:
  explicit StatusThread(const PoolView& view) : view_(view) {}

  void handle(const fcgi::RouteMatch& match, fcgi::Request&, fcgi::Response& response) override {
    if (match.route->name == "status") {
      response.setJson(*renderStatus(view_));
    } else {
      response.setBody("text/plain; version=0.0.4", renderMetrics(view_));
    }
  }

 private:
  const PoolView& view_;
};

}  // namespace

std::unique_ptr<fcgi::ServiceThread> StatusService::newThread() const { return std::make_unique<StatusThread>(view_); }

Poco::JSON::Object::Ptr StatusService::summary() const { return fcgi::orderedObject(); }

}  // namespace twinlane::pool
