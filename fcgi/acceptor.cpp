// SPDX-License-Identifier: Apache-2.0
// Accepting connections and reading checked requests: see acceptor.h.
#include "fcgi/acceptor.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace twinlane::fcgi {
namespace {

// How long a thread waits for the next request on a connection the web server keeps alive
// before it closes it and goes back to the listener, so an idle kept connection never pins a
// thread while new connections wait in the backlog.
constexpr int kKeptConnectionIdleMs = 200;
// A request must arrive whole within this time of its first wait; nginx sends its parameters
// in one write and its (buffered) body right after, so only a stalled or hostile peer is slower.
constexpr std::chrono::milliseconds kRequestArrivalTimeout{10'000};
// libfcgi writes the answer with blocking writes: a peer that stops reading gets its connection
// closed after this long instead of pinning the thread.
constexpr timeval kSendTimeout{30, 0};

std::int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string describePeer(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0 && address.ss_family == AF_UNIX) {
    ucred credentials{};
    socklen_t size = sizeof credentials;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0) {
      return "pid " + std::to_string(credentials.pid) + " uid " + std::to_string(credentials.uid);
    }
    return "unix peer";
  }
  length = sizeof address;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "unknown peer";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(v4.sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    std::string described = "[";  // built in steps: GCC 12 at -O3 warns (-Wrestrict) on "[" + std::string
    described += text;
    described += "]:";
    described += std::to_string(ntohs(v6.sin6_port));
    return described;
  }
  return "unknown peer";
}

// Errors of accept(2) that concern one connection (or another acceptor's win), not the listener.
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

}  // namespace

void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { FCGX_Init(); });
}

Acceptor::Acceptor(int listen_fd, int wake_fd, std::mutex& accept_lock, InputLimits limits,
                   RefusalHandler on_refused)
    : listen_fd_(listen_fd),
      wake_fd_(wake_fd),
      accept_lock_(accept_lock),
      limits_(limits),
      on_refused_(std::move(on_refused)),
      guard_(limits) {
  initLibrary();
  // No listener for libfcgi: it only parses what the acceptor hands it. Should it ever fail to
  // parse, its retry then ends at once (EBADF) instead of accepting a connection unchecked.
  FCGX_InitRequest(&request_, -1, FCGI_FAIL_ACCEPT_ON_INTR);
  openReplayPipe();
}

Acceptor::~Acceptor() {
  request_.ipcFd = -1;  // the connection and the pipe are ours to close
  FCGX_Free(&request_, /*close=*/0);
}

void Acceptor::openReplayPipe() {
  int fds[2];
  // The read end is non-blocking: should libfcgi ever want more than was written, it sees an
  // error instead of waiting for ever on a pipe only this thread writes.
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cannot make the request pipe: ") + std::strerror(errno));
  }
  replay_read_.reset(fds[0]);
  replay_write_.reset(fds[1]);
  // BEGIN_REQUEST and the re-encoded PARAMS records must fit at once: libfcgi reads them all
  // before this thread writes again.
  const std::size_t needed = limits_.max_params + 1024;
  if (::fcntl(replay_write_.get(), F_GETPIPE_SZ) < static_cast<int>(needed) &&
      ::fcntl(replay_write_.get(), F_SETPIPE_SZ, static_cast<int>(needed)) < 0) {
    throw std::runtime_error("cannot size the request pipe for " + std::to_string(limits_.max_params) +
                             " bytes of parameters: " + std::strerror(errno) +
                             " (see /proc/sys/fs/pipe-max-size)");
  }
}

Acceptor::Outcome Acceptor::accept() {
  while (true) {
    if (connection_) {
      const Kept kept = awaitKeptRequest();
      if (kept != Kept::kReady) connection_.reset();
      if (kept == Kept::kWoken) return Outcome::kWoken;
    }
    if (!connection_) {
      const Outcome outcome = acceptConnection();
      if (outcome != Outcome::kAccepted) return outcome;
      guard_ = InputGuard(limits_);
    }
    switch (readRequest()) {
      case Read::kComplete:
        if (handToLibfcgi()) return Outcome::kAccepted;
        break;
      case Read::kRefused:
        refuse(guard_.rejection());
        break;
      case Read::kClosed:
        break;
    }
    connection_.reset();
  }
}

