// SPDX-License-Identifier: Apache-2.0
// The master process: see master.h.
#include "pool/master.h"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Timestamp.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>

#include "fcgi/listener.h"
#include "pool/exit_codes.h"
#include "pool/queue_length.h"
#include "pool/worker.h"

namespace twinlane::pool {
namespace {

// A worker that dies sooner than this after its start counts towards a crash loop.
constexpr std::int64_t kFirstBackoffMs = 100;
constexpr std::int64_t kMaxBackoffMs = 10000;
// A request this long past request_timeout did not stop cooperatively: its thread's stack is
// dumped, and the worker killed kStackDumpWaitMs later (time for the dump to be written).
constexpr std::int64_t kKillGraceMs = 1000;
constexpr std::int64_t kStackDumpWaitMs = 300;
// How often the loop looks at deadlines: often while a request runs, and still now and then
// when all are idle, since a worker starting a request does not wake the master.
constexpr int kDeadlineCheckMs = 100;
constexpr int kIdleCheckMs = 250;
// Two generations (during a reload) of two lanes of at most 256 workers, plus TTIN headroom.
constexpr std::size_t kScoreboardSlots = 1100;

std::string toJson(const Poco::JSON::Object::Ptr& object) {
  std::ostringstream out;
  object->stringify(out);
  return out.str();
}

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

Listener::~Listener() {
  if (owner != ::getpid()) return;
  fd.reset();
  if (const int error = fcgi::removeSocketFile(address); error != 0) {
    Poco::Logger::get("twinlane.master")
        .warning("cannot remove the socket file %s: %s (is its directory writable by the user the master runs as?)",
                 address.toString(), std::string(std::strerror(error)));
  }
}

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
  inherited_sockets_ = takeInheritedSockets();
  started_at_ = Poco::DateTimeFormatter::format(Poco::Timestamp(), Poco::DateTimeFormat::ISO8601_FORMAT);
  workers_ = std::make_unique<WorkerTable>(kScoreboardSlots);
  generations_.push_back(makeGeneration(std::move(initial_config_)));
  for (const Lane lane : kLanes) {
    const LaneConfig& config = current().config->lane(laneName(lane));
    log_.notice("%s lane: %u processes x %u threads on %s, routes %s", std::string(laneName(lane)), config.processes,
                config.threads, config.listen.toString(), routeList(config));
  }
  for (const InheritedSocket& unused : inherited_sockets_) {
    log_.warning("systemd passed a socket for %s, which no lane listens on; closing it", unused.address.toString());
  }
  inherited_sockets_.clear();
}

std::unique_ptr<Generation> Master::makeGeneration(Config config) {
  auto generation = std::make_unique<Generation>();
  generation->number = generations_.empty() ? 1 : current().number + 1;
  generation->config = std::make_unique<const Config>(std::move(config));
  const Config& settings = *generation->config;
  for (const Lane lane : kLanes) {
    generation->listeners[static_cast<std::size_t>(lane)] = listenerFor(settings.lane(laneName(lane)));
  }
  if (generations_.empty()) dropPrivileges(settings);

  const std::int64_t load_start = monotonicMillis();
  generation->service = make_service_(settings);
  generation->view.config = generation->config.get();
  generation->view.scoreboard = &workers_->scoreboard();
  generation->view.service = generation->service.get();
  generation->view.service_summary = generation->service->summary();
  generation->view.started_at = started_at_;
  generation->view.generation = generation->number;
  for (const Lane lane : kLanes) {
    generation->view.listener_inodes[static_cast<std::size_t>(lane)] =
        generation->listeners[static_cast<std::size_t>(lane)]->inode;
  }
  log_.notice("generation %u: loaded %s in %ld ms", generation->number, toJson(generation->view.service_summary),
              static_cast<long>(monotonicMillis() - load_start));

  // Only now, with the service loaded, may the new settings touch what is running.
  for (const Lane lane : kLanes) {
    const LaneConfig& lane_config = settings.lane(laneName(lane));
    const Listener& listener = *generation->listeners[static_cast<std::size_t>(lane)];
    // listen() on a listening socket only changes its backlog (the queue's capacity); this holds
    // for sockets systemd passed too, so queue.capacity stays the one setting for it.
    if (::listen(listener.fd.get(), static_cast<int>(lane_config.queue_capacity)) != 0) {
      log_.warning("cannot set the backlog of %s: %s", lane_config.listen.toString(), std::string(std::strerror(errno)));
    }
    supervision(lane) = LaneSupervision{};
    workers_->setTarget(lane, lane_config.processes);
  }
  return generation;
}

// The same address keeps its socket across generations (nothing queued is lost); a new
// address gets a new socket, and the old one closes when its last generation retires.
std::shared_ptr<Listener> Master::listenerFor(const LaneConfig& lane) {
  for (const auto& generation : generations_) {
    for (const auto& listener : generation->listeners) {
      if (listener->address.toString() == lane.listen.toString()) return listener;
    }
  }
  auto listener = std::make_shared<Listener>();
  listener->address = lane.listen;
  const auto inherited = std::find_if(inherited_sockets_.begin(), inherited_sockets_.end(), [&](const InheritedSocket& s) {
    return s.address.toString() == lane.listen.toString();
  });
  if (inherited != inherited_sockets_.end()) {
    // systemd's socket unit owns it (and its backlog, owner and mode): adopt, never remove.
    listener->fd = std::move(inherited->fd);
    inherited_sockets_.erase(inherited);
    log_.notice("%s: using the socket passed by systemd", lane.listen.toString());
  } else {
    listener->fd = fcgi::openListener(lane.listen, static_cast<int>(lane.queue_capacity), lane.socket);
    listener->owner = ::getpid();
  }
  listener->inode = socketInode(listener->fd.get());
  return listener;
}

void Master::dropPrivileges(const Config& config) {
  if (config.user.empty() && config.group.empty()) return;
  if (::geteuid() != 0) {
    const passwd* self = ::getpwuid(::geteuid());
    if (self && config.user == self->pw_name) return;  // already the configured user (e.g. systemd's User=)
    log_.warning("not started as root: staying user %d (user/group in the config apply only to root)",
                 static_cast<int>(::geteuid()));
    return;
  }
  const passwd* user = config.user.empty() ? nullptr : ::getpwnam(config.user.c_str());
  if (!config.user.empty() && !user) throw ConfigError(config.source + ": user: '" + config.user + "' does not exist");
  gid_t gid = user ? user->pw_gid : 0;
  if (!config.group.empty()) {
    const group* grp = ::getgrnam(config.group.c_str());
    if (!grp) throw ConfigError(config.source + ": group: '" + config.group + "' does not exist");
    gid = grp->gr_gid;
  }
  // Supplementary groups first, then the group, then the user: after setuid nothing else may change.
  const std::string who = "user " + (config.user.empty() ? std::string("root") : config.user) + ", group " +
                          std::to_string(gid);
  const auto fail = [&](const char* call) {
    throw std::runtime_error(std::string("cannot drop privileges to ") + who + ": " + call + ": " + std::strerror(errno));
  };
  if ((user ? ::initgroups(user->pw_name, gid) : ::setgroups(0, nullptr)) != 0) fail(user ? "initgroups" : "setgroups");
  if (::setgid(gid) != 0) fail("setgid");
  if (user && ::setuid(user->pw_uid) != 0) fail("setuid");
  log_.notice("dropped privileges to user %s, group %d", config.user.empty() ? std::string("root") : config.user,
              static_cast<int>(gid));
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
  if (generations_.size() > 1) shorten(kDeadlineCheckMs);  // watching the new generation get ready
  pollfd fd{signals_->fd(), POLLIN, 0};
  ::poll(&fd, 1, timeout_ms);
}

void Master::reapChildren() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
    const auto slot = workers_->slotOf(pid);
    if (!slot) continue;
    accountExit(*slot, status, monotonicMillis() - workers_->worker(*slot).started_ms);
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
    next = makeGeneration(reload_config_());
  } catch (const std::exception& error) {
    log_.error("reload failed, generation %u keeps serving: %s", current().number, std::string(error.what()));
    return;
  }
  log_.notice("reload: generation %u starts; generation %u stops once it is ready", next->number, current().number);
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
      ::kill(child.pid, SIGTERM);
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

