// SPDX-License-Identifier: Apache-2.0
// Writing one FastCGI response: see response.h.
#include "fcgi/response.h"

#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "fcgi/http_error.h"
#include "fcgi/quote.h"

namespace twinlane::fcgi {

void Response::setBody(std::string content_type, std::string body) {
  content_type_ = std::move(content_type);
  body_ = std::move(body);
}

void Response::setJson(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out);
  setBody("application/json", out.str());
}

void Response::setError(const HttpError& error) {
  auto detail = orderedObject();
  detail->set("code", error.code());
  // Messages quote client input through quoteInput(); this keeps any other text valid JSON too.
  detail->set("message", validUtf8(error.what()));
  auto wrapper = orderedObject();
  wrapper->set("error", detail);
  setStatus(error.status());
  for (const auto& [name, value] : error.headers()) addHeader(name, value);
  setJson(*wrapper);
}

std::string Response::head() const {
  std::string head = "Status: " + std::to_string(status_) + " " + std::string(reasonPhrase(status_)) + "\r\n";
  head += "Content-Type: " + content_type_ + "\r\n";
  head += "Content-Length: " + std::to_string(body_.size()) + "\r\n";
  for (const auto& [name, value] : headers_) head += name + ": " + value + "\r\n";
  head += "\r\n";
  return head;
}

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

Poco::JSON::Object::Ptr orderedObject() { return new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER); }

}  // namespace twinlane::fcgi
