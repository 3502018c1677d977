// SPDX-License-Identifier: Apache-2.0
// HttpError: the one way handlers refuse a request. It carries the HTTP status, the API's
// machine-readable error code, a message for humans and any headers the status requires
// (Allow for 405, Retry-After for 503). The dispatcher turns it into the JSON error body.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "fcgi/quote.h"

namespace twinlane::fcgi {

class HttpError : public std::runtime_error {
 public:
  using Header = std::pair<std::string, std::string>;

  HttpError(int status, std::string code, const std::string& message, std::vector<Header> headers = {})
      : std::runtime_error(message), status_(status), code_(std::move(code)), headers_(std::move(headers)) {}

  int status() const { return status_; }
  const std::string& code() const { return code_; }
  const std::vector<Header>& headers() const { return headers_; }

  static HttpError missingParameter(const std::string& name, const std::string& form) {
    return {400, "missing_parameter", "missing parameter '" + name + "': expected " + form};
  }
  static HttpError invalidParameter(const std::string& name, const std::string& why) {
    return {400, "invalid_parameter", "invalid parameter '" + name + "': " + why};
  }
  static HttpError notFound(const std::string& path) {
    return {404, "not_found", "no route for " + quoteInput(path) + " on this lane"};
  }

 private:
  int status_;
  std::string code_;
  std::vector<Header> headers_;
};

}  // namespace twinlane::fcgi
