// SPDX-License-Identifier: Apache-2.0
// A FastCGI peer for tests that talk to a lane's socket directly, as nginx would or as a hostile
// local user could: encodes records byte for byte (so tests can break them), sends a stream
// over a unix socket, and reads whatever comes back until the server closes or a deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twinlane::test {

using FastcgiParams = std::vector<std::pair<std::string, std::string>>;

// One record: header, content, and `padding` zero bytes.
std::string fastcgiRecord(std::uint8_t type, std::uint16_t request_id, std::string_view content,
                          std::uint8_t padding = 0);
// One name-value pair, lengths in the 1- or 4-byte forms.
std::string fastcgiPair(std::string_view name, std::string_view value);
// A whole request as nginx sends it: BEGIN_REQUEST (RESPONDER), PARAMS records padded to 8
// bytes, the empty PARAMS, STDIN records with the body, the empty STDIN.
std::string fastcgiRequest(const FastcgiParams& params, std::string_view body = {}, bool keep_connection = false);
// The CGI parameters nginx's fastcgi_params sends for `method` and `uri` ("/path?query").
FastcgiParams nginxParams(const std::string& method, const std::string& uri, std::size_t content_length = 0,
                          const std::string& content_type = {});
// Hex text ("0101...") to bytes.
std::string fromHex(std::string_view hex);

struct FastcgiExchange {
  bool connected = false;
  std::string received;   // every byte the server sent
  bool closed = false;    // the server closed (or reset) the connection before the deadline
  std::chrono::milliseconds elapsed{0};
  // The HTTP status from the STDOUT records' "Status:" line; nullopt when there is none.
  std::optional<int> status() const;
};

// kKeepOpenThenHalfClose: keep sending open for a moment (so that a complete request is
// served, not abandoned as a client gone), then shut it down (so that an incomplete one ends).
enum class AfterSending { kHalfClose, kKeepOpen, kKeepOpenThenHalfClose };

// Connects to `socket`, sends `bytes` (as far as the server takes them), optionally shuts down
// the sending side, and reads until the server closes the connection or `deadline` passes.
FastcgiExchange exchangeFastcgi(const std::filesystem::path& socket, std::string_view bytes, AfterSending after,
                                std::chrono::milliseconds deadline);

// One connection kept across requests (FCGI_KEEP_CONN), as nginx's keepalive uses it.
class FastcgiConnection {
 public:
  explicit FastcgiConnection(const std::filesystem::path& socket);  // throws when it cannot connect
  ~FastcgiConnection();
  FastcgiConnection(const FastcgiConnection&) = delete;
  FastcgiConnection& operator=(const FastcgiConnection&) = delete;

  bool send(std::string_view bytes);
  // Reads until an END_REQUEST record, the server's close, or `deadline`; `closed` tells which.
  FastcgiExchange readAnswer(std::chrono::milliseconds deadline);
  // Whether the server has sent anything (or closed) that is not read yet; reads nothing.
  bool answerPending() const;

 private:
  int fd_;
};

}  // namespace twinlane::test
