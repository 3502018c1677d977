// SPDX-License-Identifier: Apache-2.0
// /status and /metrics: see status.h.
#include "pool/status.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <sstream>

#include "pool/queue_length.h"
#include "twinlane/version.h"

namespace twinlane::pool {
namespace {

struct LaneTally {
  std::array<unsigned, 5> by_state{};  // indexed by WorkerState
  unsigned of(WorkerState state) const { return by_state[static_cast<std::size_t>(state)]; }
};

constexpr WorkerState kShownStates[] = {WorkerState::kStarting, WorkerState::kIdle, WorkerState::kBusy,
                                        WorkerState::kExiting};

LaneTally tally(const Scoreboard& board, Lane lane) {
  LaneTally t;
  for (std::size_t i = 0; i < board.size(); ++i) {
    const WorkerSlot& slot = board.slot(i);
    if (slot.pid.load() == 0 || slot.lane.load() != lane) continue;
    ++t.by_state[static_cast<std::size_t>(slot.state.load())];
  }
  return t;
}

std::optional<std::uint32_t> laneQueueLength(const PoolView& view, Lane lane) {
  return queueLength(view.config->lane(lane).listen, view.listener_inodes[static_cast<std::size_t>(lane)]);
}

Poco::JSON::Object::Ptr laneStatus(const PoolView& view, Lane lane) {
  const LaneConfig& config = view.config->lane(lane);
  const LaneCounters& counters = view.scoreboard->counters(lane);
  const LaneTally t = tally(*view.scoreboard, lane);
  const std::int64_t now = monotonicMillis();

  auto status = fcgi::orderedObject();
  status->set("listen", config.listen.toString());
  status->set("processes", counters.target_processes.load());
  status->set("threads", config.threads);
  status->set("busy", t.of(WorkerState::kBusy));
  status->set("idle", t.of(WorkerState::kIdle));
  status->set("starting", t.of(WorkerState::kStarting));
  status->set("exiting", t.of(WorkerState::kExiting));

  auto queue = fcgi::orderedObject();
  const auto length = laneQueueLength(view, lane);
  queue->set("length", length ? Poco::Dynamic::Var(*length) : Poco::Dynamic::Var());
  queue->set("capacity", config.queue_capacity);
  queue->set("timeout_ms", static_cast<Poco::Int64>(config.queue_timeout.count()));
  status->set("queue", queue);

  auto requests = fcgi::orderedObject();
  requests->set("2xx", counters.responsesInClass(2));
  requests->set("4xx", counters.responsesInClass(4));
  requests->set("5xx", counters.responsesInClass(5));
  requests->set("queue_timeouts", counters.queue_timeouts.load());
  requests->set("timeouts", counters.timeouts.load());
  requests->set("abandoned", counters.abandoned.load());
  status->set("requests", requests);
  status->set("restarts", counters.totalRestarts());
  status->set("kills", counters.kills.load());
  status->set("bad_fastcgi", counters.bad_fastcgi.load());
  status->set("rejected_connections", counters.rejected_peers.load());

  Poco::JSON::Array::Ptr workers = new Poco::JSON::Array;
  for (std::size_t i = 0; i < view.scoreboard->size(); ++i) {
    const WorkerSlot& slot = view.scoreboard->slot(i);
    const pid_t pid = slot.pid.load();
    if (pid == 0 || slot.lane.load() != lane) continue;
    const auto [oldest_ms, thread] = slot.oldestRequest();
    auto worker = fcgi::orderedObject();
    worker->set("pid", pid);
    worker->set("state", std::string(stateName(slot.state.load())));
    worker->set("generation", slot.generation.load());
    worker->set("requests", slot.requests.load());
    worker->set("busy_ms", oldest_ms == 0 ? Poco::Int64(0) : static_cast<Poco::Int64>(now - oldest_ms));
    worker->set("uri", oldest_ms == 0 ? std::string() : slot.currentUri());
    workers->add(worker);
  }
  status->set("workers", workers);
  return status;
}

void writeHistogram(std::ostream& out, const std::string& name, const std::string& lane, const Histogram& histogram) {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < Histogram::kBounds.size(); ++i) {
    cumulative += histogram.buckets[i].load();
    out << name << "_bucket{lane=\"" << lane << "\",le=\"" << Histogram::kBounds[i] << "\"} " << cumulative << "\n";
  }
  out << name << "_bucket{lane=\"" << lane << "\",le=\"+Inf\"} " << histogram.count.load() << "\n"
      << name << "_sum{lane=\"" << lane << "\"} " << static_cast<double>(histogram.sum_us.load()) / 1e6 << "\n"
      << name << "_count{lane=\"" << lane << "\"} " << histogram.count.load() << "\n";
}

void writeHelp(std::ostream& out, const char* name, const char* type, const char* help) {
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n";
}

}  // namespace

