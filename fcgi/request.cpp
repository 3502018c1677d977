// Reading one FastCGI request: see request.h.
#include "fcgi/request.h"

#include <string>

#include "fcgi/http_error.h"
#include "fcgi/query.h"

namespace twinlane::fcgi {
namespace {

std::string sizeText(std::size_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

Request::Request(FCGX_Request& raw, std::size_t max_body, std::function<void()> checkpoint)
    : raw_(raw), max_body_(max_body), checkpoint_(std::move(checkpoint)) {
  method_ = param("REQUEST_METHOD");
  path_ = param("DOCUMENT_URI");
  if (path_.empty()) {
    const std::string_view uri = param("REQUEST_URI");
    path_ = uri.substr(0, uri.find('?'));
  }
}

std::string_view Request::param(const char* name) const {
  const char* value = FCGX_GetParam(name, raw_.envp);
  return value ? std::string_view(value) : std::string_view{};
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
    if (!length) throw HttpError(400, "invalid_parameter", "Content-Length '" + std::string(length_text) + "' is not a number");
    if (*length > max_body_) {
      throw HttpError(413, "payload_too_large",
                      "body of " + sizeText(*length) + " exceeds the limit of " + sizeText(max_body_));
    }
    expected = *length;
  }

  std::string body;
  char chunk[16384];
  while (true) {
    const int n = FCGX_GetStr(chunk, sizeof chunk, raw_.in);
    if (n <= 0) break;
    if (body.size() + static_cast<std::size_t>(n) > max_body_) {
      throw HttpError(413, "payload_too_large", "body exceeds the limit of " + sizeText(max_body_));
    }
    body.append(chunk, static_cast<std::size_t>(n));
  }
  if (!length_text.empty() && body.size() != expected) {
    throw HttpError(400, "invalid_parameter",
                    "body ended after " + sizeText(body.size()) + " of the announced " + sizeText(expected));
  }
  return body;
}

}  // namespace twinlane::fcgi
