// SPDX-License-Identifier: Apache-2.0
// HTTP/1.0 over a plain TCP socket, byte for byte: for tests that send what a well-behaved
// client library refuses to send (a raw 0xFF or a NUL in the path, a 20 KB request line, a
// header too large) and read exactly what nginx answers. One request per connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace twinlane::test {

struct RawHttpAnswer {
  bool answered = false;  // a status line arrived
  int status = 0;
  std::string head;       // status line and headers
  std::string body;
  // A header's value by case-insensitive name, or "" if absent.
  std::string header(std::string_view name) const;
};

// Sends `request` (everything, including the blank line and any body) to 127.0.0.1:port and
// reads until nginx closes the connection or `deadline` passes.
RawHttpAnswer sendRawHttp(uint16_t port, std::string_view request, std::chrono::milliseconds deadline);

// True when `text` is well-formed UTF-8 (no stray continuation, overlong form or surrogate).
bool isValidUtf8(std::string_view text);

}  // namespace twinlane::test
