// SPDX-License-Identifier: Apache-2.0
// lanes.L.allow on a TCP lane: a peer outside it is closed at accept, before a byte of its
// request is read, counted in /status and /metrics, and logged once a minute per peer; nginx on
// loopback reaches a TCP lane with the default list. (The several-hosts test has the peer in
// another network namespace; here the refused peer is loopback itself, against a list without it.)
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "integration_stack.h"
#include "testapp_stack.h"
#include "wait_for.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

// A loopback port nothing listens on now (the kernel's choice for port 0).
int freeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw std::runtime_error(std::string("cannot find a free port: ") + std::strerror(errno));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

// Connects to 127.0.0.1:port, sends a FastCGI BEGIN_REQUEST record and reads until the lane
// closes the connection or 5 s pass. Returns how many bytes came back, or -1 on the deadline.
long bytesBeforeClose(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(fd);
    throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
  }
  const unsigned char begin[16] = {1, 1, 0, 1, 0, 8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  (void)!::write(fd, begin, sizeof(begin));
  long received = 0;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd ready{fd, POLLIN, 0};
    if (::poll(&ready, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got > 0) {
      received += got;
      continue;
    }
    ::close(fd);
    return received;  // 0: closed; ECONNRESET: closed with our bytes unread
  }
  ::close(fd);
  return -1;
}

TEST(LaneAllow, APeerOutsideTheListIsClosedAtAcceptCountedAndLoggedOncePerMinute) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  const int port = freeLoopbackPort();
  options.slow_listen = "127.0.0.1:" + std::to_string(port);
  options.slow_settings = {"allow: [192.0.2.0/24, \"2001:db8::/32\"]"};
  TwinlaneStack stack(options);

  for (int attempt = 0; attempt < 3; ++attempt) {
    EXPECT_EQ(bytesBeforeClose(port), 0) << "attempt " << attempt << ": the refused peer got an answer or no close";
  }
  // nginx, on loopback too, is refused the same way: the client sees the lane unreachable. Which
  // JSON error depends on when the close reaches nginx: after its connect completed, 502
  // bad_gateway; during it (a busy machine makes connect return EINPROGRESS), a failed connect,
  // which nginx-config answers as 503 overloaded.
  const int refused = stack.get("/api/v1/test/sleep?ms=1").status;
  EXPECT_TRUE(refused == 502 || refused == 503) << refused;
  long rejected = 0;
  EXPECT_TRUE(waitFor(
      [&] {
        rejected = stack.status()->getObject("lanes")->getObject("slow")->getValue<long>("rejected_connections");
        return rejected >= 4;
      },
      5s))
      << rejected;
  const std::string metrics = stack.get("/metrics").body;
  EXPECT_NE(metrics.find("twinlane_rejected_connections_total{lane=\"slow\"} " + std::to_string(rejected)),
            std::string::npos) << metrics;
  EXPECT_NE(metrics.find("twinlane_rejected_connections_total{lane=\"fast\"} 0"), std::string::npos) << metrics;
  const std::string line = "refused a connection from 127.0.0.1: not in lanes.slow.allow (192.0.2.0/24, 2001:db8::/32)";
  EXPECT_TRUE(waitFor([&] { return stack.masterLog().find(line) != std::string::npos; }, 5s));
  const std::string log = stack.masterLog();
  const auto first = log.find(line);
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find(line, first + 1), std::string::npos) << "logged more than once within a minute:\n" << log;
  stack.stop();
}

TEST(LaneAllow, NginxOnLoopbackReachesATcpLaneWithTheDefaultList) {
  auto options = testappOptions(TWINLANE_TESTAPP_BIN);
  options.slow_processes = 1;
  options.slow_listen = "127.0.0.1:" + std::to_string(freeLoopbackPort());
  TwinlaneStack stack(options);
  EXPECT_EQ(stack.get("/api/v1/test/sleep?ms=1").status, 200);
  EXPECT_EQ(stack.status()->getObject("lanes")->getObject("slow")->getValue<long>("rejected_connections"), 0);
  stack.stop();
}

// IPv6: a lane on [::1] takes nginx's connection from ::1 (the default list has it); a list
// without ::1 refuses it and names the peer in IPv6's form.
TEST(LaneAllow, AnIpv6LaneChecksIpv6Peers) {
  for (const bool allowed : {true, false}) {
    auto options = testappOptions(TWINLANE_TESTAPP_BIN);
    options.slow_processes = 1;
    options.slow_listen = "\"[::1]:" + std::to_string(freeLoopbackPort()) + "\"";  // quoted: [ opens a YAML list
    if (!allowed) options.slow_settings = {"allow: [127.0.0.0/8]"};
    TwinlaneStack stack(options);
    // Refused: 502 or 503, by when the close reaches nginx (see the test above).
    const int status = stack.get("/api/v1/test/sleep?ms=1").status;
    if (allowed) {
      EXPECT_EQ(status, 200);
    } else {
      EXPECT_TRUE(status == 502 || status == 503) << status;
    }
    // The worker logs just after it closed the connection: wait for the line, not for nginx.
    const bool logged = waitFor(
        [&] { return stack.masterLog().find("refused a connection from [::1]") != std::string::npos; }, allowed ? 300ms : 5s);
    EXPECT_EQ(logged, !allowed) << stack.masterLog();
    stack.stop();
  }
}

}  // namespace
}  // namespace twinlane::test
