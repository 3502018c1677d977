// SPDX-License-Identifier: Apache-2.0
// Signal plumbing for master and workers: see signals.h.
#include "pool/signals.h"

#include <execinfo.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace twinlane::pool {
namespace {

// The only globals: what a worker's async-signal handler needs.
volatile sig_atomic_t g_stop_requested = 0;
volatile sig_atomic_t g_recycling_turn = 0;
int g_wake_fd = -1;

void onGracefulStop(int) {
  const int saved = errno;
  g_stop_requested = 1;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(g_wake_fd, &one, sizeof one);
  errno = saved;
}

void onRecyclingTurn(int number) {
  g_recycling_turn = 1;
  onGracefulStop(number);
}

// QUIT means now: in-flight requests are abandoned, as the operator asked.
void onImmediateStop(int) { ::_exit(0); }

// Only async-signal-safe calls: backtrace() was called once at start-up, so it does not load
// libgcc (and allocate) here; backtrace_symbols_fd() writes without allocating.
void onStackDump(int) {
  const int saved = errno;
  static const char kHeader[] = "twinlane worker: stack of the thread serving the overdue request:\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, kHeader, sizeof kHeader - 1);
  void* frames[64];
  const int depth = ::backtrace(frames, 64);
  ::backtrace_symbols_fd(frames, depth, STDERR_FILENO);
  errno = saved;
}

void setHandler(int number, void (*handler)(int)) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: poll() returns EINTR and the loop re-checks
  ::sigaction(number, &action, nullptr);
}

}  // namespace

MasterSignals::MasterSignals() : owner_(::getpid()) {
  sigemptyset(&blocked_);
  for (const auto& s : kMasterSignals) sigaddset(&blocked_, s.number);
  if (::sigprocmask(SIG_BLOCK, &blocked_, &previous_) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot block the master's signals");
  }
  fd_ = UniqueFd(::signalfd(-1, &blocked_, SFD_NONBLOCK | SFD_CLOEXEC));
  if (!fd_) throw std::system_error(errno, std::generic_category(), "cannot open a signalfd");
  ::signal(SIGPIPE, SIG_IGN);
}

MasterSignals::~MasterSignals() {
  if (::getpid() == owner_) ::sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

std::vector<const MasterSignal*> MasterSignals::drain() {
  std::vector<const MasterSignal*> delivered;
  signalfd_siginfo info{};
  while (::read(fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    for (const auto& s : kMasterSignals) {
      if (static_cast<int>(info.ssi_signo) == s.number) delivered.push_back(&s);
    }
  }
  return delivered;
}

void installWorkerSignals(int wake_fd) {
  g_wake_fd = wake_fd;
  setHandler(SIGTERM, onGracefulStop);
  setHandler(SIGINT, onGracefulStop);
  setHandler(SIGQUIT, onImmediateStop);
  setHandler(kRecyclingTurnSignal, onRecyclingTurn);
  void* warm_up[1];
  ::backtrace(warm_up, 1);
  setHandler(kStackDumpSignal, onStackDump);
  for (const int ignored : {SIGPIPE, SIGHUP, SIGTTIN, SIGTTOU}) ::signal(ignored, SIG_IGN);
  ::signal(SIGCHLD, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool workerStopRequested() { return g_stop_requested != 0; }

void requestWorkerStop() { onGracefulStop(0); }

bool workerRecyclingTurnGiven() { return g_recycling_turn != 0; }

}  // namespace twinlane::pool