Acceptor::Kept Acceptor::awaitKeptRequest() {
  if (guard_.startNextRequest() != InputGuard::Progress::kNeedMore || guard_.started()) return Kept::kReady;
  while (true) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {connection_.get(), POLLIN | POLLRDHUP, 0}};
    const int ready = ::poll(fds, 2, kKeptConnectionIdleMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return Kept::kIdle;  // the web server opens a new connection when it needs one
    if (fds[0].revents != 0) return Kept::kWoken;
    return Kept::kReady;  // data, or an end that readRequest() reports as closed
  }
}

Acceptor::Outcome Acceptor::acceptConnection() {
  request_.ipcFd = -1;
  const std::lock_guard<std::mutex> turn(accept_lock_);
  while (true) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return Outcome::kFailed;
    }
    if (fds[0].revents != 0) return Outcome::kWoken;
    if (fds[1].revents & (POLLERR | POLLNVAL)) {
      errno = EBADF;
      return Outcome::kFailed;
    }
    if (!(fds[1].revents & POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (isConnectionError(errno)) continue;
      return Outcome::kFailed;
    }
    connection_.reset(fd);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &kSendTimeout, sizeof kSendTimeout);
    return Outcome::kAccepted;
  }
}

Acceptor::Read Acceptor::readRequest() {
  const std::int64_t deadline = nowMillis() + kRequestArrivalTimeout.count();
  char buffer[64 * 1024];
  while (guard_.progress() == InputGuard::Progress::kNeedMore) {
    const ssize_t n = ::recv(connection_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) {
      guard_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const std::int64_t left = deadline - nowMillis();
      pollfd fd{connection_.get(), POLLIN | POLLRDHUP, 0};
      const int ready = left > 0 ? ::poll(&fd, 1, static_cast<int>(left)) : 0;
      if (ready < 0 && errno != EINTR) return Read::kClosed;
      if (ready == 0) {
        if (!guard_.started()) return Read::kClosed;  // an idle connection, not a broken request
        refuse("no complete request within " + std::to_string(kRequestArrivalTimeout.count() / 1000) + " s (" +
               std::to_string(guard_.bytesReceived()) + " bytes received)");
        return Read::kClosed;
      }
      continue;
    }
    // The peer closed or reset the connection. Before any byte that is an ordinary end (a
    // kept connection closed by the web server, a probe); inside a request it is a broken one.
    if (!guard_.started()) return Read::kClosed;
    refuse("the connection ended after " + std::to_string(guard_.bytesReceived()) +
           " bytes, inside a request" + (n < 0 ? std::string(": ") + std::strerror(errno) : std::string()));
    return Read::kClosed;
  }
  return guard_.progress() == InputGuard::Progress::kComplete ? Read::kComplete : Read::kRefused;
}

bool Acceptor::handToLibfcgi() {
  const std::string records = guard_.headerRecords();
  std::size_t written = 0;
  while (written < records.size()) {
    const ssize_t n = ::write(replay_write_.get(), records.data() + written, records.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      refuse(std::string("cannot hand the parameters to libfcgi: ") + std::strerror(errno));
      openReplayPipe();  // whatever was written must not reach the next request
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  // keepConnection: FCGX_Accept_r first finishes the previous request and would close the pipe.
  request_.ipcFd = replay_read_.get();
  request_.keepConnection = 1;
  const int rc = FCGX_Accept_r(&request_);
  if (rc != 0) {
    // libfcgi closed the pipe's read end on its way out of a failed parse.
    static_cast<void>(replay_read_.release());
    request_.ipcFd = -1;
    refuse("libfcgi refused the checked parameters (code " + std::to_string(rc) + ")");
    openReplayPipe();
    return false;
  }
  // Answers go to the connection; libfcgi reads nothing more (the body is the guard's).
  request_.ipcFd = connection_.get();
  return true;
}

void Acceptor::refuse(const std::string& reason) {
  if (on_refused_) on_refused_({describePeer(connection_.get()), reason});
}

void Acceptor::finish() {
  FCGX_FClose(request_.err);
  FCGX_FClose(request_.out);
  const bool write_failed = FCGX_GetError(request_.out) != 0 || FCGX_GetError(request_.err) != 0;
  // libfcgi frees its streams; the connection stays ours, kept or closed below.
  request_.ipcFd = -1;
  request_.keepConnection = 1;
  FCGX_Finish_r(&request_);
  if (write_failed || !guard_.keepConnection()) connection_.reset();
}

}  // namespace twinlane::fcgi
