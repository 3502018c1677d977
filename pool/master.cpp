// SPDX-License-Identifier: Apache-2.0
// The master process: see master.h.
#include "pool/master.h"

#include <poll.h>
#include <unistd.h>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <csignal>
#include <cstring>
#include <system_error>

#include "pool/deadlines.h"
#include "pool/exit_codes.h"
#include "pool/file_limit.h"
#include "pool/privileges.h"
#include "pool/process.h"
#include "pool/worker.h"

namespace twinlane::pool {
namespace {

// A worker that dies sooner than this after its start counts towards a crash loop.
constexpr std::int64_t kFirstBackoffMs = 100;
constexpr std::int64_t kMaxBackoffMs = 10000;
// How often the loop looks at deadlines: often while a request runs, and still now and then
// when all are idle, since a worker starting a request does not wake the master.
constexpr int kDeadlineCheckMs = 100;
constexpr int kIdleCheckMs = 250;
// Two generations (during a reload) of two lanes of at most 256 workers, plus TTIN headroom.
constexpr std::size_t kScoreboardSlots = 1100;

std::string routeList(const LaneConfig& lane) {
  std::string list;
  for (const auto& route : lane.routes) list += (list.empty() ? "" : ",") + route;
  return list;
}

std::string signalName(int number) {
  const char* abbrev = ::sigabbrev_np(number);
  return abbrev ? std::string("SIG") + abbrev : std::to_string(number);
}

}  // namespace

Master::Master(Config config, ConfigLoader reload_config, ServiceFactory make_service, Poco::Logger& log)
    : initial_config_(std::move(config)),
      reload_config_(std::move(reload_config)),
      make_service_(std::move(make_service)),
      log_(log),
      pid_(::getpid()) {}

Master::~Master() = default;

int Master::run() {
  start();
  while (true) {
    reapChildren();
    handleSignals();
    if (stop_ != Stop::kNone) break;
    killOverdueWorkers();
    retireOldGenerations();
    spawnMissingWorkers();
    releaseRecyclingLocks();
    announceReadiness();
    waitForEvents();
  }
  notifySystemd("STOPPING=1");
  if (stop_ == Stop::kGraceful) {
    log_.notice("graceful stop: no new requests; in-flight ones may finish within %ld ms",
                static_cast<long>(current().config->graceful_timeout.count()));
    stopWorkers(SIGTERM, current().config->graceful_timeout);
  } else {
    log_.notice("immediate stop");
  }
  stopWorkers(SIGKILL, std::chrono::milliseconds(5000));
  generations_.clear();  // closes the sockets and removes their files
  log_.notice("stopped");
  return kExitOk;
}

// Order matters: sockets are bound while we may still be root, privileges are dropped before
// any data is read, and the scoreboard exists before the first fork.
void Master::start() {
  signals_ = std::make_unique<MasterSignals>();
  ready_notices_ = std::make_unique<ReadyNotices>();
  listeners_ = std::make_unique<Listeners>();  // takes the sockets systemd passed
  started_at_ = Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT);
  workers_ = std::make_unique<WorkerTable>(kScoreboardSlots);
  raiseOpenFileLimit(log_);
  Config config = std::move(initial_config_);
  LaneListeners sockets = openSockets(config);                                    // 1. bind, maybe as root
  cgroups_ = LaneCgroups::setUp(config, log_);                                    //    and cgroups of the lanes
  cgroups_.apply(config, log_);
  dropPrivileges(config, log_);                                                   // 2. become the configured user
  generations_.push_back(makeGeneration(std::move(config), std::move(sockets)));  // 3. load the service
  for (const Lane lane : kLanes) {
    const LaneConfig& lane_config = current().config->lane(lane);
    log_.notice("%s lane: %u processes x %u threads on %s, routes %s", std::string(laneName(lane)),
                lane_config.processes, lane_config.threads, lane_config.listen.toString(), routeList(lane_config));
  }
  listeners_->closeUnclaimed(log_);
  // 4. fork: the loop's first turn starts the workers (spawnMissingWorkers).
}

