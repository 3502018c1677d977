// SPDX-License-Identifier: Apache-2.0
// Response: the status, headers and body of one answer, built by a handler; the acceptor writes
// it to the connection (one header block, then the body) within the request's deadline.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace twinlane::fcgi {

class HttpError;

class Response {
 public:
  void setStatus(int status) { status_ = status; }
  void addHeader(std::string name, std::string value) { headers_.emplace_back(std::move(name), std::move(value)); }
  void setBody(std::string content_type, std::string body);
  // Serializes `object` compactly as the body, with Content-Type application/json.
  void setJson(const Poco::JSON::Object& object);
  // The API's error shape: {"error":{"code":...,"message":...}} plus the error's headers.
  void setError(const HttpError& error);

  int status() const { return status_; }
  const std::string& body() const { return body_; }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

  // The CGI header block: "Status: ...", Content-Type, Content-Length, the headers, a blank line.
  std::string head() const;

 private:
  int status_ = 200;
  std::string content_type_ = "application/json";
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string body_;
};

// "OK", "Not Found", ... for the status codes twinlane answers with.
std::string_view reasonPhrase(int status);

// A JSON object that keeps the insertion order of its keys, as the API documents them.
Poco::JSON::Object::Ptr orderedObject();

}  // namespace twinlane::fcgi
