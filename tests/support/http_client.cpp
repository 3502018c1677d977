// SPDX-License-Identifier: Apache-2.0
// HttpClient: Poco HTTPClientSession per request, timings, errors with context.
#include "http_client.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>

#include <sstream>
#include <stdexcept>

namespace twinlane::test {

Poco::JSON::Object::Ptr HttpResult::json() const {
  try {
    Poco::JSON::Parser parser;
    const auto value = parser.parse(body);
    if (value.type() == typeid(Poco::JSON::Object::Ptr)) return value.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& error) {
    throw std::runtime_error("not JSON (" + error.displayText() + "): " + describe());
  }
  throw std::runtime_error("not a JSON object: " + describe());
}

std::string HttpResult::header(const std::string& name) const {
  for (const auto& [key, value] : headers) {
    if (Poco::icompare(key, name) == 0) return value;
  }
  return {};
}

std::string HttpResult::describe() const {
  constexpr std::size_t kMaxBody = 2000;
  std::string shown = body.size() > kMaxBody ? body.substr(0, kMaxBody) + "...(" + std::to_string(body.size()) + " bytes)" : body;
  return method + " " + target + " -> " + std::to_string(status) + " " + content_type + " " + shown;
}

HttpResult HttpClient::get(uint16_t port, const std::string& path_and_query) const {
  return request("GET", port, path_and_query);
}

HttpResult HttpClient::post(uint16_t port, const std::string& path, const std::string& body,
                            const std::string& content_type) const {
  return request("POST", port, path, body, content_type);
}

HttpResult HttpClient::request(const std::string& method, uint16_t port, const std::string& path_and_query,
                               const std::string& body, const std::string& content_type,
                               const std::map<std::string, std::string>& headers) const {
  HttpResult result;
  result.method = method;
  result.target = "http://127.0.0.1:" + std::to_string(port) + path_and_query;
  try {
    Poco::Net::HTTPClientSession session("127.0.0.1", port);
    session.setTimeout(Poco::Timespan(std::chrono::duration_cast<std::chrono::microseconds>(timeout_).count()));
    session.setKeepAlive(false);
    Poco::Net::HTTPRequest request(method, path_and_query, Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(false);
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!content_type.empty()) request.setContentType(content_type);
    if (!body.empty() || method == "POST" || method == "PUT") {
      request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    result.sent = std::chrono::steady_clock::now();
    std::ostream& out = session.sendRequest(request);
    out << body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::ostringstream content;
    Poco::StreamCopier::copyStream(in, content);
    result.received = std::chrono::steady_clock::now();
    result.status = static_cast<int>(response.getStatus());
    result.content_type = response.getContentType();
    for (const auto& [name, value] : response) result.headers[name] = value;
    result.body = content.str();
  } catch (const Poco::Exception& error) {
    throw std::runtime_error(method + " " + result.target + ": " + error.displayText());
  }
  return result;
}

}  // namespace twinlane::test
