// SPDX-License-Identifier: Apache-2.0
// The FastCGI record stream as a worker reads it: the input is sent on a real unix-socket
// connection to an Acceptor on a ConnectionHub (the worker's own reader: InputGuard, then
// libfcgi parsing the checked records), and every request it accepts is routed to the road-graph
// API and answered, as a worker's serving thread does. Several requests on a kept connection,
// truncated records, oversized declarations and management records all come through here.
//
// Each input gets its own listener, hub and acceptor. A helper thread plays the web server:
// it sends the input, half-closes, reads every answer until the worker closes the connection,
// and only then sends a well-formed "sentinel" request on a second connection; the serving
// loop ends with the sentinel's answer. So the loop neither hangs on a connection the acceptor
// closed silently nor stops before the input's last request.
#include <fcgiapp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "api_harness.h"
#include "fastcgi_client.h"
#include "fcgi/acceptor.h"
#include "fcgi/connection_hub.h"
#include "fcgi/request.h"
#include "fcgi/unique_fd.h"
#include "finding.h"

namespace {

using twinlane::UniqueFd;
using twinlane::fuzz::finding;

// A listening unix socket in the abstract namespace (no file), unique to this process.
UniqueFd listenUnix(sockaddr_un& address, socklen_t& length) {
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) finding("socket() failed");
  std::memset(&address, 0, sizeof address);
  address.sun_family = AF_UNIX;
  static std::atomic<unsigned> serial{0};
  const std::string name = "twinlane-fuzz-fastcgi-" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
  std::memcpy(address.sun_path + 1, name.data(), name.size());
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) finding("bind() failed");
  if (::listen(listener.get(), 8) != 0) finding("listen() failed");
  return listener;
}

UniqueFd connectTo(const sockaddr_un& address, socklen_t length) {
  UniqueFd connection(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!connection || ::connect(connection.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    finding("connect() failed");
  }
  return connection;
}

// Sends `bytes` while reading whatever comes back (so neither side blocks on a full buffer),
// half-closes, and reads until the worker closes the connection.
void sendAndDrain(int fd, std::string_view bytes) {
  std::size_t sent = 0;
  char buffer[65536];
  while (sent < bytes.size()) {
    pollfd ready{fd, POLLIN | POLLOUT, 0};
    if (::poll(&ready, 1, -1) < 0) finding("poll() failed");
    if ((ready.revents & (POLLIN | POLLHUP | POLLERR)) != 0 && ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT) <= 0) {
      break;  // the worker closed it before taking everything
    }
    if ((ready.revents & POLLOUT) == 0) continue;
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno != EAGAIN) break;
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  ::shutdown(fd, SHUT_WR);
  while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool initialised = (twinlane::fcgi::initLibrary(), true);
  (void)initialised;
  twinlane::fuzz::ApiHarness& api = twinlane::fuzz::ApiHarness::generated();

  sockaddr_un address;
  socklen_t address_length = 0;
  const UniqueFd listener = listenUnix(address, address_length);
  const UniqueFd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  twinlane::fcgi::ConnectionHub hub(listener.get(), wake.get());
  twinlane::fcgi::Acceptor acceptor(hub, twinlane::fcgi::InputLimits{}, [](const twinlane::fcgi::RefusedConnection&) {});

  std::atomic<bool> sentinel_sent{false};
  std::thread web_server([&] {
    const UniqueFd input = connectTo(address, address_length);
    sendAndDrain(input.get(), std::string_view(reinterpret_cast<const char*>(data), size));
    sentinel_sent = true;
    const UniqueFd sentinel = connectTo(address, address_length);
    sendAndDrain(sentinel.get(), twinlane::test::fastcgiRequest(twinlane::test::nginxParams("GET", "/api/v1/health")));
  });

  while (true) {
    const auto outcome = acceptor.accept();
    if (outcome != twinlane::fcgi::Acceptor::Outcome::kAccepted) finding("the acceptor failed: " + acceptor.failure());
    // Read before serving: a request of the input is served, and only then does its connection
    // close, so the sentinel can only have been sent when this is its request.
    const bool sentinel = sentinel_sent.load();
    twinlane::fcgi::Request request(acceptor.request(), acceptor.takeBody(), acceptor.bodyOverLimit(),
                                    twinlane::fcgi::InputLimits{}.max_body);
    const twinlane::fcgi::Response response = api.serveAndCheck(request);
    (void)acceptor.answer(response, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    acceptor.finish();
    if (sentinel) break;
  }
  web_server.join();
  return 0;
}
