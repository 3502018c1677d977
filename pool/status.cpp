// /status and /metrics: see status.h.
#include "pool/status.h"

#include <Poco/JSON/Array.h>

#include <sstream>

#include "pool/version.h"

namespace twinlane::pool {
namespace {

struct LaneTally {
  unsigned idle = 0;
  unsigned busy = 0;
  unsigned starting = 0;
  unsigned exiting = 0;
};

LaneTally tally(const Scoreboard& board, Lane lane) {
  LaneTally t;
  for (std::size_t i = 0; i < board.size(); ++i) {
    const WorkerSlot& slot = board.slot(i);
    if (slot.pid.load() == 0 || slot.lane.load() != lane) continue;
    switch (slot.state.load()) {
      case WorkerState::kIdle: ++t.idle; break;
      case WorkerState::kBusy: ++t.busy; break;
      case WorkerState::kStarting: ++t.starting; break;
      case WorkerState::kExiting: ++t.exiting; break;
      case WorkerState::kEmpty: break;
    }
  }
  return t;
}

Poco::JSON::Object::Ptr laneStatus(const PoolView& view, Lane lane) {
  const LaneConfig& config = view.config->lane(laneName(lane));
  const LaneCounters& counters = view.scoreboard->counters(lane);
  const LaneTally t = tally(*view.scoreboard, lane);
  const std::int64_t now = monotonicMillis();

  auto status = fcgi::orderedObject();
  status->set("listen", config.listen.toString());
  status->set("processes", counters.target_processes.load());
  status->set("threads", config.threads);
  status->set("busy", t.busy);
  status->set("idle", t.idle);
  status->set("starting", t.starting);
  status->set("exiting", t.exiting);

  auto queue = fcgi::orderedObject();
  queue->set("capacity", config.queue_capacity);
  queue->set("timeout_ms", static_cast<Poco::Int64>(config.queue_timeout.count()));
  status->set("queue", queue);

  auto requests = fcgi::orderedObject();
  requests->set("2xx", counters.responses_2xx.load());
  requests->set("4xx", counters.responses_4xx.load());
  requests->set("5xx", counters.responses_5xx.load());
  requests->set("timeouts", counters.timeouts.load());
  status->set("requests", requests);
  status->set("restarts", counters.restarts.load());
  status->set("kills", counters.kills.load());

  Poco::JSON::Array::Ptr workers = new Poco::JSON::Array;
  for (std::size_t i = 0; i < view.scoreboard->size(); ++i) {
    const WorkerSlot& slot = view.scoreboard->slot(i);
    const pid_t pid = slot.pid.load();
    if (pid == 0 || slot.lane.load() != lane) continue;
    const WorkerState state = slot.state.load();
    auto worker = fcgi::orderedObject();
    worker->set("pid", pid);
    worker->set("state", std::string(stateName(state)));
    worker->set("generation", slot.generation.load());
    worker->set("requests", slot.requests.load());
    const bool busy = state == WorkerState::kBusy;
    worker->set("busy_ms", busy ? static_cast<Poco::Int64>(now - slot.busy_since_ms.load()) : Poco::Int64(0));
    worker->set("uri", busy ? slot.currentUri() : std::string());
    workers->add(worker);
  }
  status->set("workers", workers);
  return status;
}

}  // namespace

std::vector<fcgi::RouteSpec> poolRoutes() {
  return {{"status", "/status", false, {"GET"}}, {"metrics", "/metrics", false, {"GET"}}};
}

bool isPoolRoute(const fcgi::RouteSpec& route) { return route.name == "status" || route.name == "metrics"; }

void answerPoolRoute(const fcgi::RouteSpec& route, const PoolView& view, fcgi::Response& response) {
  if (route.name == "status") {
    response.setJson(*renderStatus(view));
  } else {
    response.setBody("text/plain; version=0.0.4", renderMetrics(view));
  }
}

Poco::JSON::Object::Ptr renderStatus(const PoolView& view) {
  auto status = fcgi::orderedObject();
  status->set("version", std::string(kVersion));
  status->set("started_at", view.started_at);
  status->set("generation", view.generation);
  status->set("data", view.service_summary);
  auto lanes = fcgi::orderedObject();
  lanes->set("fast", laneStatus(view, Lane::kFast));
  lanes->set("slow", laneStatus(view, Lane::kSlow));
  status->set("lanes", lanes);
  return status;
}

std::string renderMetrics(const PoolView& view) {
  std::ostringstream out;
  out << "# HELP twinlane_requests_total Responses by lane and status class.\n"
         "# TYPE twinlane_requests_total counter\n";
  for (const Lane lane : {Lane::kFast, Lane::kSlow}) {
    const LaneCounters& c = view.scoreboard->counters(lane);
    const std::string name(laneName(lane));
    out << "twinlane_requests_total{lane=\"" << name << "\",status=\"2xx\"} " << c.responses_2xx.load() << "\n"
        << "twinlane_requests_total{lane=\"" << name << "\",status=\"4xx\"} " << c.responses_4xx.load() << "\n"
        << "twinlane_requests_total{lane=\"" << name << "\",status=\"5xx\"} " << c.responses_5xx.load() << "\n";
  }
  out << "# HELP twinlane_workers Workers by lane and state.\n# TYPE twinlane_workers gauge\n";
  for (const Lane lane : {Lane::kFast, Lane::kSlow}) {
    const LaneTally t = tally(*view.scoreboard, lane);
    const std::string name(laneName(lane));
    out << "twinlane_workers{lane=\"" << name << "\",state=\"idle\"} " << t.idle << "\n"
        << "twinlane_workers{lane=\"" << name << "\",state=\"busy\"} " << t.busy << "\n"
        << "twinlane_workers{lane=\"" << name << "\",state=\"starting\"} " << t.starting << "\n"
        << "twinlane_workers{lane=\"" << name << "\",state=\"exiting\"} " << t.exiting << "\n";
  }
  out << "# HELP twinlane_worker_restarts_total Workers replaced after they exited.\n"
         "# TYPE twinlane_worker_restarts_total counter\n";
  for (const Lane lane : {Lane::kFast, Lane::kSlow}) {
    out << "twinlane_worker_restarts_total{lane=\"" << laneName(lane) << "\"} "
        << view.scoreboard->counters(lane).restarts.load() << "\n";
  }
  out << "# HELP twinlane_build_info Build information.\n# TYPE twinlane_build_info gauge\n"
      << "twinlane_build_info{version=\"" << kVersion << "\"} 1\n";
  return out.str();
}

}  // namespace twinlane::pool
