// SPDX-License-Identifier: Apache-2.0
// One worker process: see worker.h.
#include "pool/worker.h"

#include <Poco/Logger.h>
#include <Poco/String.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "fcgi/acceptor.h"
#include "fcgi/connection_hub.h"
#include "fcgi/http_error.h"
#include "fcgi/unique_fd.h"
#include "pool/cpu_slice.h"
#include "pool/exit_codes.h"
#include "pool/lane_routes.h"
#include "pool/process_memory.h"
#include "pool/ready_notices.h"
#include "pool/request_policy.h"
#include "pool/signals.h"
#include "pool/status_service.h"

namespace twinlane::pool {
namespace {

// Every route of the config with the service that answers it: the pool's own (status,
// metrics) by the built-in StatusService, the rest by the application.
std::vector<OfferedRoute> offeredRoutes(const Config& config, const fcgi::Service& application, const StatusService& builtin) {
  std::vector<OfferedRoute> offered;
  for (const auto& route : config.routes) {
    offered.push_back({route.route, isPoolRouteName(route.route.name) ? &builtin : &application});
  }
  return offered;
}

class WorkerProcess {
 public:
  WorkerProcess(const WorkerPlan& plan, int wake_fd)
      : plan_(plan),
        lane_(*plan.lane_config),
        slot_(plan.scoreboard->slot(plan.slot_index)),
        counters_(plan.scoreboard->counters(plan.lane)),
        status_(plan.view),
        routes_(plan.lane_config->routes, offeredRoutes(*plan.view.config, *plan.service, status_)),
        hub_(plan.listen_fd, wake_fd, &lane_.allow,
             {[this](const std::string& why) { reportAcceptPaused(why); },
              [this](const std::string& peer) { reportRejectedPeer(peer); }}),
        request_limit_(requestLimit()),
        answer_headers_(answerHeaders()),
        log_(Poco::Logger::get("twinlane.worker")),
        policy_(lane_, plan.view.config->slow_request, slot_, counters_, log_) {}

  int run() {
    std::vector<std::thread> extra_threads;
    for (unsigned i = 1; i < lane_.threads; ++i) extra_threads.emplace_back([this, i] { serveThread(i); });
    serveThread(0);
    for (auto& thread : extra_threads) thread.join();
    if (failed_) return kExitSoftware;
    if (recycle_code_.load() == kExitOk && workerRecyclingTurnGiven()) leaveOnTurn();
    return recycle_code_.load();
  }

 private:
  // Runs on each serving thread; nothing may escape it (an exception leaving a std::thread
  // would terminate the process without the exit code the master reads).
  void serveThread(std::size_t thread) {
    try {
      serveUntilStopped(thread);
    } catch (const std::exception& error) {
      log_.critical("%s worker thread %z failed: %s", std::string(laneName(plan_.lane)), thread,
                    std::string(error.what()));
      failed_ = true;
      requestWorkerStop();
    }
    slot_.state.store(WorkerState::kExiting);
  }

  void serveUntilStopped(std::size_t thread) {
    slot_.thread_id[thread].store(static_cast<pid_t>(::syscall(SYS_gettid)));
    askForCpuSlice(thread);
    const auto& limits = plan_.view.config->limits;
    fcgi::Acceptor acceptor(hub_, fcgi::InputLimits{limits.max_params, limits.max_body},
                            [this](const fcgi::RefusedConnection& refused) { reportRefused(refused); });
    LaneRoutes::Thread handler = routes_.newThread();
    if (slot_.markReady()) noticeReady(plan_.ready_notice_fd);
    // A stop ends the loop through the hub (kWoken), not the stop flag: every thread goes back
    // to it, so the requests already waiting on kept connections are served first.
    while (true) {
      const auto outcome = acceptor.accept();
      if (outcome == fcgi::Acceptor::Outcome::kWoken) break;
      if (outcome == fcgi::Acceptor::Outcome::kFailed) {
        log_.error("%s worker: accepting on %s failed: %s", std::string(laneName(plan_.lane)), lane_.listen.toString(),
                   acceptor.failure());
        failed_ = true;
        requestWorkerStop();
        break;
      }
      serveOne(thread, acceptor, handler);
      acceptor.finish();
      checkRecycling();
    }
  }

