// The master process: see master.h.
#include "pool/master.h"

#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/JSON/Stringifier.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "fcgi/listener.h"
#include "pool/exit_codes.h"
#include "pool/worker.h"

namespace twinlane::pool {
namespace {

// A worker that dies sooner than this after its start counts towards a crash loop.
constexpr std::int64_t kCrashLoopWindowMs = 2000;
constexpr std::int64_t kFirstBackoffMs = 100;
constexpr std::int64_t kMaxBackoffMs = 10000;
// Room for a reload's second generation and for TTIN, without remapping the scoreboard.
constexpr std::size_t kSpareSlots = 32;

std::string toJson(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

}  // namespace

Master::Master(Config config, ServiceFactory make_service, Poco::Logger& log)
    : config_(std::move(config)), make_service_(std::move(make_service)), log_(log), pid_(::getpid()) {}

Master::~Master() = default;

int Master::run() {
  start();
  while (true) {
    reapChildren();
    handleSignals();
    if (stop_ != Stop::kNone) break;
    spawnMissingWorkers();
    waitForEvents();
  }
  if (stop_ == Stop::kGraceful) {
    log_.notice("graceful stop: letting in-flight requests finish (up to %ld ms)",
                static_cast<long>(config_.graceful_timeout.count()));
    stopWorkers(SIGTERM, config_.graceful_timeout);
  } else {
    log_.notice("immediate stop");
  }
  stopWorkers(SIGKILL, std::chrono::milliseconds(5000));
  closeListeners();
  log_.notice("stopped");
  return kExitOk;
}

void Master::start() {
  signals_ = std::make_unique<MasterSignals>();

  const std::int64_t load_start = monotonicMillis();
  service_ = make_service_(config_);
  view_.service_summary = service_->summary();
  log_.notice("loaded %s in %ld ms", toJson(view_.service_summary), static_cast<long>(monotonicMillis() - load_start));

  lanes_.push_back(LaneState{Lane::kFast, &config_.fast, {}});
  lanes_.push_back(LaneState{Lane::kSlow, &config_.slow, {}});
  for (LaneState& lane : lanes_) {
    lane.listener = fcgi::openListener(lane.config->listen, static_cast<int>(lane.config->queue_capacity),
                                       lane.config->socket);
  }

  scoreboard_ = std::make_unique<Scoreboard>(config_.fast.processes + config_.slow.processes + kSpareSlots);
  for (const LaneState& lane : lanes_) scoreboard_->counters(lane.lane).target_processes.store(lane.config->processes);
  view_.config = &config_;
  view_.scoreboard = scoreboard_.get();
  view_.started_at = Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT);
  view_.generation = 1;

  for (const LaneState& lane : lanes_) {
    log_.notice("%s lane: %u processes x %u threads on %s, routes %s", std::string(laneName(lane.lane)),
                lane.config->processes, lane.config->threads, lane.config->listen.toString(),
                [&] {
                  std::string list;
                  for (const auto& r : lane.config->routes) list += (list.empty() ? "" : ",") + r;
                  return list;
                }());
  }
}

void Master::waitForEvents() {
  // Wake for a signal, or when a lane's crash back-off ends.
  int timeout_ms = -1;
  const std::int64_t now = monotonicMillis();
  for (const LaneState& lane : lanes_) {
    if (liveWorkers(lane.lane) < scoreboard_->counters(lane.lane).target_processes.load() && lane.next_spawn_ms > now) {
      const int wait = static_cast<int>(lane.next_spawn_ms - now);
      timeout_ms = timeout_ms < 0 ? wait : std::min(timeout_ms, wait);
    }
  }
  pollfd fd{signals_->fd(), POLLIN, 0};
  ::poll(&fd, 1, timeout_ms);
}

void Master::reapChildren() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    const auto child = std::find_if(children_.begin(), children_.end(), [pid](const Child& c) { return c.pid == pid; });
    if (child == children_.end()) continue;
    const std::int64_t lived_ms = monotonicMillis() - child->started_ms;
    WorkerSlot& slot = scoreboard_->slot(child->slot);
    const std::string uri = slot.state.load() == WorkerState::kBusy ? slot.currentUri() : std::string();
    LaneState& lane = laneState(child->lane);
    const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == kExitOk;

    std::string message = std::string(laneName(child->lane)) + " worker " + std::to_string(pid) + " " +
                          describeWaitStatus(status) + " after " + std::to_string(lived_ms) + " ms";
    if (!uri.empty()) message += " while serving " + uri;
    if (clean || stop_ != Stop::kNone) {
      log_.information(message);
    } else {
      log_.error(message);
    }

