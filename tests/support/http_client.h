// SPDX-License-Identifier: Apache-2.0
// HTTP as a user sees it: one request per connection to 127.0.0.1:port (nginx in these tests),
// over Poco::Net::HTTPClientSession. Owns nothing between calls; safe to use from many threads
// at once (each call makes its own session).
#pragma once

#include <Poco/JSON/Object.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace twinlane::test {

struct HttpResult {
  int status = 0;
  std::string content_type;
  std::map<std::string, std::string> headers;  // names as the server sent them
  std::string body;
  std::chrono::steady_clock::time_point sent;      // just before the request went out
  std::chrono::steady_clock::time_point received;  // after the whole body arrived

  // The body as a JSON object; throws with status and body in the message if it is not one.
  Poco::JSON::Object::Ptr json() const;
  // A header by case-insensitive name, or "" if absent.
  std::string header(const std::string& name) const;
  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(received - sent);
  }
  // "GET /path -> 404 application/json {...}" for assertion messages.
  std::string describe() const;

  std::string method;
  std::string target;
};

class HttpClient {
 public:
  explicit HttpClient(std::chrono::milliseconds timeout = std::chrono::seconds{30}) : timeout_(timeout) {}

  HttpResult get(uint16_t port, const std::string& path_and_query) const;
  HttpResult post(uint16_t port, const std::string& path, const std::string& body,
                  const std::string& content_type = "application/json") const;
  // Any method; `content_type` is sent only with a non-empty body or when given explicitly.
  // Connection refused, timeouts and malformed answers throw std::runtime_error naming the
  // method, port and target.
  HttpResult request(const std::string& method, uint16_t port, const std::string& path_and_query,
                     const std::string& body = {}, const std::string& content_type = {},
                     const std::map<std::string, std::string>& headers = {}) const;

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace twinlane::test
