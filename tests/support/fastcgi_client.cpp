// SPDX-License-Identifier: Apache-2.0
// A FastCGI peer for tests: see fastcgi_client.h.
#include "fastcgi_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace twinlane::test {
namespace {

constexpr std::uint8_t kBeginRequest = 1;
constexpr std::uint8_t kParams = 4;
constexpr std::uint8_t kStdin = 5;
constexpr std::uint8_t kStdout = 6;
constexpr std::uint8_t kEndRequest = 3;
constexpr std::size_t kMaxContent = 0xffff;

void appendLength(std::string& out, std::size_t length) {
  if (length < 0x80) {
    out.push_back(static_cast<char>(length));
    return;
  }
  out.push_back(static_cast<char>(0x80 | ((length >> 24) & 0x7f)));
  out.push_back(static_cast<char>((length >> 16) & 0xff));
  out.push_back(static_cast<char>((length >> 8) & 0xff));
  out.push_back(static_cast<char>(length & 0xff));
}

// A stream's content in records of at most 64 KiB, each padded to 8 bytes, then the empty one.
void appendStream(std::string& out, std::uint8_t type, std::string_view content) {
  for (std::size_t at = 0; at < content.size(); at += kMaxContent) {
    const std::string_view part = content.substr(at, kMaxContent);
    out += fastcgiRecord(type, 1, part, static_cast<std::uint8_t>((8 - part.size() % 8) % 8));
  }
  out += fastcgiRecord(type, 1, {});
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

std::string fastcgiRecord(std::uint8_t type, std::uint16_t request_id, std::string_view content,
                          std::uint8_t padding) {
  if (content.size() > kMaxContent) throw std::invalid_argument("fastcgiRecord: content over 65535 bytes");
  std::string out;
  out.push_back(1);
  out.push_back(static_cast<char>(type));
  out.push_back(static_cast<char>(request_id >> 8));
  out.push_back(static_cast<char>(request_id & 0xff));
  out.push_back(static_cast<char>(content.size() >> 8));
  out.push_back(static_cast<char>(content.size() & 0xff));
  out.push_back(static_cast<char>(padding));
  out.push_back(0);
  out.append(content);
  out.append(padding, '\0');
  return out;
}

std::string fastcgiPair(std::string_view name, std::string_view value) {
  std::string out;
  appendLength(out, name.size());
  appendLength(out, value.size());
  out.append(name);
  out.append(value);
  return out;
}

std::string fastcgiRequest(const FastcgiParams& params, std::string_view body, bool keep_connection) {
  const char begin[8] = {0, 1, static_cast<char>(keep_connection ? 1 : 0), 0, 0, 0, 0, 0};
  std::string out = fastcgiRecord(kBeginRequest, 1, std::string_view(begin, sizeof begin));
  std::string pairs;
  for (const auto& [name, value] : params) pairs += fastcgiPair(name, value);
  appendStream(out, kParams, pairs);
  appendStream(out, kStdin, body);
  return out;
}

FastcgiParams nginxParams(const std::string& method, const std::string& uri, std::size_t content_length,
                          const std::string& content_type) {
  const auto question = uri.find('?');
  const std::string path = uri.substr(0, question);
  const std::string query = question == std::string::npos ? "" : uri.substr(question + 1);
  return {{"QUERY_STRING", query},
          {"REQUEST_METHOD", method},
          {"CONTENT_TYPE", content_type},
          {"CONTENT_LENGTH", content_length == 0 ? "" : std::to_string(content_length)},
          {"SCRIPT_NAME", path},
          {"REQUEST_URI", uri},
          {"DOCUMENT_URI", path},
          {"DOCUMENT_ROOT", "/usr/share/nginx/html"},
          {"SERVER_PROTOCOL", "HTTP/1.1"},
          {"REQUEST_SCHEME", "http"},
          {"GATEWAY_INTERFACE", "CGI/1.1"},
          {"SERVER_SOFTWARE", "nginx"},
          {"REMOTE_ADDR", "127.0.0.1"},
          {"REMOTE_PORT", "40000"},
          {"SERVER_ADDR", "127.0.0.1"},
          {"SERVER_PORT", "8080"},
          {"SERVER_NAME", "localhost"},
          {"HTTP_HOST", "localhost"},
          {"HTTP_USER_AGENT", "twinlane-tests"},
          {"HTTP_ACCEPT", "*/*"}};
}

std::string fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) throw std::invalid_argument("fromHex: odd length");
  std::string out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

namespace {

// Calls visit(type, content) for each complete record of `bytes`, in order.
template <typename Visit>
void forEachRecord(std::string_view bytes, Visit visit) {
  std::size_t at = 0;
  while (bytes.size() - at >= 8) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
    const std::size_t length = byte(4) << 8 | byte(5);
    const std::size_t padding = byte(6);
    if (bytes.size() - at < 8 + length + padding) return;
    visit(byte(1), bytes.substr(at + 8, length));
    at += 8 + length + padding;
  }
}

}  // namespace

