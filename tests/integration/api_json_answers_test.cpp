// SPDX-License-Identifier: Apache-2.0
// "Every answer is JSON", checked the way a JSON client reads answers: bytes from nginx that
// must parse as UTF-8 JSON in the API's error shape. First the kinds of request that once broke
// it (input echoed byte for byte in messages, nginx's own HTML pages for 400, 404, 405, 414,
// 431/494), then seeded random mutations of valid API requests, each answer a 2xx or a JSON 4xx.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <random>

#include "api_stack.h"
#include "integration_stack.h"
#include "raw_http.h"

namespace twinlane::test {
namespace {

using namespace std::chrono_literals;

std::string get10(const std::string& target, const std::string& extra_headers = {}) {
  return "GET " + target + " HTTP/1.0\r\nHost: localhost\r\n" + extra_headers + "\r\n";
}

std::string post10(const std::string& target, const std::string& body, const std::string& content_type) {
  return "POST " + target + " HTTP/1.0\r\nHost: localhost\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// The answer is `status` with a UTF-8 JSON body {"error":{"code":code,"message":...}}.
::testing::AssertionResult isJsonError(const RawHttpAnswer& answer, int status, const std::string& code) {
  if (!answer.answered) return ::testing::AssertionFailure() << "no HTTP answer";
  if (answer.status != status) {
    return ::testing::AssertionFailure() << "status " << answer.status << ", expected " << status << ": " << answer.body;
  }
  if (answer.header("Content-Type").rfind("application/json", 0) != 0) {
    return ::testing::AssertionFailure() << "Content-Type '" << answer.header("Content-Type") << "': " << answer.body;
  }
  if (!isValidUtf8(answer.body)) return ::testing::AssertionFailure() << "the body is not valid UTF-8: " << answer.body;
  try {
    const auto error = Poco::JSON::Parser().parse(answer.body).extract<Poco::JSON::Object::Ptr>()->getObject("error");
    if (!error || error->getValue<std::string>("code") != code || error->getValue<std::string>("message").empty()) {
      return ::testing::AssertionFailure() << "not the error shape with code " << code << ": " << answer.body;
    }
  } catch (const std::exception& failure) {
    return ::testing::AssertionFailure() << "the body is not JSON (" << failure.what() << "): " << answer.body;
  }
  return ::testing::AssertionSuccess();
}

// The error code of an API error body, or "" when the body is not one.
std::string errorCode(const RawHttpAnswer& answer) {
  try {
    return Poco::JSON::Parser()
        .parse(answer.body)
        .extract<Poco::JSON::Object::Ptr>()
        ->getObject("error")
        ->getValue<std::string>("code");
  } catch (const std::exception&) {
    return {};
  }
}

class ApiJsonAnswers : public ApiStack {
 protected:
  RawHttpAnswer send(const std::string& request) { return sendRawHttp(stack().port(), request, 10s); }
  std::string messageOf(const RawHttpAnswer& answer) {
    return Poco::JSON::Parser()
        .parse(answer.body)
        .extract<Poco::JSON::Object::Ptr>()
        ->getObject("error")
        ->getValue<std::string>("message");
  }
};

TEST_F(ApiJsonAnswers, InvalidUtf8InTheInputIsQuotedAsValidUtf8) {
  const auto node = send(get10("/api/v1/nodes/1%ff2"));
  EXPECT_TRUE(isJsonError(node, 400, "invalid_parameter"));
  EXPECT_NE(messageOf(node).find("'1\\xFF2'"), std::string::npos) << messageOf(node);

  const auto name = send(get10("/api/v1/route?fr%e4om=1&to=2"));
  EXPECT_TRUE(isJsonError(name, 400, "invalid_parameter"));
  EXPECT_NE(messageOf(name).find("'fr\\xE4om'"), std::string::npos) << messageOf(name);

  const auto body = send(post10("/api/v1/matrix", "{\"sources\":[1\xe4],\"targets\":[2]}", "application/json"));
  EXPECT_TRUE(isJsonError(body, 400, "invalid_json"));

  const auto content_type = send(post10("/api/v1/matrix", "{}", "text/\xff"));
  EXPECT_TRUE(isJsonError(content_type, 415, "unsupported_media_type"));
}

TEST_F(ApiJsonAnswers, LongInputIsQuotedInPart) {
  const auto answer = send(get10("/api/v1/route?from=" + std::string(3000, '7') + "x&to=1"));
  EXPECT_TRUE(isJsonError(answer, 400, "invalid_parameter"));
  EXPECT_LT(messageOf(answer).size(), 300u) << messageOf(answer);
  EXPECT_NE(messageOf(answer).find("(3001 bytes)"), std::string::npos) << messageOf(answer);
}

TEST_F(ApiJsonAnswers, NginxOwnErrorsAreJsonToo) {
  EXPECT_TRUE(isJsonError(send(get10("/api/v1/nodes/%00")), 400, "bad_request"));
  EXPECT_TRUE(isJsonError(send(get10("/../etc/passwd")), 400, "bad_request"));
  EXPECT_TRUE(isJsonError(send("GET /api/v1/health HTTP/1.0\r\nHost: localhost\r\nBad\x01Header: x\r\n\r\n"), 400,
                          "bad_request"));
  EXPECT_TRUE(isJsonError(send(get10("/nowhere")), 404, "not_found"));
  EXPECT_TRUE(isJsonError(send("TRACE /api/v1/health HTTP/1.0\r\nHost: localhost\r\n\r\n"), 405, "method_not_allowed"));
  EXPECT_TRUE(isJsonError(send(get10("/api/v1/health?pad=" + std::string(20000, 'a'))), 414, "uri_too_long"));
  EXPECT_TRUE(isJsonError(send(get10("/api/v1/health", "X-Big: " + std::string(20000, 'b') + "\r\n")), 431,
                          "header_too_large"));
  EXPECT_TRUE(isJsonError(send(post10("/api/v1/matrix", std::string(kMaxBodyBytes + 1, ' '), "application/json")), 413,
                          "payload_too_large"));
}

// Seeded mutations of valid requests: query strings, paths, matrix bodies, content types.
std::string mutateText(std::string text, std::mt19937_64& random) {
  static const std::string kInteresting[] = {"%",   "%ff", "%00", "%e4", "\xff", "\xe4", "/../", "&",     "=",
                                             "\"",  "[",   "]",   "{",   "}",    "-1",   "1e9",  "%2e%2e", "\\",
                                             "\x7f", "+",  ",",   "99999999999999999999"};
  const int edits = 1 + static_cast<int>(random() % 3);
  for (int e = 0; e < edits; ++e) {
    const std::size_t at = text.empty() ? 0 : random() % (text.size() + 1);
    switch (random() % 4) {
      case 0:
        if (!text.empty() && at < text.size()) text[at] = static_cast<char>(random() % 256);
        break;
      case 1:
        text.insert(at, kInteresting[random() % std::size(kInteresting)]);
        break;
      case 2:
        if (at < text.size()) text.erase(at, 1 + random() % 4);
        break;
      default:
        text.insert(at, std::string(1 + random() % 3, static_cast<char>(0x80 + random() % 0x80)));
        break;
    }
  }
  return text;
}

// A raw CR or LF would end the request line early and make another request (an HTTP/0.9 one,
// answered without a status line), not a mutated one: no client library sends it in a URL.
std::string mutateTarget(const std::string& target, std::mt19937_64& random) {
  std::string text = mutateText(target, random);
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }, '~');
  return text;
}

TEST_F(ApiJsonAnswers, MutatedRequestsGetJsonAnswers) {
  // TWINLANE_API_MUTATIONS sends more (the test command's run is this bounded count).
  const char* count_text = std::getenv("TWINLANE_API_MUTATIONS");
  const int count = count_text ? std::atoi(count_text) : 3000;
  const char* seed_text = std::getenv("TWINLANE_API_MUTATION_SEED");
  const std::uint64_t seed = seed_text ? std::strtoull(seed_text, nullptr, 10) : std::random_device{}();
  std::mt19937_64 random(seed);
  std::cout << "API mutation seed " << seed << " (TWINLANE_API_MUTATION_SEED replays it)\n";
  const std::string nodes = std::to_string(ApiStack::nodes());
  const std::vector<std::string> targets = {"/api/v1/route?from=1&to=" + nodes, "/api/v1/nodes/42",
                                            "/api/v1/nearest?lon=0.01&lat=0.01", "/api/v1/graph", "/api/v1/health"};
  const std::string matrix = R"({"sources":[1,2],"targets":[3,4]})";
  int failures = 0;
  for (int i = 0; i < count && failures < 5; ++i) {
    std::string request;
    switch (random() % 3) {
      case 0:
        request = get10(mutateTarget(targets[random() % targets.size()], random));
        break;
      case 1:
        request = post10("/api/v1/matrix", mutateText(matrix, random), "application/json");
        break;
      default:
        request = post10("/api/v1/matrix", matrix, mutateTarget("application/json", random));
        break;
    }
    const auto answer = send(request);
    const bool ok_2xx = answer.answered && answer.status / 100 == 2 && isValidUtf8(answer.body);
    const std::string code = errorCode(answer);
    const bool json_4xx = answer.answered && answer.status / 100 == 4 && !code.empty() &&
                          isJsonError(answer, answer.status, code);
    if (!ok_2xx && !json_4xx) {
      ++failures;
      ADD_FAILURE() << "mutation " << i << " (seed " << seed << "): " << request << "\n-> " << answer.head << answer.body;
    }
  }
}

}  // namespace
}  // namespace twinlane::test

