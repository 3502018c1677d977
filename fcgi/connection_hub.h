// SPDX-License-Identifier: Apache-2.0
// ConnectionHub: where the serving threads of one worker process wait for work on a lane's
// listener. Its epoll set holds the listener, the worker's wake-up fd and every connection the
// web server keeps alive between two requests (FCGI_KEEP_CONN, nginx's upstream keepalive).
// A kept connection waits here, not in a thread: only a connection with a request to read (or
// a new one) is handed to a thread, so any number of idle kept connections cost one fd each
// and never make a request on another connection wait.
//
// Threads take turns (leader/followers): one waits in epoll_wait, the others wait for their
// turn, so an event wakes one thread per process. Kept connections are armed EPOLLONESHOT:
// one event hands a connection to exactly one thread, which re-arms it with park() after the
// answer. A kept connection idle longer than kKeptIdleLimit is closed: nginx closes its own
// first (the rendered keepalive_timeout is shorter), so this only bounds other peers.
//
// Out of file descriptors (EMFILE, ENFILE) or kernel memory, accept(2) fails for the moment,
// not for good: the hub stops watching the listener for kAcceptPause (connections wait in the
// backlog; kept ones are still served), says so through its AcceptPaused callback, and resumes.
//
// On a TCP listener a peer outside the lane's allow-list is closed as soon as it is accepted,
// before a byte of it is read, and reported through the PeerRejected callback.
#pragma once

#include <sys/epoll.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "fcgi/peer_allow_list.h"
#include "fcgi/unique_fd.h"

namespace twinlane::fcgi {

class ConnectionHub {
 public:
  static constexpr std::chrono::seconds kKeptIdleLimit{90};
  // Past this many idle kept connections a worker closes the one it would keep (fds are a
  // per-process limit; nginx keeps `keepalive N` per nginx worker, far fewer).
  static constexpr std::size_t kMaxKept = 8192;
  static constexpr std::chrono::milliseconds kAcceptPause{100};
  // Told why accepting pauses, e.g. "accept4: Too many open files"; called by the waiting thread.
  using AcceptPaused = std::function<void(const std::string&)>;
  // Told the address of a peer closed at accept ("192.0.2.7"); called by the waiting thread.
  using PeerRejected = std::function<void(const std::string&)>;
  struct Callbacks {
    AcceptPaused accept_paused;
    PeerRejected peer_rejected;
  };

  // What a thread gets from next(): a connection to read a request from, a stop, or the
  // listener's failure.
  struct Work {
    // kNone: nothing for the caller (only inside next()).
    enum class Kind { kConnection, kWoken, kFailed, kNone } kind = Kind::kWoken;
    UniqueFd connection;
    bool kept = false;    // a kept connection (registered in the epoll set), not a new one
    std::string failure;  // kFailed: the call and its error, e.g. "accept4: Too many open files"
  };
  // kStopping: the worker is stopping and keeps no connection; the caller closes it.
  enum class Parked { kParked, kOverLimit, kStopping, kFailed };

  // Throws std::runtime_error when the epoll set cannot be made.
  // `allow` (null: every peer) must outlive the hub.
  ConnectionHub(int listen_fd, int wake_fd, const PeerAllowList* allow = nullptr, Callbacks callbacks = {});
  ConnectionHub(const ConnectionHub&) = delete;
  ConnectionHub& operator=(const ConnectionHub&) = delete;

  // Blocks until a new connection is accepted, a kept connection has something to read, or
  // the wake fd is readable (kWoken, for every caller from then on). Kept connections with a
  // request are handed out before a stop is; the idle ones are closed then, and none is kept
  // after it.
  Work next();
  // Keeps `connection` until its next request. `kept` says whether it came from next() as a
  // kept connection (already in the epoll set). On kOverLimit or kFailed the caller's
  // connection is left as it was, for the caller to close.
  Parked park(UniqueFd& connection, bool kept);
  // How many kept connections wait here now.
  std::size_t keptCount() const;

 private:
  struct Idle {
    UniqueFd connection;
    std::int64_t since_ms;
  };

  Work takeEvent(const epoll_event& event);
  Work acceptNew();
  void closeExpired(std::int64_t now_ms);
  void closeIdleKept();
  void pauseAccepting(int error, std::int64_t now_ms);
  // False when the listener cannot be watched again (errno says why).
  bool resumeAccepting(std::int64_t now_ms);
  void collectReadyKept();
  int waitTimeoutMs(std::int64_t now_ms) const;

  int listen_fd_;
  int wake_fd_;
  const PeerAllowList* allow_;
  Callbacks callbacks_;
  UniqueFd epoll_;
  std::mutex turn_;  // held by the thread that waits in epoll_wait and hands out its events
  static constexpr int kWaitBatch = 16;
  std::vector<epoll_event> events_ = std::vector<epoll_event>(kWaitBatch);  // grows only on stop
  int events_at_ = 0;  // the next of events_[0, events_count_) to hand out (under turn_)
  int events_count_ = 0;
  bool woken_ = false;    // the wake fd was seen; under turn_
  bool drained_ = false;  // and the kept connections with requests were collected; under turn_
  std::int64_t next_expiry_check_ms_ = 0;  // under turn_
  std::int64_t accept_paused_until_ms_ = 0;  // 0: the listener is watched; under turn_
  mutable std::mutex kept_lock_;
  std::unordered_map<int, Idle> kept_;  // fd → the connection idle since; under kept_lock_
  bool stopping_ = false;               // under kept_lock_
};

}  // namespace twinlane::fcgi