std::optional<int> FastcgiExchange::status() const {
  std::string stdout_content;
  forEachRecord(received, [&](std::uint8_t type, std::string_view content) {
    if (type == kStdout) stdout_content.append(content);
  });
  const auto line = stdout_content.find("Status: ");
  if (line == std::string::npos) return std::nullopt;
  return std::atoi(stdout_content.c_str() + line + 8);
}

FastcgiExchange exchangeFastcgi(const std::filesystem::path& socket, std::string_view bytes, AfterSending after,
                                std::chrono::milliseconds deadline) {
  const auto started = std::chrono::steady_clock::now();
  FastcgiExchange result;
  Socket fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return result;
  result.connected = true;

  // Send without blocking for ever: a server that stops reading (it refused the stream) is fine.
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd out{fd.get(), POLLOUT, 0};
    if (::poll(&out, 1, 1000) <= 0 || !(out.revents & POLLOUT)) break;
    const ssize_t n = ::send(fd.get(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  if (after == AfterSending::kHalfClose) ::shutdown(fd.get(), SHUT_WR);
  // Long enough for a complete request to be served; an incomplete one then sees its end.
  constexpr auto kServeGrace = std::chrono::milliseconds(100);
  bool half_closed = after == AfterSending::kHalfClose;

  char buffer[16384];
  while (true) {
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    const auto left = deadline - elapsed;
    if (left.count() <= 0) break;
    auto wait = left;
    if (after == AfterSending::kKeepOpenThenHalfClose && !half_closed) wait = std::min(left, kServeGrace - elapsed);
    if (wait.count() <= 0) {
      ::shutdown(fd.get(), SHUT_WR);
      half_closed = true;
      continue;
    }
    pollfd in{fd.get(), POLLIN, 0};
    const int ready = ::poll(&in, 1, static_cast<int>(wait.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0 && wait < left) continue;  // the grace is over: half-close
    if (ready <= 0) break;
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result.closed = true;
      break;
    }
    result.received.append(buffer, static_cast<std::size_t>(n));
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

FastcgiConnection::FastcgiConnection(const std::filesystem::path& socket)
    : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd_);
    throw std::runtime_error("connect " + socket.string() + ": " + std::strerror(error));
  }
}

FastcgiConnection::~FastcgiConnection() { ::close(fd_); }

bool FastcgiConnection::send(std::string_view bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

FastcgiExchange FastcgiConnection::readAnswer(std::chrono::milliseconds deadline) {
  const auto started = std::chrono::steady_clock::now();
  FastcgiExchange result;
  result.connected = true;
  char byte_buffer[16384];
  const auto ended = [&] {  // an END_REQUEST record is complete
    bool seen = false;
    forEachRecord(result.received, [&](std::uint8_t type, std::string_view) { seen = seen || type == kEndRequest; });
    return seen;
  };
  while (!ended()) {
    const auto left = deadline - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    if (left.count() <= 0) break;
    pollfd in{fd_, POLLIN, 0};
    const int ready = ::poll(&in, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    const ssize_t n = ::recv(fd_, byte_buffer, sizeof byte_buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      result.closed = true;
      break;
    }
    result.received.append(byte_buffer, static_cast<std::size_t>(n));
  }
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  return result;
}

bool FastcgiConnection::answerPending() const {
  pollfd in{fd_, POLLIN, 0};
  return ::poll(&in, 1, 0) > 0;
}

}  // namespace twinlane::test
