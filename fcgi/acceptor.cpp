// Waiting for and accepting FastCGI connections: see acceptor.h.
#include "fcgi/acceptor.h"

#include <poll.h>

#include <cerrno>
#include <mutex>

namespace twinlane::fcgi {
namespace {

// How long a thread waits for the next request on a connection nginx keeps alive before it
// closes it and goes back to the listener.
constexpr int kKeptConnectionIdleMs = 200;

}  // namespace

void initLibrary() {
  static std::once_flag once;
  std::call_once(once, [] { FCGX_Init(); });
}

Acceptor::Acceptor(int listen_fd, int wake_fd, std::mutex& accept_lock)
    : listen_fd_(listen_fd), wake_fd_(wake_fd), accept_lock_(accept_lock) {
  initLibrary();
  // FAIL_ACCEPT_ON_INTR: a signal returns control to our loop instead of retrying inside libfcgi.
  FCGX_InitRequest(&request_, listen_fd_, FCGI_FAIL_ACCEPT_ON_INTR);
}

Acceptor::~Acceptor() { FCGX_Free(&request_, /*close=*/1); }

Acceptor::Outcome Acceptor::accept() {
  // A connection nginx keeps alive (fastcgi_keep_conn) brings its next request on the same
  // socket, which libfcgi reads before accepting anew: that thread waits on it alone.
  if (request_.ipcFd >= 0) {
    const Outcome outcome = waitAndAccept(request_.ipcFd, kKeptConnectionIdleMs);
    if (outcome == Outcome::kAccepted || outcome == Outcome::kWoken) return outcome;
    // Idle too long, or ended: close it, so an idle kept connection never pins this thread
    // while new connections wait in the backlog. nginx drops a cached connection that closed.
    if (request_.ipcFd >= 0) FCGX_Free(&request_, /*close=*/1);
  }
  const std::lock_guard<std::mutex> turn(accept_lock_);
  return waitAndAccept(listen_fd_, -1);
}

Acceptor::Outcome Acceptor::waitAndAccept(int source_fd, int idle_timeout_ms) {
  while (true) {
    pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {source_fd, POLLIN, 0}};
    const int ready = ::poll(fds, 2, idle_timeout_ms);
    if (ready == 0) return Outcome::kFailed;  // only with a timeout: the kept connection idled
    if (ready < 0) {
      if (errno == EINTR) continue;
      return Outcome::kFailed;
    }
    if (fds[0].revents != 0) return Outcome::kWoken;
    if (source_fd == listen_fd_ && (fds[1].revents & (POLLERR | POLLNVAL))) return Outcome::kFailed;
    // On a kept connection a hang-up is news too: FCGX_Accept_r sees the end and accepts anew.
    if (!(fds[1].revents & (POLLIN | POLLHUP | POLLERR))) continue;

    const int rc = FCGX_Accept_r(&request_);
    if (rc == 0) return Outcome::kAccepted;
    // Another acceptor took the connection (EAGAIN), a signal arrived (EINTR), or the peer
    // vanished before sending its parameters (libfcgi reports a protocol or read error):
    // none of these is the listener's fault, so wait again.
    if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -EINTR || rc == -ECONNABORTED || rc < -1000 ||
        rc == -ECONNRESET || rc == -EPIPE) {
      if (source_fd != listen_fd_) return Outcome::kFailed;  // the kept connection ended: use the listener
      continue;
    }
    errno = -rc;
    return Outcome::kFailed;
  }
}

void Acceptor::finish() { FCGX_Finish_r(&request_); }

}  // namespace twinlane::fcgi