  void serveOne(std::size_t thread, fcgi::Acceptor& acceptor, LaneRoutes::Thread& handler) {
    RequestTiming timing;
    fcgi::Request request(acceptor.request(), acceptor.takeBody(), acceptor.bodyOverLimit(),
                          plan_.view.config->limits.max_body, [this, &timing](const fcgi::Request& r) {
                            policy_.checkpoint(timing, [&r] { return r.peerClosed(); });
                          });
    timing = policy_.begin(thread, request.uri(), request.param("TWINLANE_QUEUED_AT"));
    const auto client_gone = [&request] { return request.peerClosed(); };
    RequestOutcome outcome = policy_.run(timing, request.method(), request.uri(), client_gone,
                                         [&](fcgi::Response& response) { handler.handle(request, response); });
    const auto answer_by = std::chrono::steady_clock::now() +
                           std::chrono::milliseconds(policy_.answerBy(timing) - monotonicMillis());
    for (const auto& [name, value] : answer_headers_) outcome.response.addHeader(name, value);
    if (outcome.answered && !acceptor.answer(outcome.response, answer_by)) outcome.answered = false;
    policy_.finish(thread, timing, request.method(), request.uri(), outcome.answered ? outcome.response.status() : 499,
                   outcome.error_code);
  }

  // Counts every refused connection and logs it, but a burst of at most 20 lines and then one a
  // second, so a peer that floods the socket with garbage cannot flood the log too. The next
  // line logged says how many went unlogged.
  void reportRefused(const fcgi::RefusedConnection& refused) {
    constexpr double kBurstLines = 20;
    counters_.bad_fastcgi.fetch_add(1);
    const std::lock_guard<std::mutex> lock(refusal_log_lock_);
    const std::int64_t now = monotonicMillis();
    refusal_log_tokens_ = std::min(kBurstLines, refusal_log_tokens_ + static_cast<double>(now - refusal_log_refilled_ms_) / 1000);
    refusal_log_refilled_ms_ = now;
    if (refusal_log_tokens_ < 1) {
      ++refusals_unlogged_;
      return;
    }
    refusal_log_tokens_ -= 1;
    const std::string unlogged =
        refusals_unlogged_ == 0 ? "" : " (" + std::to_string(refusals_unlogged_) + " more refused since the last such line)";
    refusals_unlogged_ = 0;
    log_.warning("%s worker: closed a FastCGI connection from %s: %s%s", std::string(laneName(plan_.lane)),
                 refused.peer, refused.reason, unlogged);
  }

  // Each thread asks for itself (a new thread starts with the kernel's default slice); the
  // first one says what came of it.
  void askForCpuSlice(std::size_t thread) {
    if (lane_.cpu_slice.count() == 0) return;
    const std::string failure = setThreadCpuSlice(lane_.cpu_slice);
    if (thread != 0) return;
    const std::string lane = std::string(laneName(plan_.lane));
    if (!failure.empty()) {
      log_.warning("%s worker: cannot ask for a %ld us CPU slice (lanes.%s.cpu.slice): %s", lane,
                   static_cast<long>(lane_.cpu_slice.count()), lane, failure);
    } else if (threadCpuSlice() != lane_.cpu_slice) {
      log_.warning("%s worker: asked for a %ld us CPU slice (lanes.%s.cpu.slice) but the kernel keeps %ld us: custom "
                   "slices need Linux 6.12 or later", lane, static_cast<long>(lane_.cpu_slice.count()), lane,
                   static_cast<long>(threadCpuSlice().count()));
    }
  }