std::vector<fcgi::RouteSpec> poolRoutes() {
  return {{"status", "/status", false, {"GET"}}, {"metrics", "/metrics", false, {"GET"}}};
}

bool isPoolRouteName(std::string_view name) {
  const auto routes = poolRoutes();
  return std::any_of(routes.begin(), routes.end(), [name](const fcgi::RouteSpec& route) { return route.name == name; });
}

Poco::JSON::Object::Ptr renderStatus(const PoolView& view) {
  auto status = fcgi::orderedObject();
  status->set("version", std::string(kVersion));
  status->set("started_at", view.started_at);
  status->set("generation", view.generation);
  status->set("data", view.service_summary);
  auto lanes = fcgi::orderedObject();
  for (const Lane lane : kLanes) lanes->set(std::string(laneName(lane)), laneStatus(view, lane));
  status->set("lanes", lanes);
  return status;
}

std::string renderMetrics(const PoolView& view) {
  std::ostringstream out;
  const Scoreboard& board = *view.scoreboard;

  writeHelp(out, "twinlane_requests_total", "counter", "Answers by lane and HTTP status (499: the client left).");
  for (const Lane lane : kLanes) {
    const LaneCounters& counters = board.counters(lane);
    for (std::size_t i = 0; i < kCountedStatuses.size(); ++i) {
      const std::string status = kCountedStatuses[i] == 0 ? "other" : std::to_string(kCountedStatuses[i]);
      out << "twinlane_requests_total{lane=\"" << laneName(lane) << "\",status=\"" << status << "\"} "
          << counters.responses[i].load() << "\n";
    }
  }
  writeHelp(out, "twinlane_request_duration_seconds", "histogram", "Time from accept to answer.");
  for (const Lane lane : kLanes) {
    writeHistogram(out, "twinlane_request_duration_seconds", std::string(laneName(lane)), board.counters(lane).request_duration);
  }
  writeHelp(out, "twinlane_queue_wait_seconds", "histogram", "Time between nginx handing a request on and a worker taking it.");
  for (const Lane lane : kLanes) {
    writeHistogram(out, "twinlane_queue_wait_seconds", std::string(laneName(lane)), board.counters(lane).queue_wait);
  }
  writeHelp(out, "twinlane_queue_length", "gauge", "Connections waiting in the lane's listen backlog (from the kernel).");
  for (const Lane lane : kLanes) {
    if (const auto length = laneQueueLength(view, lane)) {
      out << "twinlane_queue_length{lane=\"" << laneName(lane) << "\"} " << *length << "\n";
    }
  }
  writeHelp(out, "twinlane_workers", "gauge", "Workers by lane and state.");
  for (const Lane lane : kLanes) {
    const LaneTally t = tally(board, lane);
    for (const WorkerState state : kShownStates) {
      out << "twinlane_workers{lane=\"" << laneName(lane) << "\",state=\"" << stateName(state) << "\"} " << t.of(state)
          << "\n";
    }
  }
  writeHelp(out, "twinlane_worker_restarts_total", "counter", "Workers replaced, by lane and reason.");
  for (const Lane lane : kLanes) {
    for (std::size_t r = 0; r < kRestartReasonCount; ++r) {
      out << "twinlane_worker_restarts_total{lane=\"" << laneName(lane) << "\",reason=\""
          << reasonName(static_cast<RestartReason>(r)) << "\"} " << board.counters(lane).restarts[r].load() << "\n";
    }
  }
  writeHelp(out, "twinlane_worker_kills_total", "counter", "Workers killed for a request past its deadline.");
  for (const Lane lane : kLanes) {
    out << "twinlane_worker_kills_total{lane=\"" << laneName(lane) << "\"} " << board.counters(lane).kills.load() << "\n";
  }
  writeHelp(out, "twinlane_bad_fastcgi_total", "counter",
            "Connections closed unanswered because their FastCGI records broke the protocol or the limits.");
  for (const Lane lane : kLanes) {
    out << "twinlane_bad_fastcgi_total{lane=\"" << laneName(lane) << "\"} " << board.counters(lane).bad_fastcgi.load()
        << "\n";
  }
  writeHelp(out, "twinlane_rejected_connections_total", "counter",
            "TCP connections closed at accept: the peer is not in the lane's allow-list.");
  for (const Lane lane : kLanes) {
    out << "twinlane_rejected_connections_total{lane=\"" << laneName(lane) << "\"} "
        << board.counters(lane).rejected_peers.load() << "\n";
  }
  if (view.service) out << view.service->metrics();
  writeHelp(out, "twinlane_build_info", "gauge", "The running version.");
  out << "twinlane_build_info{version=\"" << kVersion << "\"} 1\n";
  return out.str();
}

}  // namespace twinlane::pool
