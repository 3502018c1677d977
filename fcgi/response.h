// SPDX-License-Identifier: Apache-2.0
// Response: the status, headers and body of one answer, built by a handler and written to
// libfcgi's stdout stream in one piece (one header block, then the body).
#pragma once

#include <fcgiapp.h>

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

  // Writes everything to `out`. Returns false when the peer is gone (the write failed).
  bool writeTo(FCGX_Stream* out) const;

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
