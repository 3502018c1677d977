// One worker process: see worker.h.
#include "pool/worker.h"

#include <Poco/Logger.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "fcgi/acceptor.h"
#include "fcgi/http_error.h"
#include "pool/exit_codes.h"
#include "pool/signals.h"

namespace twinlane::pool {
namespace {

// The routes this worker's lane serves, in the order the config lists them.
fcgi::Router laneRouter(const WorkerPlan& plan) {
  std::vector<fcgi::RouteSpec> all = plan.service->routes();
  for (auto& route : poolRoutes()) all.push_back(std::move(route));
  std::vector<fcgi::RouteSpec> lane_routes;
  for (const auto& name : plan.lane_config->routes) {
    for (const auto& route : all) {
      if (route.name == name) lane_routes.push_back(route);
    }
  }
  return fcgi::Router(std::move(lane_routes));
}

class WorkerProcess {
 public:
  WorkerProcess(const WorkerPlan& plan, int wake_fd)
      : plan_(plan),
        slot_(plan.scoreboard->slot(plan.slot_index)),
        counters_(plan.scoreboard->counters(plan.lane)),
        router_(laneRouter(plan)),
        wake_fd_(wake_fd),
        log_(Poco::Logger::get("twinlane.worker")) {}

  int run() {
    std::vector<std::thread> extra_threads;
    for (unsigned i = 1; i < plan_.lane_config->threads; ++i) extra_threads.emplace_back([this] { serveThread(); });
    serveThread();
    for (auto& thread : extra_threads) thread.join();
    return failed_ ? kExitSoftware : kExitOk;
  }

 private:
  void serveThread() {
    fcgi::Acceptor acceptor(plan_.listen_fd, wake_fd_);
    const std::unique_ptr<fcgi::ServiceThread> handler = plan_.service->newThread();
    slot_.state.store(WorkerState::kIdle);
    while (!workerStopRequested()) {
      const auto outcome = acceptor.accept();
      if (outcome == fcgi::Acceptor::Outcome::kWoken) break;
      if (outcome == fcgi::Acceptor::Outcome::kFailed) {
        log_.error("%s worker: accepting on %s failed: %s", std::string(laneName(plan_.lane)),
                   plan_.lane_config->listen.toString(), std::string(std::strerror(errno)));
        failed_ = true;
        break;
      }
      serveOne(acceptor.request(), *handler);
      acceptor.finish();
    }
    slot_.state.store(WorkerState::kExiting);
  }

  void serveOne(FCGX_Request& raw, fcgi::ServiceThread& handler) {
    const std::int64_t started = monotonicMillis();
    const std::int64_t deadline = started + plan_.lane_config->request_timeout.count();
    fcgi::Request request(raw, plan_.view.config->limits.max_body, [deadline, timeout = plan_.lane_config->request_timeout] {
      if (monotonicMillis() > deadline) {
        throw fcgi::HttpError(504, "timeout", "the computation took longer than the request_timeout of " +
                                                  std::to_string(timeout.count()) + " ms and was stopped");
      }
    });
    slot_.beginRequest(request.uri());
    fcgi::Response response;
    try {
      const fcgi::RouteMatch match = router_.match(request.method(), request.path());
      if (isPoolRoute(*match.route)) {
        answerPoolRoute(*match.route, plan_.view, response);
      } else {
        handler.handle(match, request, response);
      }
    } catch (const fcgi::HttpError& error) {
      response = fcgi::Response();
      response.setError(error);
    } catch (const std::exception& error) {
      log_.error("%s %s failed: %s", std::string(request.method()), std::string(request.uri()), std::string(error.what()));
      response = fcgi::Response();
      response.setError(fcgi::HttpError(500, "internal", "internal error; the server log has the details"));
    }
    if (!response.writeTo(raw.out)) {
      log_.information("%s %s: the client left before the answer was written", std::string(request.method()),
                       std::string(request.uri()));
    }
    counters_.countResponse(response.status());
    slot_.endRequest();
  }

  const WorkerPlan& plan_;
  WorkerSlot& slot_;
  LaneCounters& counters_;
  fcgi::Router router_;
  int wake_fd_;
  Poco::Logger& log_;
  bool failed_ = false;
};

// Ties the worker's life to the master's: if the master dies, the kernel sends TERM. The
// getppid() check closes the race where the master died before prctl ran.
void followMaster(pid_t master_pid) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != master_pid) ::_exit(kExitOrphaned);
}

}  // namespace

void runWorker(const WorkerPlan& plan) {
  int code = kExitSoftware;
  try {
    for (const int fd : plan.master_only_fds) ::close(fd);
    const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    installWorkerSignals(wake_fd);
    followMaster(plan.master_pid);
    if (plan.lane_config->nice != 0 && ::setpriority(PRIO_PROCESS, 0, plan.lane_config->nice) != 0) {
      Poco::Logger::get("twinlane.worker")
          .warning("cannot set nice %d: %s", plan.lane_config->nice, std::string(std::strerror(errno)));
    }
    code = WorkerProcess(plan, wake_fd).run();
  } catch (const std::exception& error) {
    Poco::Logger::get("twinlane.worker").critical("worker failed: %s", std::string(error.what()));
  } catch (...) {
    Poco::Logger::get("twinlane.worker").critical("worker failed with an unknown exception");
  }
  ::_exit(code);
}

}  // namespace twinlane::pool