// The same address keeps its socket across generations (nothing queued is lost); a new
// address gets a new socket, and the old one closes when its last generation retires.
LaneListeners Master::openSockets(const Config& settings) {
  LaneListeners sockets;
  for (const Lane lane : kLanes) {
    sockets[laneIndex(lane)] = listeners_->listenerFor(settings.lane(lane), log_);
  }
  return sockets;
}

std::unique_ptr<Generation> Master::makeGeneration(Config config, LaneListeners sockets) {
  const std::uint32_t number = generations_.empty() ? 1 : current().number + 1;
  auto generation = loadGeneration(number, std::move(config), std::move(sockets), make_service_,
                                   workers_->scoreboard(), started_at_, log_);
  const Config& settings = *generation->config;
  // Only now, with the service loaded, may the new settings touch what is running.
  for (const Lane lane : kLanes) {
    const LaneConfig& lane_config = settings.lane(lane);
    generation->listeners[laneIndex(lane)]->setBacklog(lane_config.queue_capacity, log_);
    supervision(lane) = LaneSupervision{};
    workers_->setTarget(lane, lane_config.processes);
  }
  return generation;
}

void Master::waitForEvents() {
  int timeout_ms = -1;
  const auto shorten = [&timeout_ms](std::int64_t wait) {
    const int ms = static_cast<int>(std::max<std::int64_t>(0, wait));
    timeout_ms = timeout_ms < 0 ? ms : std::min(timeout_ms, ms);
  };
  const std::int64_t now = monotonicMillis();
  for (const Lane lane : kLanes) {
    const LaneSupervision& s = supervision(lane);
    if (servingWorkers(lane) < workers_->target(lane) && s.next_spawn_ms > now) shorten(s.next_spawn_ms - now);
  }
  for (const std::size_t slot : workers_->slots()) {
    const bool watching = workers_->shared(slot).active.load() > 0 || workers_->worker(slot).stack_dump_sent_ms != 0;
    shorten(watching ? kDeadlineCheckMs : kIdleCheckMs);
  }
  // A signal, or a worker that now serves (see ReadyNotices): the loop's next turn acts on it.
  pollfd fds[] = {{signals_->fd(), POLLIN, 0}, {ready_notices_->fd(), POLLIN, 0}};
  ::poll(fds, 2, timeout_ms);
  if (fds[1].revents & POLLIN) ready_notices_->drain();
}

void Master::reapChildren() {
  while (const auto ended = reapEndedChild()) {
    const auto slot = workers_->slotOf(ended->pid);
    if (!slot) continue;
    accountExit(*slot, ended->wait_status, monotonicMillis() - workers_->worker(*slot).started_ms);
    workers_->release(*slot);
  }
}

void Master::accountExit(std::size_t slot_index, int wait_status, std::int64_t lived_ms) {
  const WorkerRecord& child = workers_->worker(slot_index);
  const WorkerSlot& slot = workers_->shared(slot_index);
  const std::string uri = slot.active.load() > 0 ? slot.currentUri() : std::string();
  LaneCounters& counters = workers_->counters(child.lane);
  const int code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  const WorkerEndVerdict verdict =
      judgeWorkerEnd({wait_status, slot.ready_ms.load() != 0, child.told_to_stop, child.killed, lived_ms});

  std::string message = std::string(laneName(child.lane)) + " worker " + std::to_string(child.pid) + " (generation " +
                        std::to_string(child.generation->number) + ") " + describeWaitStatus(wait_status) + " after " +
                        std::to_string(lived_ms) + " ms";
  if (!uri.empty()) message += " while serving " + uri;
  message += ": " + std::string(workerEndName(verdict.end));

  // A worker that fails while the master stops (or any worker of a stopping master) needs no
  // replacement and counts as no restart.
  const bool failed = verdict.end == WorkerEnd::kBootFailure || verdict.end == WorkerEnd::kCrash;
  std::optional<RestartReason> reason;
  if (verdict.end == WorkerEnd::kKilledAtDeadline) {
    reason = RestartReason::kDeadline;
  } else if (verdict.end == WorkerEnd::kRecycled) {
    reason = code == kExitRecycleRequests ? RestartReason::kMaxRequests : RestartReason::kMemory;
  } else if (failed && stop_ == Stop::kNone) {
    reason = RestartReason::kCrash;
  }
  if (reason) counters.restarts[static_cast<std::size_t>(*reason)].fetch_add(1);
  // The lane's recycling lock passes from the leaving worker to the master, which releases it
  // once the lane is fully staffed again (releaseRecyclingLocks): one worker out at a time.
  pid_t recycling = child.pid;
  counters.recycling.compare_exchange_strong(recycling, kRecyclingHandover);

  if (verdict.is_error) {
    log_.error(message);
  } else {
    log_.information(message);
  }

  LaneSupervision& lane = supervision(child.lane);
  if (reason == RestartReason::kCrash && verdict.back_off && child.generation == &current()) {
    ++lane.consecutive_failures;
    const std::int64_t backoff = std::min(kMaxBackoffMs, kFirstBackoffMs << std::min(lane.consecutive_failures - 1, 10u));
    lane.next_spawn_ms = monotonicMillis() + backoff;
    log_.warning("%s lane: %u workers in a row failed to start or died within %ld ms of starting; next start in %ld ms",
                 std::string(laneName(child.lane)), lane.consecutive_failures, static_cast<long>(kCrashLoopWindowMs),
                 static_cast<long>(backoff));
  } else if (reason != RestartReason::kCrash) {
    lane.consecutive_failures = 0;
  }
}