void Master::releaseRecyclingLocks() {
  for (const Lane lane : kLanes) {
    pid_t handover = kRecyclingHandover;
    if (laneReady(lane)) workers_->counters(lane).recycling.compare_exchange_strong(handover, 0);
  }
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
    ::kill(leaving->pid, SIGTERM);
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
    const LaneConfig& lane = child.generation->config->lane(laneName(child.lane));
    if (started_ms == 0 || now - started_ms <= lane.request_timeout.count() + kKillGraceMs) {
      child.stack_dump_sent_ms = 0;
      continue;
    }
    const std::string what = std::string(laneName(child.lane)) + " worker " + std::to_string(child.pid) +
                             " serving " + slot.currentUri() + " for " + std::to_string(now - started_ms) +
                             " ms (request_timeout " + std::to_string(lane.request_timeout.count()) + " ms)";
    if (child.stack_dump_sent_ms == 0) {
      log_.warning("%s did not stop at its deadline; its stack follows, then it is killed", what);
      ::syscall(SYS_tgkill, child.pid, slot.thread_id[thread].load(), kStackDumpSignal);
      child.stack_dump_sent_ms = now;
    } else if (now - child.stack_dump_sent_ms >= kStackDumpWaitMs) {
      log_.error("killing %s", what);
      ::kill(child.pid, SIGKILL);
      child.killed = true;
      workers_->counters(child.lane).kills.fetch_add(1);
    }
  }
}

void Master::spawnMissingWorkers() {
  const std::int64_t now = monotonicMillis();
  for (const Lane lane : kLanes) {
    if (supervision(lane).next_spawn_ms > now) continue;
    while (servingWorkers(lane) < workers_->target(lane)) spawnWorker(lane);
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
  plan.lane_config = &generation.config->lane(laneName(lane));
  plan.listen_fd = generation.listeners[static_cast<std::size_t>(lane)]->fd.get();
  plan.slot_index = *slot_index;
  plan.master_pid = pid_;
  plan.service = generation.service.get();
  plan.scoreboard = &workers_->scoreboard();
  plan.view = generation.view;
  plan.master_only_fds.push_back(signals_->fd());
  for (const auto& g : generations_) {
    for (const auto& listener : g->listeners) {
      if (listener->fd.get() != plan.listen_fd) plan.master_only_fds.push_back(listener->fd.get());
    }
  }

  const pid_t pid = ::fork();
  if (pid < 0) {
    log_.error("cannot fork a %s worker: %s", std::string(laneName(lane)), std::string(std::strerror(errno)));
    supervision(lane).next_spawn_ms = monotonicMillis() + kFirstBackoffMs;
    return;
  }
  if (pid == 0) runWorker(plan);  // never returns

  workers_->assign(*slot_index, pid, lane, generation, generation.number);
  log_.information("%s worker %d started (generation %u, slot %z)", std::string(laneName(lane)), static_cast<int>(pid),
                   generation.number, *slot_index);
}

void Master::stopWorkers(int signal_number, std::chrono::milliseconds deadline) {
  for (const std::size_t slot : workers_->slots()) {
    WorkerRecord& child = workers_->worker(slot);
    ::kill(child.pid, signal_number);
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
