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

// nginx writes a request as soon as its connection is made (its data is usually in the socket
// before the connection is accepted), and sends its parameters in one write and its (buffered)
// body right after: only a stalled or hostile peer is slower than these.
constexpr std::chrono::milliseconds kFirstByteTimeout{2'000};
constexpr std::chrono::milliseconds kRequestArrivalTimeout{10'000};
// libfcgi writes the answer with blocking writes, at most one buffer (8 KiB) per write; the
// send timeout is set to the time left before each such piece. A smaller answer leaves in one
// write together with the end of the request.
constexpr std::size_t kAnswerPiece = 8192;
// Bounds libfcgi's writes at the end of a request that was not answered.
constexpr timeval kUnansweredSendTimeout{kRequestArrivalTimeout.count() / 1000, 0};

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

Acceptor::Acceptor(ConnectionHub& hub, InputLimits limits, RefusalHandler on_refused)
    : hub_(hub),
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
  request_.ipcFd = -1;
  while (true) {
    ConnectionHub::Work work = hub_.next();
    if (work.kind == ConnectionHub::Work::Kind::kWoken) return Outcome::kWoken;
    if (work.kind == ConnectionHub::Work::Kind::kFailed) {
      failure_ = std::move(work.failure);
      return Outcome::kFailed;
    }
    connection_ = std::move(work.connection);
    connection_kept_ = work.kept;
    guard_ = InputGuard(limits_);
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
      // The wait is bounded by the first-byte and arrival timeouts; idle kept connections wait
      // in the hub, not here, and are closed when the worker leaves.
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
  // time left; the end of the stream and of the request go out with what is left in the buffer.
  answered_ = true;
  const std::string head = response.head();
  bool ok = setSendTimeout(deadline) && FCGX_PutStr(head.data(), static_cast<int>(head.size()), request_.out) >= 0;
  const std::string_view body = response.body();
  for (std::size_t at = 0; ok && at < body.size(); at += kAnswerPiece) {
    const std::string_view piece = body.substr(at, kAnswerPiece);
    ok = (at == 0 || setSendTimeout(deadline)) &&
         FCGX_PutStr(piece.data(), static_cast<int>(piece.size()), request_.out) >= 0;
  }
  // One write left (head and body within one buffer) goes under the timeout set above; after
  // an earlier write, the last one gets the time then left.
  ok = ok && (head.size() + body.size() < kAnswerPiece || setSendTimeout(deadline));
  if (!ok) {
    // A failed or late answer leaves the connection useless: shut it down so that the closing
    // writes fail at once instead of waiting out another timeout.
    ::shutdown(connection_.get(), SHUT_RDWR);
  }
  answer_failed_ = !closeStreams() || !ok;
  return !answer_failed_;
}

bool Acceptor::closeStreams() {
  FCGX_FClose(request_.err);
  FCGX_FClose(request_.out);
  return FCGX_GetError(request_.out) == 0 && FCGX_GetError(request_.err) == 0;
}

void Acceptor::finish() {
  bool failed = answer_failed_;
  if (!answered_) {
    ::setsockopt(connection_.get(), SOL_SOCKET, SO_SNDTIMEO, &kUnansweredSendTimeout, sizeof kUnansweredSendTimeout);
    failed = !closeStreams();
  }
  answered_ = false;
  answer_failed_ = false;
  // libfcgi frees its streams; the connection stays ours, kept or closed below.
  request_.ipcFd = -1;
  request_.keepConnection = 1;
  FCGX_Finish_r(&request_);
  if (failed || !guard_.keepConnection()) {
    connection_.reset();
    return;
  }
  keepConnection();
}

void Acceptor::keepConnection() {
  guard_.startNextRequest();
  if (guard_.started()) {
    // Bytes that came with the previous request: nginx sends the next request on a kept
    // connection only after the whole answer, so these were sent without reading answers.
    refuse("the next request arrived before the answer to the previous one was written");
    connection_.reset();
    return;
  }
  const ConnectionHub::Parked parked = hub_.park(connection_, connection_kept_);
  const int park_error = errno;  // for kFailed, before anything else can change it
  switch (parked) {
    case ConnectionHub::Parked::kParked:
      return;
    case ConnectionHub::Parked::kStopping:
      break;
    case ConnectionHub::Parked::kOverLimit:
      refuse("closed a kept connection: " + std::to_string(ConnectionHub::kMaxKept) +
             " kept connections already wait in this worker");
      break;
    case ConnectionHub::Parked::kFailed:
      refuse(std::string("cannot keep the connection: epoll_ctl: ") + std::strerror(park_error));
      break;
  }
  connection_.reset();
}

}  // namespace twinlane::fcgi