    if (!clean && lived_ms < kCrashLoopWindowMs) {
      ++lane.consecutive_failures;
      const std::int64_t backoff =
          std::min(kMaxBackoffMs, kFirstBackoffMs << std::min(lane.consecutive_failures - 1, 10u));
      lane.next_spawn_ms = monotonicMillis() + backoff;
      if (stop_ == Stop::kNone) {
        log_.warning("%s lane: %u workers in a row died within %ld ms of starting; next start in %ld ms",
                     std::string(laneName(child->lane)), lane.consecutive_failures,
                     static_cast<long>(kCrashLoopWindowMs), static_cast<long>(backoff));
      }
    } else {
      lane.consecutive_failures = 0;
    }
    if (!clean && stop_ == Stop::kNone) scoreboard_->counters(child->lane).restarts.fetch_add(1);

    slot.pid.store(0);
    slot.state.store(WorkerState::kEmpty);
    children_.erase(child);
  }
}

void Master::handleSignals() {
  for (const MasterSignal* signal : signals_->drain()) {
    switch (signal->intent) {
      case MasterIntent::kReap:
        break;  // reapChildren runs every turn
      case MasterIntent::kGracefulStop:
        if (stop_ == Stop::kNone) stop_ = Stop::kGraceful;
        break;
      case MasterIntent::kFastStop:
        stop_ = Stop::kFast;
        break;
      case MasterIntent::kReload:
      case MasterIntent::kAddSlowWorker:
      case MasterIntent::kRemoveSlowWorker:
        log_.warning("received SIG%s (%s): not supported yet, ignored", std::string(::sigabbrev_np(signal->number)),
                     std::string(signal->meaning));
        break;
    }
  }
}

void Master::spawnMissingWorkers() {
  const std::int64_t now = monotonicMillis();
  for (LaneState& lane : lanes_) {
    if (lane.next_spawn_ms > now) continue;
    while (liveWorkers(lane.lane) < scoreboard_->counters(lane.lane).target_processes.load()) spawnWorker(lane);
  }
}

void Master::spawnWorker(LaneState& lane) {
  const auto slot_index = freeSlot();
  if (!slot_index) {
    log_.critical("scoreboard full: cannot start a %s worker", std::string(laneName(lane.lane)));
    return;
  }
  WorkerSlot& slot = scoreboard_->slot(*slot_index);
  slot.lane.store(lane.lane);
  slot.generation.store(view_.generation);
  slot.requests.store(0);
  slot.active.store(0);
  slot.state.store(WorkerState::kStarting);
  slot.started_ms.store(monotonicMillis());

  WorkerPlan plan;
  plan.lane = lane.lane;
  plan.lane_config = lane.config;
  plan.listen_fd = lane.listener.get();
  plan.slot_index = *slot_index;
  plan.master_pid = pid_;
  plan.service = service_.get();
  plan.scoreboard = scoreboard_.get();
  plan.view = view_;
  plan.master_only_fds.push_back(signals_->fd());
  for (const LaneState& other : lanes_) {
    if (other.lane != lane.lane) plan.master_only_fds.push_back(other.listener.get());
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    log_.error("cannot fork a %s worker: %s", std::string(laneName(lane.lane)), std::string(std::strerror(errno)));
    slot.state.store(WorkerState::kEmpty);
    lane.next_spawn_ms = monotonicMillis() + kFirstBackoffMs;
    return;
  }
  if (pid == 0) runWorker(plan);  // never returns

  slot.pid.store(pid);
  children_.push_back(Child{pid, lane.lane, *slot_index, monotonicMillis()});
  log_.information("%s worker %d started in slot %z", std::string(laneName(lane.lane)), static_cast<int>(pid),
                   *slot_index);
}

void Master::stopWorkers(int signal_number, std::chrono::milliseconds deadline) {
  for (const Child& child : children_) ::kill(child.pid, signal_number);
  const std::int64_t give_up = monotonicMillis() + deadline.count();
  while (!children_.empty()) {
    reapChildren();
    if (children_.empty()) break;
    const std::int64_t left = give_up - monotonicMillis();
    if (left <= 0) {
      log_.warning("%z workers still running after %ld ms", children_.size(), static_cast<long>(deadline.count()));
      return;
    }
    // SIGCHLD arrives on the signalfd; a further TERM or QUIT during the wait is honoured.
    pollfd fd{signals_->fd(), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left, 1000)));
    for (const MasterSignal* signal : signals_->drain()) {
      if (signal->intent == MasterIntent::kFastStop && signal_number != SIGKILL) {
        log_.notice("immediate stop requested during the graceful stop");
        return;
      }
    }
  }
}

void Master::closeListeners() {
  for (LaneState& lane : lanes_) {
    lane.listener.reset();
    fcgi::removeSocketFile(lane.config->listen);
  }
}

unsigned Master::liveWorkers(Lane lane) const {
  return static_cast<unsigned>(
      std::count_if(children_.begin(), children_.end(), [lane](const Child& c) { return c.lane == lane; }));
}

std::optional<std::size_t> Master::freeSlot() const {
  for (std::size_t i = 0; i < scoreboard_->size(); ++i) {
    if (scoreboard_->slot(i).state.load() == WorkerState::kEmpty) return i;
  }
  return std::nullopt;
}

}  // namespace twinlane::pool