  // Accepting pauses for a moment when the process is out of fds or memory: one line, then at
  // most one every 10 s with how often it happened since (the hub calls this from one thread).
  void reportAcceptPaused(const std::string& why) {
    const std::int64_t now = monotonicMillis();
    ++accept_pauses_unlogged_;
    if (accept_pause_logged_ms_ != 0 && now - accept_pause_logged_ms_ < 10'000) return;
    accept_pause_logged_ms_ = now;
    log_.warning("%s worker: %s; accepting new connections again in %d ms (%lu pauses since the last such line; "
                 "raise LimitNOFILE or lower lanes.%s.keepalive)",
                 std::string(laneName(plan_.lane)), why, static_cast<int>(fcgi::ConnectionHub::kAcceptPause.count()),
                 static_cast<unsigned long>(accept_pauses_unlogged_), std::string(laneName(plan_.lane)));
    accept_pauses_unlogged_ = 0;
  }

  // A peer outside lanes.L.allow: counted each time, logged once a minute per peer (a scanner
  // or a misconfigured front must not flood the log). The hub calls this from one thread.
  void reportRejectedPeer(const std::string& peer) {
    counters_.rejected_peers.fetch_add(1);
    const std::int64_t now = monotonicMillis();
    if (rejected_logged_ms_.size() > kRejectedPeersRemembered) {
      std::erase_if(rejected_logged_ms_, [now](const auto& entry) { return now - entry.second >= 60'000; });
      // Still full: a flood from many addresses. Forget them all (their next refusal is logged
      // once more) rather than let the memory or this scan grow with the flood.
      if (rejected_logged_ms_.size() > kRejectedPeersRemembered) rejected_logged_ms_.clear();
    }
    const auto [logged, first] = rejected_logged_ms_.try_emplace(peer, now);
    if (!first && now - logged->second < 60'000) return;
    logged->second = now;
    log_.warning("%s worker: refused a connection from %s: not in lanes.%s.allow (%s); more from it within a minute "
                 "are counted in /metrics, not logged",
                 std::string(laneName(plan_.lane)), peer, std::string(laneName(plan_.lane)),
                 Poco::cat(std::string(", "), lane_.allow.entries().begin(), lane_.allow.entries().end()));
  }

  // Which data and which host answered: on every answer, errors too.
  std::vector<std::pair<std::string, std::string>> answerHeaders() const {
    auto headers = plan_.service->answerHeaders();
    if (plan_.view.config->host_header) {
      char name[256] = {};
      if (::gethostname(name, sizeof(name) - 1) == 0) headers.emplace_back("X-Twinlane-Host", name);
    }
    return headers;
  }

  // max_requests plus a per-worker jitter, so workers started together do not leave together.
  std::uint64_t requestLimit() const {
    if (lane_.max_requests == 0) return 0;
    std::mt19937_64 random(static_cast<std::uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull);
    return lane_.max_requests + (lane_.max_requests_jitter == 0 ? 0 : random() % (lane_.max_requests_jitter + 1));
  }

  void checkRecycling() {
    if (recycle_code_.load() != kExitOk) return;
    const std::uint64_t served = slot_.requests.load();
    const int code = recyclingDue(served);
    if (code == kExitOk || !mayLeave()) return;
    int expected = kExitOk;
    if (!recycle_code_.compare_exchange_strong(expected, code)) return;
    log_.information("%s worker leaving to be recycled (%s) after %lu requests", std::string(laneName(plan_.lane)),
                     std::string(exitCodeMeaning(code)), static_cast<unsigned long>(served));
    requestWorkerStop();
  }

  // The master's signal ended the wait that mayLeave began: the worker stopped as for TERM, and
  // exits with the reason it became due.
  void leaveOnTurn() {
    const int code = recycle_due_code_.load();
    if (code == kExitOk) return;
    recycle_code_.store(code);
    log_.information("%s worker leaving to be recycled (%s) after %lu requests, on its turn",
                     std::string(laneName(plan_.lane)), std::string(exitCodeMeaning(code)),
                     static_cast<unsigned long>(slot_.requests.load()));
  }

  // Why the worker must leave (its exit code), or kExitOk. Once due, due until it leaves: it may
  // have to wait for its turn (mayLeave).
  int recyclingDue(std::uint64_t served) {
    int code = recycle_due_code_.load();
    if (code != kExitOk) return code;
    if (request_limit_ != 0 && served >= request_limit_) {
      code = kExitRecycleRequests;
    } else if (lane_.max_private_memory != 0 && served % memoryCheckInterval() == 0) {
      const auto memory = readProcessMemory(0);
      if (memory && memory->private_bytes > lane_.max_private_memory) code = kExitRecycleMemory;
    }
    if (code != kExitOk) recycle_due_code_.store(code);  // no write per request while not due
    return code;
  }

  // Reading smaps_rollup costs tens of microseconds: every request for a one-thread worker,
  // every 64th for a threaded one.
  std::uint64_t memoryCheckInterval() const { return lane_.threads == 1 ? 1 : 64; }

  // One worker of a lane recycles at a time, so a lane never loses all its workers at once.
  // Turned away, the worker says since when it waits; the master then gives it the lock before
  // a worker that reached its limit later (a young replacement serving fast would win the race
  // for a free lock again and again, and an old worker could stay past its limit for good), and
  // tells it so by kRecyclingTurnSignal (leaveOnTurn).
  bool mayLeave() {
    pid_t free = 0;
    if (counters_.recycling.compare_exchange_strong(free, ::getpid())) return true;
    std::int64_t not_waiting = 0;
    slot_.recycle_waiting_since_ms.compare_exchange_strong(not_waiting, monotonicMillis());
    return false;
  }

  const WorkerPlan& plan_;
  const LaneConfig& lane_;
  WorkerSlot& slot_;
  LaneCounters& counters_;
  StatusService status_;  // the pool's own /status and /metrics, routed like the service's routes
  LaneRoutes routes_;
  fcgi::ConnectionHub hub_;  // the serving threads take turns waiting on the listener and kept connections
  std::uint64_t request_limit_;
  const std::vector<std::pair<std::string, std::string>> answer_headers_;
  Poco::Logger& log_;
  RequestPolicy policy_;
  std::atomic<bool> failed_{false};
  std::atomic<int> recycle_code_{kExitOk};  // set when the worker leaves to be recycled
  std::atomic<int> recycle_due_code_{kExitOk};  // set when it must, even before its turn
  std::mutex refusal_log_lock_;
  double refusal_log_tokens_ = 20;
  std::int64_t refusal_log_refilled_ms_ = monotonicMillis();
  std::uint64_t refusals_unlogged_ = 0;
  std::int64_t accept_pause_logged_ms_ = 0;
  std::uint64_t accept_pauses_unlogged_ = 0;
  static constexpr std::size_t kRejectedPeersRemembered = 1024;
  std::unordered_map<std::string, std::int64_t> rejected_logged_ms_;  // peer -> when last logged
};

// Ties the worker's life to the master's: if the master dies, the kernel sends TERM. The
// getppid() check closes the race where the master died before prctl ran.
void followMaster(pid_t master_pid) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != master_pid) ::_exit(kExitOrphaned);
}

// nice and the scheduling policy keep a saturated slow lane from slowing the fast one.
void applyPriority(const LaneConfig& lane, Poco::Logger& log) {
  if (lane.nice != 0 && ::setpriority(PRIO_PROCESS, 0, lane.nice) != 0) {
    log.warning("cannot set nice %d: %s", lane.nice, std::string(std::strerror(errno)));
  }
  if (lane.scheduler == LaneConfig::Scheduler::kOther) return;
  const int policy = lane.scheduler == LaneConfig::Scheduler::kBatch ? SCHED_BATCH : SCHED_IDLE;
  sched_param param{};
  if (::sched_setscheduler(0, policy, &param) != 0) {
    log.warning("cannot set the scheduling policy: %s", std::string(std::strerror(errno)));
  }
}

}  // namespace

void runWorker(const WorkerPlan& plan) {
  int code = kExitSoftware;
  Poco::Logger& log = Poco::Logger::get("twinlane.worker");
  // Outside the try block: the signal handlers write to it until _exit, which runs no destructor.
  UniqueFd wake_fd;
  try {
    for (const int fd : plan.master_only_fds) ::close(fd);
    wake_fd.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!wake_fd) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
    installWorkerSignals(wake_fd.get());
    followMaster(plan.master_pid);
    applyPriority(*plan.lane_config, log);
    code = WorkerProcess(plan, wake_fd.get()).run();
  } catch (const std::exception& error) {
    log.critical("%s worker failed: %s", std::string(laneName(plan.lane)), std::string(error.what()));
  } catch (...) {
    log.critical("%s worker failed with an unknown exception", std::string(laneName(plan.lane)));
  }
  ::_exit(code);
}

}  // namespace twinlane::pool