void Master::handleSignals() {
  for (const MasterSignal* signal : signals_->drain()) {
    if (signal->intent != MasterIntent::kReap) {
      log_.notice("received %s: %s", signalName(signal->number), std::string(signal->meaning));
    }
    switch (signal->intent) {
      case MasterIntent::kReap: break;  // reapChildren runs every turn
      case MasterIntent::kGracefulStop:
        if (stop_ == Stop::kNone) stop_ = Stop::kGraceful;
        break;
      case MasterIntent::kFastStop: stop_ = Stop::kFast; break;
      case MasterIntent::kReload: reload(); break;
      case MasterIntent::kAddSlowWorker: changeSlowWorkers(+1); break;
      case MasterIntent::kRemoveSlowWorker: changeSlowWorkers(-1); break;
    }
  }
}

// Reload builds the new config and service first; if either fails the current generation
// keeps serving untouched. Only on success do new workers start; the old ones are asked to
// stop once the new ones are ready (retireOldGenerations). The sockets stay open throughout,
// so requests queued in them are taken by whichever generation accepts next.
void Master::reload() {
  std::unique_ptr<Generation> next;
  try {
    Config config = reload_config_();
    LaneListeners sockets = openSockets(config);
    next = makeGeneration(std::move(config), std::move(sockets));
  } catch (const std::exception& error) {
    log_.error("reload failed, generation %u keeps serving: %s", current().number, std::string(error.what()));
    return;
  }
  log_.notice("reload: generation %u starts; generation %u stops once it is ready", next->number, current().number);
  cgroups_.apply(*next->config, log_);
  generations_.push_back(std::move(next));
  notifySystemd("RELOADING=1");
  announced_ready_ = false;
}

void Master::retireOldGenerations() {
  // The old generation keeps serving until every new worker is ready, however long that takes:
  // a new generation whose workers cannot start must not take the service down with it.
  if (generations_.size() > 1 && currentGenerationReady()) {
    for (const std::size_t slot : workers_->slots()) {
      WorkerRecord& child = workers_->worker(slot);
      if (child.generation == &current() || child.told_to_stop) continue;
      signalProcess(child.pid, SIGTERM);
      child.told_to_stop = true;
    }
  }
  // A generation with no workers left is released (its service's memory, unshared sockets).
  std::erase_if(generations_, [this](const std::unique_ptr<Generation>& generation) {
    if (generation.get() == &current()) return false;
    const auto slots = workers_->slots();
    return std::none_of(slots.begin(), slots.end(),
                        [&](std::size_t slot) { return workers_->worker(slot).generation == generation.get(); });
  });
}

// systemd (Type=notify) learns the service is ready once every worker of the current
// generation accepts requests, at start and after each reload.
void Master::announceReadiness() {
  if (announced_ready_ || !currentGenerationReady()) return;
  announced_ready_ = true;
  notifySystemd("READY=1\nSTATUS=generation " + std::to_string(current().number) + " serving");
  log_.notice("generation %u ready", current().number);
}

