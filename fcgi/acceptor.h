// SPDX-License-Identifier: Apache-2.0
// Acceptor: one serving thread's handle on a lane's connections. It takes the next connection
// with work from the worker's ConnectionHub (a new one, or one the web server keeps alive), reads
// its request whole through an InputGuard (within limits and a deadline), and only then lets
// libfcgi parse the checked parameters, from a pipe, never from the peer: no byte stream a peer
// sends can make libfcgi allocate what it declares, overflow a buffer or block a thread for
// ever. A refused connection is closed and reported to the caller.
//
// The acceptor owns the connection while it serves it (libfcgi never closes it): libfcgi's own
// close lingers, reading for up to 2 s after each byte, which a peer can stretch for ever. A
// connection the web server asked to keep goes back to the hub after the answer, where it waits
// for its next request without holding this thread. Time limits: a new connection must send its
// first byte within 2 s and its whole request within 10 s; an answer must be written by the
// request's deadline.
#pragma once

#include <fcgiapp.h>

#include <chrono>
#include <functional>
#include <string>

#include "fcgi/connection_hub.h"
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

  // `hub` is shared by the acceptors of one process on one listener.
  Acceptor(ConnectionHub& hub, InputLimits limits, RefusalHandler on_refused);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Blocks until a request has arrived whole and its parameters are parsed (kAccepted), the
  // worker is told to stop (kWoken), or the listener fails (kFailed; failure() says why).
  // Connections that end before a request, or are refused, are closed and waiting resumes.
  Outcome accept();
  // Why accept() failed: the call and its error, e.g. "accept4: Too many open files".
  const std::string& failure() const { return failure_; }
  // Writes `response` and the end of the request, giving up (false) at `deadline`: a peer
  // that reads slowly or not at all holds the thread no longer than the request may run.
  bool answer(const Response& response, std::chrono::steady_clock::time_point deadline);
  // Ends the current request (its streams, when answer() did not), then hands the connection
  // back to the hub if the web server asked to keep it, or closes it.
  void finish();

  FCGX_Request& request() { return request_; }
  // The request's body (STDIN), read with it; bodyOverLimit() when it passed InputLimits::max_body.
  std::string takeBody() { return guard_.takeBody(); }
  bool bodyOverLimit() const { return guard_.bodyOverLimit(); }

 private:
  enum class Read { kComplete, kRefused, kClosed };

  Read readRequest();
  bool handToLibfcgi();
  bool closeStreams();
  void keepConnection();
  void refuse(const std::string& reason);
  void openReplayPipe();
  bool setSendTimeout(std::chrono::steady_clock::time_point deadline);

  ConnectionHub& hub_;
  InputLimits limits_;
  RefusalHandler on_refused_;
  FCGX_Request request_{};
  UniqueFd connection_;
  bool connection_kept_ = false;  // it came from the hub's kept connections (is in its epoll set)
  InputGuard guard_;
  // libfcgi reads the checked BEGIN_REQUEST and PARAMS records from here.
  UniqueFd replay_read_;
  UniqueFd replay_write_;
  std::size_t replay_capacity_ = 0;
  std::string failure_;
  bool answered_ = false;
  bool answer_failed_ = false;
};

}  // namespace twinlane::fcgi
