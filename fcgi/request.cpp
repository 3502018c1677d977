// SPDX-License-Identifier: Apache-2.0
// Reading one FastCGI request: see request.h.
#include "fcgi/request.h"

#include <poll.h>

#include <algorithm>
#include <string>

#include "fcgi/http_error.h"
#include "fcgi/query.h"
#include "fcgi/quote.h"

namespace twinlane::fcgi {
namespace {

std::string sizeText(std::size_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

Request::Request(FCGX_Request& raw, std::string body, bool body_over_limit, std::size_t max_body,
                 Checkpoint checkpoint)
    : raw_(&raw),
      body_(std::move(body)),
      body_over_limit_(body_over_limit),
      max_body_(max_body),
      checkpoint_(std::move(checkpoint)) {
  setUpPath();
}

Request::Request(std::map<std::string, std::string> params, std::string body, std::size_t max_body,
                 Checkpoint checkpoint)
    : params_(std::make_unique<std::map<std::string, std::string>>(std::move(params))),
      body_(std::move(body)),
      body_over_limit_(body_.size() > max_body),
      max_body_(max_body),
      checkpoint_(std::move(checkpoint)) {
  setUpPath();
}

void Request::setUpPath() {
  method_ = param("REQUEST_METHOD");
  path_ = param("DOCUMENT_URI");
  if (path_.empty()) {
    const std::string_view uri = param("REQUEST_URI");
    path_ = uri.substr(0, uri.find('?'));
  }
}

std::string_view Request::param(const char* name) const {
  if (params_) {
    const auto found = params_->find(name);
    return found == params_->end() ? std::string_view{} : std::string_view(found->second);
  }
  const char* value = FCGX_GetParam(name, raw_->envp);
  return value ? std::string_view(value) : std::string_view{};
}

bool Request::peerClosed() const {
  if (!raw_ || raw_->ipcFd < 0) return false;
  // POLLRDHUP, not POLLIN: unread FastCGI records (the empty stdin record) also make the socket
  // readable, but only a close by the peer sets RDHUP/HUP.
  pollfd fd{raw_->ipcFd, POLLRDHUP, 0};
  return ::poll(&fd, 1, 0) > 0 && (fd.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

std::string_view Request::uri() const {
  const std::string_view uri = param("REQUEST_URI");
  return uri.empty() ? path_ : uri;
}

std::string Request::readBody() {
  const std::string_view length_text = param("CONTENT_LENGTH");
  std::size_t expected = 0;
  if (!length_text.empty()) {
    const auto length = parseDecimal(length_text, 0, UINT64_MAX);
    if (!length) throw HttpError(400, "invalid_parameter", "Content-Length " + quoteInput(length_text) + " is not a number");
    if (*length > max_body_) {
      throw HttpError(413, "payload_too_large",
                      "body of " + sizeText(*length) + " exceeds the limit of " + sizeText(max_body_));
    }
    expected = *length;
  }

  if (body_over_limit_) {
    throw HttpError(413, "payload_too_large", "body exceeds the limit of " + sizeText(max_body_));
  }
  if (!length_text.empty() && body_.size() != expected) {
    throw HttpError(400, "invalid_parameter",
                    "body of " + sizeText(body_.size()) + " differs from the announced " + sizeText(expected));
  }
  return body_;
}

}  // namespace twinlane::fcgi