bool Master::currentGenerationReady() const {
  return std::all_of(std::begin(kLanes), std::end(kLanes), [this](Lane lane) { return laneReady(lane); });
}

bool Master::laneReady(Lane lane) const {
  unsigned ready = 0;
  for (const std::size_t slot : workers_->slots()) {
    const WorkerRecord& child = workers_->worker(slot);
    if (child.lane != lane || child.generation != &current() || child.told_to_stop) continue;
    const WorkerState state = workers_->shared(slot).state.load();
    if (state == WorkerState::kIdle || state == WorkerState::kBusy) ++ready;
  }
  return ready >= workers_->target(lane);
}

// Once the lane is fully staffed again, the lock goes to the worker that has waited longest
// to be recycled, or is freed. The worker learns of its turn by signal, so it leaves after its
// current request or at once when idle: waiting for its next request, an idle worker (whose
// kept connections nginx does not happen to pick) would hold the lock from the busy ones.
void Master::releaseRecyclingLocks() {
  for (const Lane lane : kLanes) {
    std::atomic<pid_t>& lock = workers_->counters(lane).recycling;
    pid_t holder = lock.load();
    if (holder != kRecyclingHandover && holder != 0) continue;  // a worker is leaving
    if (!laneReady(lane)) continue;
    const pid_t next = longestWaitingToRecycle(lane);
    if (lock.compare_exchange_strong(holder, next) && next != 0) signalProcess(next, kRecyclingTurnSignal);
  }
}

pid_t Master::longestWaitingToRecycle(Lane lane) const {
  pid_t longest = 0;
  std::int64_t longest_since = 0;
  for (const std::size_t slot : workers_->slots()) {
    const WorkerRecord& child = workers_->worker(slot);
    if (child.lane != lane || child.generation != &current() || child.told_to_stop) continue;
    const std::int64_t since = workers_->shared(slot).recycle_waiting_since_ms.load();
    if (since != 0 && (longest == 0 || since < longest_since)) {
      longest = child.pid;
      longest_since = since;
    }
  }
  return longest;
}

void Master::changeSlowWorkers(int delta) {
  const unsigned before = workers_->target(Lane::kSlow);
  const unsigned target = static_cast<unsigned>(std::clamp<int>(static_cast<int>(before) + delta, 1, 256));
  if (target == before) {
    log_.warning("slow lane stays at %u workers (the range is 1 to 256)", before);
    return;
  }
  workers_->setTarget(Lane::kSlow, target);
  log_.notice("slow lane: target now %u workers", target);
  if (delta > 0) return;
  // Prefer an idle worker, so no request waits for the one leaving.
  WorkerRecord* leaving = nullptr;
  for (const std::size_t slot : workers_->slots()) {
    WorkerRecord& child = workers_->worker(slot);
    if (child.lane != Lane::kSlow || child.generation != &current() || child.told_to_stop) continue;
    if (!leaving || workers_->shared(slot).state.load() == WorkerState::kIdle) leaving = &child;
  }
  if (leaving) {
    signalProcess(leaving->pid, SIGTERM);
    leaving->told_to_stop = true;
  }
}

void Master::killOverdueWorkers() {
  const std::int64_t now = monotonicMillis();
  for (const std::size_t slot_index : workers_->slots()) {
    WorkerRecord& child = workers_->worker(slot_index);
    if (child.killed) continue;
    const WorkerSlot& slot = workers_->shared(slot_index);
    const auto [started_ms, thread] = slot.oldestRequest();
    const LaneConfig& lane = child.generation->config->lane(child.lane);
    const OverdueAction action = overdueAction(now, started_ms, lane.request_timeout, child.stack_dump_sent_ms);
    if (action == OverdueAction::kNone) child.stack_dump_sent_ms = 0;
    if (action == OverdueAction::kNone || action == OverdueAction::kWaitForDump) continue;
    const std::string what = std::string(laneName(child.lane)) + " worker " + std::to_string(child.pid) +
                             " serving " + slot.currentUri() + " for " + std::to_string(now - started_ms) +
                             " ms (request_timeout " + std::to_string(lane.request_timeout.count()) + " ms)";
    if (action == OverdueAction::kDumpStack) {
      log_.warning("%s did not stop at its deadline; its stack follows, then it is killed", what);
      signalThread(child.pid, slot.thread_id[thread].load(), kStackDumpSignal);
      child.stack_dump_sent_ms = now;
    } else {
      log_.error("killing %s", what);
      signalProcess(child.pid, SIGKILL);
      child.killed = true;
      workers_->counters(child.lane).kills.fetch_add(1);
    }
  }
}

