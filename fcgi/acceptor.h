// SPDX-License-Identifier: Apache-2.0
// Acceptor: one serving thread's handle on a lane's listening socket. It accepts connections
// itself, reads each request whole through an InputGuard (within limits and a deadline), and
// only then lets libfcgi parse the checked parameters, from a pipe, never from the peer: no
// byte stream a peer sends can make libfcgi allocate what it declares, overflow a buffer or
// block a thread for ever. A refused connection is closed and reported to the caller.
//
// It waits in poll() on the listener and on a wake-up fd together, so a worker told to stop
// leaves its accept loop at once. Many threads and processes share one listener: the socket is
// non-blocking, and a connection lost to another acceptor just means polling again. Threads of
// one process take turns on the listener (an accept lock, as in Apache's prefork), so a new
// connection wakes one thread of each process instead of all of them.
//
// The acceptor owns the connection (libfcgi never closes it): libfcgi's own close lingers,
// reading for up to 2 s after each byte, which a peer can stretch for ever. Time limits: a new
// connection must send its first byte within 2 s and its whole request within 10 s; a kept one
// idles 200 ms at most; an answer must be written by the request's deadline.
#pragma once

#include <fcgiapp.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>

#include "fcgi/input_guard.h"
#include "fcgi/response.h"
#include "fcgi/unique_fd.h"

namespace twinlane::fcgi {

// libfcgi's one-time set-up. It installs handlers for SIGPIPE, SIGUSR1 and SIGTERM unless a
// disposition is already set, so call it in the worker after setting the worker's own.
void initLibrary();

// A connection closed without an answer because its input broke the protocol or the limits.
struct RefusedConnection {
  std::string peer;    // "pid 812 uid 33" (unix socket) or "192.0.2.7:51200" (TCP)
  std::string reason;  // one line
};

class Acceptor {
 public:
  enum class Outcome { kAccepted, kWoken, kFailed };
  using RefusalHandler = std::function<void(const RefusedConnection&)>;

  // `wake_fd` becomes readable when the thread must stop; it is never read here.
  // `accept_lock` is shared by the acceptors of one process on one listener.
  Acceptor(int listen_fd, int wake_fd, std::mutex& accept_lock, InputLimits limits, RefusalHandler on_refused);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Blocks until a request has arrived whole and its parameters are parsed (kAccepted), the
  // wake fd is readable (kWoken), or the listener fails (kFailed; failure() says why).
  // Connections that end before a request, or are refused, are closed and waiting resumes.
  Outcome accept();
  // Why accept() failed: the call and its error, e.g. "accept4: Too many open files".
  const std::string& failure() const { return failure_; }
  // Writes `response` as the current request's answer, giving up (false) at `deadline`: a peer
  // that reads slowly or not at all holds the thread no longer than the request may run.
  bool answer(const Response& response, std::chrono::steady_clock::time_point deadline);
  // Ends the current request: ends the answer, then keeps the connection for the next request
  // if the web server asked for that, or closes it.
  void finish();

  FCGX_Request& request() { return request_; }
  // The request's body (STDIN), read with it; bodyOverLimit() when it passed InputLimits::max_body.
  std::string takeBody() { return guard_.takeBody(); }
  bool bodyOverLimit() const { return guard_.bodyOverLimit(); }

 private:
  enum class Read { kComplete, kRefused, kClosed };
  enum class Kept { kReady, kIdle, kWoken };

  // Waits for the next request on a kept connection, up to a short idle time.
  Kept awaitKeptRequest();
  Outcome acceptConnection();
  Read readRequest();
  bool handToLibfcgi();
  void refuse(const std::string& reason);
  Outcome fail(const char* call, int error);
  void openReplayPipe();
  bool setSendTimeout(std::chrono::steady_clock::time_point deadline);

  int listen_fd_;
  int wake_fd_;
  std::mutex& accept_lock_;
  InputLimits limits_;
  RefusalHandler on_refused_;
  FCGX_Request request_{};
  UniqueFd connection_;
  InputGuard guard_;
  // libfcgi reads the checked BEGIN_REQUEST and PARAMS records from here.
  UniqueFd replay_read_;
  UniqueFd replay_write_;
  std::size_t replay_capacity_ = 0;
  std::string failure_;
  bool answer_failed_ = false;
};

}  // namespace twinlane::fcgi
