// Acceptor: one serving thread's handle on a lane's listening socket, over libfcgi's
// FCGX_Accept_r. It waits in poll() on the listener and on a wake-up fd together, so a
// worker told to stop leaves its accept loop at once instead of waiting for one more
// connection. Many threads and processes share one listener: the socket is non-blocking,
// and a wake-up lost to another acceptor just means polling again. Threads of one process
// take turns on the listener (an accept lock, as in Apache's prefork), so a new connection
// wakes one thread of each process instead of all of them.
#pragma once

#include <fcgiapp.h>

#include <mutex>

namespace twinlane::fcgi {

// libfcgi's one-time set-up. It installs handlers for SIGPIPE, SIGUSR1 and SIGTERM unless a
// disposition is already set, so call it in the worker after setting the worker's own.
void initLibrary();

class Acceptor {
 public:
  enum class Outcome { kAccepted, kWoken, kFailed };

  // `wake_fd` becomes readable when the thread must stop; it is never read here.
  // `accept_lock` is shared by the acceptors of one process on one listener.
  Acceptor(int listen_fd, int wake_fd, std::mutex& accept_lock);
  ~Acceptor();
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  // Blocks until a connection is accepted and its parameters are read (kAccepted), the wake
  // fd is readable (kWoken), or the listener fails (kFailed, errno set). A connection that
  // breaks before its request arrives is dropped and waiting resumes.
  Outcome accept();
  // Ends the current request: flushes the response and closes the connection.
  void finish();

  FCGX_Request& request() { return request_; }

 private:
  // Waits on `source_fd` (the listener, or a kept connection) up to `idle_timeout_ms` (-1: no
  // limit); kFailed on a timeout.
  Outcome waitAndAccept(int source_fd, int idle_timeout_ms);

  int listen_fd_;
  int wake_fd_;
  std::mutex& accept_lock_;
  FCGX_Request request_{};
};

}  // namespace twinlane::fcgi