void Master::spawnMissingWorkers() {
  for (const Lane lane : kLanes) {
    // spawnWorker sets a back-off when it cannot fork (EAGAIN) or the table is full; the loop
    // must see it, or it would spin without ever handling a signal again.
    while (servingWorkers(lane) < workers_->target(lane) && supervision(lane).next_spawn_ms <= monotonicMillis()) {
      spawnWorker(lane);
    }
  }
}

void Master::spawnWorker(Lane lane) {
  const auto slot_index = workers_->freeSlot();
  if (!slot_index) {
    log_.critical("scoreboard full: cannot start a %s worker", std::string(laneName(lane)));
    supervision(lane).next_spawn_ms = monotonicMillis() + kMaxBackoffMs;
    return;
  }
  Generation& generation = current();

  WorkerPlan plan;
  plan.lane = lane;
  plan.lane_config = &generation.config->lane(lane);
  plan.listen_fd = generation.listeners[static_cast<std::size_t>(lane)]->fd.get();
  plan.slot_index = *slot_index;
  plan.master_pid = pid_;
  plan.service = generation.service.get();
  plan.scoreboard = &workers_->scoreboard();
  plan.view = generation.view;
  plan.master_only_fds.push_back(signals_->fd());
  plan.ready_notice_fd = ready_notices_->fd();
  for (const Lane each : kLanes) {
    if (cgroups_.procsFd(each) >= 0) plan.master_only_fds.push_back(cgroups_.procsFd(each));
  }
  for (const int fd : listeners_->openFds()) {
    if (fd != plan.listen_fd) plan.master_only_fds.push_back(fd);
  }

  pid_t pid = 0;
  try {
    pid = forkWorker(plan);
  } catch (const std::system_error& error) {
    log_.error(error.what());
    supervision(lane).next_spawn_ms = monotonicMillis() + kFirstBackoffMs;
    return;
  }

  // Into its lane's cgroup before it shows in the scoreboard (and /status).
  if (const std::string failure = cgroups_.moveWorker(lane, pid); !failure.empty()) {
    log_.warning("%s worker %d stays in the master's cgroup: %s", std::string(laneName(lane)), static_cast<int>(pid), failure);
  }
  workers_->assign(*slot_index, pid, lane, generation, generation.number);
  log_.information("%s worker %d started (generation %u, slot %z)", std::string(laneName(lane)), static_cast<int>(pid),
                   generation.number, *slot_index);
}

void Master::stopWorkers(int signal_number, std::chrono::milliseconds deadline) {
  for (const std::size_t slot : workers_->slots()) {
    WorkerRecord& child = workers_->worker(slot);
    signalProcess(child.pid, signal_number);
    child.told_to_stop = true;
  }
  const std::int64_t give_up = monotonicMillis() + deadline.count();
  while (true) {
    reapChildren();
    if (workers_->count() == 0) return;
    const std::int64_t left = give_up - monotonicMillis();
    if (left <= 0) {
      log_.warning("%z workers still running after %ld ms", workers_->count(), static_cast<long>(deadline.count()));
      return;
    }
    // SIGCHLD arrives on the signalfd; a QUIT during a graceful stop cuts it short.
    pollfd fd{signals_->fd(), POLLIN, 0};
    ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left, 1000)));
    for (const MasterSignal* signal : signals_->drain()) {
      if (signal->intent == MasterIntent::kFastStop && signal_number != SIGKILL) {
        log_.notice("received %s during the graceful stop: stopping at once", signalName(signal->number));
        return;
      }
    }
  }
}

unsigned Master::servingWorkers(Lane lane) const {
  const auto slots = workers_->slots();
  return static_cast<unsigned>(std::count_if(slots.begin(), slots.end(), [&](std::size_t slot) {
    const WorkerRecord& c = workers_->worker(slot);
    return c.lane == lane && c.generation == &current() && !c.told_to_stop;
  }));
}

}  // namespace twinlane::pool
