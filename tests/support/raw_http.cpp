// SPDX-License-Identifier: Apache-2.0
// Raw HTTP/1.0 for tests: see raw_http.h.
#include "raw_http.h"

#include <Poco/UTF8Encoding.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace twinlane::test {

std::string RawHttpAnswer::header(std::string_view name) const {
  std::size_t at = head.find("\r\n");
  while (at != std::string::npos && at + 2 < head.size()) {
    const std::size_t end = head.find("\r\n", at + 2);
    const std::string_view line = std::string_view(head).substr(at + 2, end - at - 2);
    const auto colon = line.find(':');
    if (colon == name.size() && std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    at = end;
  }
  return {};
}

RawHttpAnswer sendRawHttp(uint16_t port, std::string_view request, std::chrono::milliseconds deadline) {
  const auto started = std::chrono::steady_clock::now();
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(errno));
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // nginx may answer and close before taking everything
    sent += static_cast<std::size_t>(n);
  }
  std::string received;
  char buffer[16384];
  while (true) {
    const auto left = deadline - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (left.count() <= 0) break;
    pollfd in{fd, POLLIN, 0};
    const int ready = ::poll(&in, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    received.append(buffer, static_cast<std::size_t>(n));
  }
  RawHttpAnswer answer;
  const auto blank = received.find("\r\n\r\n");
  if (received.rfind("HTTP/", 0) != 0 || blank == std::string::npos) return answer;
  answer.answered = true;
  answer.head = received.substr(0, blank + 2);
  answer.body = received.substr(blank + 4);
  answer.status = std::atoi(received.c_str() + received.find(' ') + 1);
  return answer;
}

bool isValidUtf8(std::string_view text) {
  static const Poco::UTF8Encoding kUtf8;
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t at = 0;
  while (at < text.size()) {
    const int left = static_cast<int>(std::min<std::size_t>(text.size() - at, 4));
    if (kUtf8.queryConvert(bytes + at, left) < 0) return false;
    at += static_cast<std::size_t>(kUtf8.sequenceLength(bytes + at, left));
  }
  return true;
}

}  // namespace twinlane::test
