// Acceptor: one serving thread's handle on a lane's listening socket, over libfcgi's
// FCGX_Accept_r. It waits in poll() on the listener and on a wake-up fd together, so a
// worker told to stop leaves its accept loop at once instead of waiting for one more
// connection. Many threads and processes share one listener: the socket is non-blocking,
// and a wake-up lost to another acceptor just means polling again.
#pragma once

#include <fcgiapp.h>

namespace twinlane::fcgi {

// libfcgi's one-time set-up. It installs handlers for SIGPIPE, SIGUSR1 and SIGTERM unless a
// disposition is already set, so call it in the worker after setting the worker's own.
void initLibrary();

class Acceptor {
 public:
  enum class Outcome { kAccepted, kWoken, kFailed };

  // `wake_fd` becomes readable when the thread must stop; it is never read here.
  Acceptor(int listen_fd, int wake_fd);
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
  int listen_fd_;
  int wake_fd_;
  FCGX_Request request_{};
};

}  // namespace twinlane::fcgi
