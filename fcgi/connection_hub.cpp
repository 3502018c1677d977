// SPDX-License-Identifier: Apache-2.0
// Waiting for new and kept connections in one epoll set: see connection_hub.h.
#include "fcgi/connection_hub.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace twinlane::fcgi {
namespace {

// The listener, in every worker process's set: EPOLLEXCLUSIVE wakes the set of one worker with
// a thread waiting (the longest-registered first), not all of them, and skips a worker whose
// threads are all busy. Without it the kernel wakes every set, the most recently registered
// first, so a freshly started worker took nearly every connection from an older idle one.
constexpr std::uint32_t kListenerEvents = EPOLLIN | EPOLLEXCLUSIVE;

// How often the waiting thread looks for kept connections idle past the limit.
constexpr int kExpiryCheckMs = 1000;

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Errors of accept(2) that concern one connection (or another process's win), not the listener.
bool isConnectionError(int error) {
  switch (error) {
    case EAGAIN:
    case EINTR:
    case ECONNABORTED:
    case EPROTO:
    case EPERM:  // refused by a firewall rule
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
      return true;
    default:
      return false;
  }
}

// accept(2) failing for want of descriptors or memory: the next attempt may succeed.
bool isShortOfResources(int error) { return error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM; }

// No work for the caller yet: next() goes on waiting.
ConnectionHub::Work nothing() {
  ConnectionHub::Work work;
  work.kind = ConnectionHub::Work::Kind::kNone;
  return work;
}

ConnectionHub::Work failed(const std::string& call, int error) {
  ConnectionHub::Work work;
  work.kind = ConnectionHub::Work::Kind::kFailed;
  work.failure = call + ": " + std::strerror(error);
  return work;
}

void addToSet(int epoll_fd, int fd, std::uint32_t events, const char* what) {
  epoll_event event{};
  event.events = events;
  event.data.fd = fd;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) != 0) {
    throw std::runtime_error(std::string("cannot wait on the ") + what + ": epoll_ctl: " + std::strerror(errno));
  }
}

}  // namespace

ConnectionHub::ConnectionHub(int listen_fd, int wake_fd, const PeerAllowList* allow, Callbacks callbacks)
    : listen_fd_(listen_fd),
      wake_fd_(wake_fd),
      allow_(allow),
      callbacks_(std::move(callbacks)),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
  if (!epoll_) throw std::runtime_error(std::string("cannot make an epoll set: ") + std::strerror(errno));
  addToSet(epoll_.get(), wake_fd_, EPOLLIN, "wake-up fd");
  addToSet(epoll_.get(), listen_fd_, kListenerEvents, "listener");
}

ConnectionHub::Work ConnectionHub::next() {
  const std::lock_guard<std::mutex> turn(turn_);
  while (true) {
    if (events_at_ == events_count_) {
      if (drained_) return Work{};
      // Only with no event in hand: an expired connection is then surely not among them.
      const std::int64_t now = nowMillis();
      if (now >= next_expiry_check_ms_) closeExpired(now);
      if (!woken_ && !resumeAccepting(now)) return failed("epoll_ctl adding the listener again", errno);
      if (woken_) {
        // Told to stop: serve the requests already waiting on kept connections, then close
        // the idle ones at once. Left open, nginx would send them requests that no thread of
        // this worker reads until it exits.
        drained_ = true;
        collectReadyKept();
        closeIdleKept();
        continue;
      }
      const int count = ::epoll_wait(epoll_.get(), events_.data(), kWaitBatch, waitTimeoutMs(now));
      if (count < 0) {
        if (errno == EINTR) continue;
        return failed("epoll_wait", errno);
      }
      events_at_ = 0;
      events_count_ = count;
      continue;
    }
    Work work = takeEvent(events_[events_at_++]);
    if (work.kind != Work::Kind::kNone) return work;
  }
}

ConnectionHub::Work ConnectionHub::takeEvent(const epoll_event& event) {
  if (event.data.fd == wake_fd_) {
    woken_ = true;  // stop once the kept connections reported readable are served
    return nothing();
  }
  if (event.data.fd == listen_fd_) {
    if (woken_) return nothing();
    if (event.events & EPOLLERR) {
      int error = 0;
      socklen_t size = sizeof error;
      ::getsockopt(listen_fd_, SOL_SOCKET, SO_ERROR, &error, &size);
      return failed("epoll_wait on the listener", error);
    }
    if (accept_paused_until_ms_ != 0) return nothing();  // reported before the pause began
    return acceptNew();
  }
  const std::lock_guard<std::mutex> lock(kept_lock_);
  const auto found = kept_.find(event.data.fd);
  if (found == kept_.end()) return nothing();  // closed on stop, after its event came
  Work work;
  work.kind = Work::Kind::kConnection;
  work.connection = std::move(found->second.connection);
  work.kept = true;
  kept_.erase(found);
  return work;
}

