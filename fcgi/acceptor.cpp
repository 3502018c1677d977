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
// nginx writes a request as soon as its connection is made (its data is usually in the socket
// before the connection is accepted), and sends its parameters in one write and its (buffered)
// body right after: only a stalled or hostile peer is slower than these.
constexpr std::chrono::milliseconds kFirstByteTimeout{2'000};
constexpr std::chrono::milliseconds kRequestArrivalTimeout{10'000};
// libfcgi writes the answer with blocking writes, at most one buffer (8 KiB) per write; the
// send timeout is set to the time left before each such piece.
constexpr std::size_t kAnswerPiece = 8192;

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

// libfcgi's negative return codes: its own protocol errors, or a negated errno.
std::string libfcgiErrorName(int rc) {
  switch (rc) {
    case FCGX_UNSUPPORTED_VERSION: return "FCGX_UNSUPPORTED_VERSION";
    case FCGX_PROTOCOL_ERROR: return "FCGX_PROTOCOL_ERROR";
    case FCGX_PARAMS_ERROR: return "FCGX_PARAMS_ERROR";
    case FCGX_CALL_SEQ_ERROR: return "FCGX_CALL_SEQ_ERROR";
    default: break;
  }
  if (rc < 0 && rc > -4096) return std::strerror(-rc);
  return "libfcgi error " + std::to_string(rc);
}

}  // namespace

void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (const int rc = FCGX_Init(); rc != 0) throw std::runtime_error("FCGX_Init failed: " + libfcgiErrorName(rc));
  });
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
  const int capacity = ::fcntl(replay_write_.get(), F_GETPIPE_SZ);
  replay_capacity_ = capacity > 0 ? static_cast<std::size_t>(capacity) : 4096;
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
  guard_.startNextRequest();
  if (guard_.started()) {
    // Bytes that came with the previous request: nginx sends the next request on a kept
    // connection only after the whole answer, so these were sent without reading answers.
    refuse("the next request arrived before the answer to the previous one was written");
    return Kept::kIdle;
  }
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
      return fail("poll", errno);
    }
    if (fds[0].revents != 0) return Outcome::kWoken;
    if (fds[1].revents & POLLNVAL) return fail("poll on the listener", EBADF);
    if (fds[1].revents & POLLERR) {
      int error = 0;
      socklen_t size = sizeof error;
      ::getsockopt(listen_fd_, SOL_SOCKET, SO_ERROR, &error, &size);
      return fail("poll on the listener", error);
    }
    if (!(fds[1].revents & POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (isConnectionError(errno)) continue;
      return fail("accept4", errno);
    }
    connection_.reset(fd);
    // Bounds libfcgi's writes outside answer() too (the end of an unanswered request).
    constexpr timeval kDefaultSendTimeout{kRequestArrivalTimeout.count() / 1000, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &kDefaultSendTimeout, sizeof kDefaultSendTimeout);
    return Outcome::kAccepted;
  }
}

