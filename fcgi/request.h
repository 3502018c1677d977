// SPDX-License-Identifier: Apache-2.0
// Request: one request, as the application sees it: method, path, query string, headers and a
// body up to a size limit. Served requests read libfcgi's parameter block (owned by the
// FCGX_Request the serving thread keeps; the serving loop accepts and finishes the connection)
// and the body the acceptor read with them. Requests made from parts (tests, tools) read a map.
#pragma once

#include <fcgiapp.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <stdexcept>
#include <string_view>

namespace twinlane::fcgi {

// Thrown from a checkpoint when nginx closed the connection (its client gave up): the answer
// would reach nobody, so the computation stops and nothing is written.
class ClientGone : public std::runtime_error {
 public:
  ClientGone() : std::runtime_error("the client closed the connection") {}
};

class Request {
 public:
  // `checkpoint` is called by long computations at regular points, with this request; the
  // server uses it to stop work past a deadline (HttpError) or for a client that left
  // (ClientGone).
  using Checkpoint = std::function<void(const Request&)>;
  // `body` is what arrived on STDIN, cut at max_body; `body_over_limit` says more was sent.
  Request(FCGX_Request& raw, std::string body, bool body_over_limit, std::size_t max_body,
          Checkpoint checkpoint = {});
  // A request from CGI-style parameters and a body, without a connection.
  Request(std::map<std::string, std::string> params, std::string body, std::size_t max_body,
          Checkpoint checkpoint = {});

  // A FastCGI parameter (CGI variable) or "" when absent.
  std::string_view param(const char* name) const;
  // An HTTP request header by its CGI name, e.g. header("CONTENT_TYPE") or header("HTTP_ACCEPT").
  std::string_view header(const char* cgi_name) const { return param(cgi_name); }

  std::string_view method() const { return method_; }
  // The decoded path without the query (nginx's $document_uri, else REQUEST_URI up to '?').
  std::string_view path() const { return path_; }
  std::string_view queryString() const { return param("QUERY_STRING"); }
  // The path and query as the client sent them, for logs.
  std::string_view uri() const;

  // The whole body. Throws HttpError 413 payload_too_large past the limit (checked against
  // CONTENT_LENGTH first, then against what was sent) and 400 when the body is shorter or
  // longer than CONTENT_LENGTH.
  std::string readBody();

  void checkpoint() const {
    if (checkpoint_) checkpoint_(*this);
  }

  // True once nginx has closed the connection (nginx never sends FCGI_ABORT_REQUEST; a client
  // that gives up shows as a closed connection). Never true for requests made from parts.
  bool peerClosed() const;

 private:
  void setUpPath();

  FCGX_Request* raw_ = nullptr;
  std::unique_ptr<std::map<std::string, std::string>> params_;  // requests made from parts
  std::string body_;
  bool body_over_limit_ = false;
  std::size_t max_body_;
  Checkpoint checkpoint_;
  std::string_view method_;
  std::string_view path_;
};

}  // namespace twinlane::fcgi