ConnectionHub::Work ConnectionHub::acceptNew() {
  sockaddr_storage peer{};
  socklen_t peer_length = sizeof(peer);
  const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &peer_length, SOCK_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (isConnectionError(error)) return nothing();  // lost to another process
    if (isShortOfResources(error)) {
      pauseAccepting(error, nowMillis());
      return nothing();
    }
    return failed("accept4", error);
  }
  Work work;
  work.kind = Work::Kind::kConnection;
  work.connection.reset(fd);
  if (allow_ != nullptr && !allow_->allows(reinterpret_cast<const sockaddr*>(&peer))) {
    work.connection.reset();  // closed unread: nothing of it reaches a thread
    if (callbacks_.peer_rejected) callbacks_.peer_rejected(peerAddressText(reinterpret_cast<const sockaddr*>(&peer)));
    return nothing();
  }
  return work;
}

ConnectionHub::Parked ConnectionHub::park(UniqueFd& connection, bool kept) {
  const int fd = connection.get();
  const std::lock_guard<std::mutex> lock(kept_lock_);
  if (stopping_) return Parked::kStopping;
  if (kept_.size() >= kMaxKept) return Parked::kOverLimit;
  // In the map before it is armed: its event may come at once, to the waiting thread.
  kept_.emplace(fd, Idle{std::move(connection), nowMillis()});
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
  event.data.fd = fd;
  if (::epoll_ctl(epoll_.get(), kept ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event) != 0) {
    const int error = errno;
    const auto found = kept_.find(fd);
    connection = std::move(found->second.connection);
    kept_.erase(found);
    errno = error;  // for the caller's message
    return Parked::kFailed;
  }
  return Parked::kParked;
}

std::size_t ConnectionHub::keptCount() const {
  const std::lock_guard<std::mutex> lock(kept_lock_);
  return kept_.size();
}

void ConnectionHub::closeExpired(std::int64_t now_ms) {
  next_expiry_check_ms_ = now_ms + kExpiryCheckMs;
  const std::int64_t limit = std::chrono::duration_cast<std::chrono::milliseconds>(kKeptIdleLimit).count();
  const std::lock_guard<std::mutex> lock(kept_lock_);
  for (auto it = kept_.begin(); it != kept_.end();) {
    if (now_ms - it->second.since_ms < limit) {
      ++it;
      continue;
    }
    // Out of the set first: closing alone would leave a queued event for a reused fd number.
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->first, nullptr);
    it = kept_.erase(it);
  }
}

void ConnectionHub::collectReadyKept() {
  // Without the wake fd (readable for good now) and the listener, the set holds only kept
  // connections, armed once each: waiting without blocking until none is left reports every
  // one that has something to read, however many.
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, wake_fd_, nullptr);
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listen_fd_, nullptr);
  events_.clear();
  while (true) {
    const std::size_t have = events_.size();
    events_.resize(have + kWaitBatch);
    const int count = ::epoll_wait(epoll_.get(), events_.data() + have, kWaitBatch, 0);
    if (count < 0 && errno == EINTR) {
      events_.resize(have);
      continue;
    }
    events_.resize(have + static_cast<std::size_t>(std::max(count, 0)));
    if (count <= 0) break;
  }
  events_at_ = 0;
  events_count_ = static_cast<int>(events_.size());
}

void ConnectionHub::closeIdleKept() {
  const std::lock_guard<std::mutex> lock(kept_lock_);
  stopping_ = true;
  // Those with an event among the last ones taken are still served: next() finds them gone
  // from the map only if closed here, so keep them.
  std::unordered_map<int, Idle> ready;
  for (int i = events_at_; i < events_count_; ++i) {
    const auto found = kept_.find(events_[i].data.fd);
    if (found != kept_.end()) ready.insert(kept_.extract(found));
  }
  kept_ = std::move(ready);
}

void ConnectionHub::pauseAccepting(int error, std::int64_t now_ms) {
  // Level-triggered, the listener would report the same waiting connection again at once.
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listen_fd_, nullptr);
  accept_paused_until_ms_ = now_ms + kAcceptPause.count();
  if (callbacks_.accept_paused) callbacks_.accept_paused(std::string("accept4: ") + std::strerror(error));
}

bool ConnectionHub::resumeAccepting(std::int64_t now_ms) {
  if (accept_paused_until_ms_ == 0 || now_ms < accept_paused_until_ms_) return true;
  accept_paused_until_ms_ = 0;
  epoll_event event{};
  event.events = kListenerEvents;
  event.data.fd = listen_fd_;
  return ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listen_fd_, &event) == 0;
}

int ConnectionHub::waitTimeoutMs(std::int64_t now_ms) const {
  // Also while none is kept: one may be parked while this thread waits.
  std::int64_t until = next_expiry_check_ms_;
  if (accept_paused_until_ms_ != 0) until = std::min(until, accept_paused_until_ms_);
  return static_cast<int>(std::max<std::int64_t>(0, until - now_ms));
}

}  // namespace twinlane::fcgi