namespace twinlane::test {
namespace {

// limits.max_params bounds what one request's FastCGI parameters may hold; nginx's header
// buffers are rendered from it (nginx_config.h), so a request too large for it gets nginx's
// JSON 414 or 431, never a worker closing the connection (a 502). At 16 KiB nginx keeps one
// 2 KiB buffer: many short headers, each doubled as an HTTP_ parameter, or a long URI, passed
// three times, would otherwise reach the worker over the limit.
TEST(RequestCaps, RequestsLargerThanMaxParamsHoldsGet414Or431FromNginxNotA502) {
  auto options = integrationOptions();
  options.max_params = "16KiB";
  TwinlaneStack stack(options);
  const auto send = [&](const std::string& request) { return sendRawHttp(stack.port(), request, 10s); };

  // Each over 16 KiB of parameters once nginx has passed it on, and within nginx's own default
  // buffers (4 8k).
  std::string many_headers;
  for (int i = 0; i < 2000; ++i) many_headers += "A" + std::to_string(1000 + i) + ": x\r\n";
  EXPECT_TRUE(isJsonError(send(get10("/api/v1/health", many_headers)), 431, "header_too_large"));
  const std::string long_header = "X-Long: " + std::string(6000, 'b') + "\r\n";
  EXPECT_TRUE(isJsonError(send(get10("/api/v1/nodes/1?" + std::string(6000, 'q'), long_header)), 414, "uri_too_long"));
  EXPECT_TRUE(isJsonError(send(get10("/api/v1/health", long_header + long_header + long_header)), 431,
                          "header_too_large"));
  // Within the buffers: served.
  std::string some_headers;
  for (int i = 0; i < 40; ++i) some_headers += "A" + std::to_string(i) + ": x\r\n";
  EXPECT_EQ(send(get10("/api/v1/health", some_headers)).status, 200);
  EXPECT_EQ(send(get10("/api/v1/nodes/1?" + std::string(1000, 'q'))).status, 400) << "an unknown parameter";
  stack.stop();
  EXPECT_EQ(stack.masterLog().find("closed a FastCGI connection"), std::string::npos) << stack.masterLog();
}

}  // namespace
}  // namespace twinlane::test