Acceptor::Read Acceptor::readRequest() {
  const std::int64_t started = nowMillis();
  char buffer[64 * 1024];
  while (guard_.progress() == InputGuard::Progress::kNeedMore) {
    const ssize_t n = ::recv(connection_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    const int error = errno;
    if (n > 0) {
      guard_.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && error == EINTR) continue;
    if (n < 0 && (error == EAGAIN || error == EWOULDBLOCK)) {
      // A stop request does not end this wait: a connection just accepted carries a request
      // nginx is sending, and closing it would be a 502 (its upstream has no other server).
      // The wait is bounded by the first-byte and arrival timeouts; idle kept connections are
      // given up on stop in awaitKeptRequest().
      const bool idle = !guard_.started();
      const auto limit = idle ? kFirstByteTimeout : kRequestArrivalTimeout;
      const std::int64_t left = started + limit.count() - nowMillis();
      pollfd fd{connection_.get(), POLLIN | POLLRDHUP, 0};
      const int ready = left > 0 ? ::poll(&fd, 1, static_cast<int>(left)) : 0;
      if (ready < 0 && errno != EINTR) return Read::kClosed;
      if (ready == 0) {
        refuse(idle ? "no request within " + std::to_string(kFirstByteTimeout.count() / 1000) + " s of connecting"
                    : "no complete request within " + std::to_string(kRequestArrivalTimeout.count() / 1000) +
                          " s (" + std::to_string(guard_.bytesReceived()) + " bytes received)");
        return Read::kClosed;
      }
      continue;
    }
    // The peer closed or reset the connection. Before any byte that is an ordinary end (a
    // kept connection closed by the web server, a probe); inside a request it is a broken one.
    if (!guard_.started()) return Read::kClosed;
    refuse("the connection ended after " + std::to_string(guard_.bytesReceived()) + " bytes, inside a request" +
           (n < 0 ? std::string(": ") + std::strerror(error) : std::string()));
    return Read::kClosed;
  }
  return guard_.progress() == InputGuard::Progress::kComplete ? Read::kComplete : Read::kRefused;
}

bool Acceptor::handToLibfcgi() {
  const std::string records = guard_.headerRecords();
  // libfcgi reads them all before this thread writes again, so they must fit in the pipe at
  // once. It grows only for a request that needs it: pipe pages count against a per-user limit.
  if (records.size() > replay_capacity_) {
    const int grown = ::fcntl(replay_write_.get(), F_SETPIPE_SZ, static_cast<int>(records.size()));
    if (grown < 0) {
      refuse("parameters of " + std::to_string(records.size()) + " bytes do not fit in a pipe: " + std::strerror(errno) +
             " (see /proc/sys/fs/pipe-max-size and pipe-user-pages-soft, or lower limits.max_params)");
      return false;
    }
    replay_capacity_ = static_cast<std::size_t>(grown);
  }
  std::size_t written = 0;
  while (written < records.size()) {
    const ssize_t n = ::write(replay_write_.get(), records.data() + written, records.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = errno;
      refuse(std::string("cannot hand the parameters to libfcgi: ") + std::strerror(error));
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
    refuse("libfcgi refused the checked parameters: " + libfcgiErrorName(rc));
    openReplayPipe();
    return false;
  }
  // Answers go to the connection; libfcgi reads nothing more (the body is the guard's).
  request_.ipcFd = connection_.get();
  return true;
}

Acceptor::Outcome Acceptor::fail(const char* call, int error) {
  failure_ = std::string(call) + ": " + std::strerror(error);
  return Outcome::kFailed;
}

void Acceptor::refuse(const std::string& reason) {
  if (on_refused_) on_refused_({describePeer(connection_.get()), reason});
}

bool Acceptor::setSendTimeout(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  const timeval timeout{static_cast<time_t>(left.count() / 1'000'000), static_cast<suseconds_t>(left.count() % 1'000'000)};
  return ::setsockopt(connection_.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout) == 0;
}

bool Acceptor::answer(const Response& response, std::chrono::steady_clock::time_point deadline) {
  // Each piece of at most one libfcgi buffer makes at most one blocking write, bounded by the
  // time left; what is left in the buffer goes out in finish(), under the last timeout set.
  const std::string head = response.head();
  bool ok = setSendTimeout(deadline) &&
            FCGX_PutStr(head.data(), static_cast<int>(head.size()), request_.out) >= 0;
  const std::string_view body = response.body();
  for (std::size_t at = 0; ok && at < body.size(); at += kAnswerPiece) {
    const std::string_view piece = body.substr(at, kAnswerPiece);
    ok = (at == 0 || setSendTimeout(deadline)) &&
         FCGX_PutStr(piece.data(), static_cast<int>(piece.size()), request_.out) >= 0;
  }
  ok = ok && setSendTimeout(deadline) && FCGX_FFlush(request_.out) == 0;
  answer_failed_ = !ok;
  return ok;
}

void Acceptor::finish() {
  // After a failed or late answer the connection is useless: shut it down so that libfcgi's
  // closing writes fail at once instead of waiting out another timeout.
  if (answer_failed_) ::shutdown(connection_.get(), SHUT_RDWR);
  FCGX_FClose(request_.err);
  FCGX_FClose(request_.out);
  const bool write_failed =
      answer_failed_ || FCGX_GetError(request_.out) != 0 || FCGX_GetError(request_.err) != 0;
  answer_failed_ = false;
  // libfcgi frees its streams; the connection stays ours, kept or closed below.
  request_.ipcFd = -1;
  request_.keepConnection = 1;
  FCGX_Finish_r(&request_);
  if (write_failed || !guard_.keepConnection()) connection_.reset();
}

}  // namespace twinlane::fcgi
