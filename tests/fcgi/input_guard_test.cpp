// SPDX-License-Identifier: Apache-2.0
// InputGuard: which FastCGI record streams reach libfcgi, and why the others do not.
#include "fcgi/input_guard.h"

#include <gtest/gtest.h>

#include "fastcgi_client.h"

namespace twinlane::fcgi {
namespace {

using test::fastcgiPair;
using test::fastcgiRecord;
using test::fastcgiRequest;
using test::fromHex;

constexpr InputLimits kLimits{4096, 1000};
constexpr std::uint8_t kBegin = 1;
constexpr std::uint8_t kParams = 4;
constexpr std::uint8_t kStdin = 5;
constexpr std::uint8_t kGetValues = 9;

const std::string kBeginResponder = fastcgiRecord(kBegin, 1, std::string("\0\1\0\0\0\0\0\0", 8));

InputGuard::Progress feedAll(InputGuard& guard, std::string_view bytes) { return guard.feed(bytes); }

// The same stream fed one byte at a time must reach the same verdict.
InputGuard::Progress feedBytewise(InputGuard& guard, std::string_view bytes) {
  for (const char byte : bytes) guard.feed(std::string_view(&byte, 1));
  return guard.progress();
}

std::string refusal(std::string_view bytes, InputLimits limits = kLimits) {
  InputGuard whole(limits);
  InputGuard bytewise(limits);
  EXPECT_EQ(feedAll(whole, bytes), InputGuard::Progress::kRejected);
  EXPECT_EQ(feedBytewise(bytewise, bytes), InputGuard::Progress::kRejected);
  EXPECT_EQ(whole.rejection(), bytewise.rejection());
  return whole.rejection();
}

// BEGIN_REQUEST, then one PARAMS record holding `params_content`, then the empty PARAMS and STDIN.
std::string withParamsContent(std::string_view params_content) {
  return kBeginResponder + fastcgiRecord(kParams, 1, params_content) + fastcgiRecord(kParams, 1, {}) +
         fastcgiRecord(kStdin, 1, {});
}

TEST(InputGuardTest, NginxRequestIsCompleteWithItsBodyAndParameters) {
  const std::string body = R"({"sources":[1],"targets":[2]})";
  const auto params = test::nginxParams("POST", "/api/v1/matrix", body.size(), "application/json");
  for (const bool bytewise : {false, true}) {
    InputGuard guard(kLimits);
    const std::string stream = fastcgiRequest(params, body);
    EXPECT_EQ(bytewise ? feedBytewise(guard, stream) : feedAll(guard, stream), InputGuard::Progress::kComplete);
    EXPECT_EQ(guard.takeBody(), body);
    EXPECT_FALSE(guard.bodyOverLimit());
    EXPECT_FALSE(guard.keepConnection());
    // libfcgi gets the same pairs, without padding.
    std::string pairs;
    for (const auto& [name, value] : params) pairs += fastcgiPair(name, value);
    EXPECT_EQ(guard.headerRecords(), kBeginResponder + fastcgiRecord(kParams, 1, pairs) + fastcgiRecord(kParams, 1, {}));
  }
}

TEST(InputGuardTest, TheRecordThatAbortedLibfcgiIsRefusedWithItsLengths) {
  // BEGIN_REQUEST, then PARAMS declaring a name of 0x62854eb6 and a value of 0x4575000e bytes.
  const std::string stream = fromHex("01010001000800000001010000000000010400010113007fe2854eb6c575000e0352455155c5535cb0");
  InputGuard guard(kLimits);
  // The PARAMS record itself is shorter than it declares: the guard waits for the rest.
  EXPECT_EQ(guard.feed(stream), InputGuard::Progress::kNeedMore);
  // Completed and ended, its pair still declares far more than the stream holds.
  const std::string completed = stream + std::string(0x113 - (stream.size() - 24), 'x') + fastcgiRecord(kParams, 1, {});
  EXPECT_NE(refusal(completed).find("declares a name of 1652903606 and a value of 1165295630 bytes"), std::string::npos)
      << refusal(completed);
}

TEST(InputGuardTest, PairsUpToTheEndOfTheStreamPassOneByteMoreDoesNot) {
  const std::string exact = fastcgiPair("NAME", std::string(200, 'v'));
  InputGuard guard(kLimits);
  EXPECT_EQ(guard.feed(withParamsContent(exact)), InputGuard::Progress::kComplete);

  ASSERT_EQ(exact.substr(0, 5), std::string("\x04\x80\x00\x00\xc8", 5));  // name 4, value 200 (4-byte form)
  std::string over = exact;
  over[4] = static_cast<char>(0xc9);  // a value of 201: one byte more than the stream holds
  EXPECT_NE(refusal(withParamsContent(over)).find("declares a name of 4 and a value of 201 bytes, but only 204"),
            std::string::npos);
}

TEST(InputGuardTest, LengthsWhoseSumOverflows32BitsAreRefused) {
  std::string pair = "\xff\xff\xff\xff\xff\xff\xff\xff";  // 0x7fffffff twice
  pair += "AB";
  EXPECT_NE(refusal(withParamsContent(pair)).find("2147483647 and a value of 2147483647"), std::string::npos);
}

TEST(InputGuardTest, StreamEndingInsideALengthIsRefused) {
  EXPECT_NE(refusal(withParamsContent(std::string("\x04\x85\x00", 3))).find("ends inside its lengths"),
            std::string::npos);
}

TEST(InputGuardTest, ParametersUpToTheLimitPassOneByteMoreDoesNot) {
  const InputLimits limits{1000, 1000};
  const std::string at_limit = fastcgiPair("PAD", std::string(1000 - 3 - 2 - 3, 'x'));  // lengths take 2+3 bytes
  ASSERT_EQ(at_limit.size(), 1000u);
  InputGuard guard(limits);
  EXPECT_EQ(guard.feed(withParamsContent(at_limit)), InputGuard::Progress::kComplete);

  const std::string over_limit = fastcgiPair("PAD", std::string(1000 - 3 - 2 - 3 + 1, 'x'));
  EXPECT_NE(refusal(withParamsContent(over_limit), limits).find("exceed the limit of 1000 bytes"), std::string::npos);
}

TEST(InputGuardTest, ParametersOverTheLimitAreRefusedBeforeTheirContentArrives) {
  InputGuard guard({100, 100});
  const std::string header_only = kBeginResponder + fastcgiRecord(kParams, 1, std::string(101, 'x')).substr(0, 8);
  EXPECT_EQ(guard.feed(header_only), InputGuard::Progress::kRejected);
}

TEST(InputGuardTest, ManagementRecordsAreRefusedAnywhere) {
  // libfcgi answers GET_VALUES into a 64-byte buffer: four names overflow it.
  std::string names;
  for (int i = 0; i < 4; ++i) names += fastcgiPair("FCGI_MAX_CONNS", "");
  EXPECT_NE(refusal(fastcgiRecord(kGetValues, 0, names)).find("the first record is GET_VALUES"), std::string::npos);
  const std::string in_params = kBeginResponder + fastcgiRecord(kGetValues, 0, names);
  EXPECT_NE(refusal(in_params).find("management record GET_VALUES"), std::string::npos);
  const std::string in_body = kBeginResponder + fastcgiRecord(kParams, 1, {}) + fastcgiRecord(kGetValues, 0, names);
  EXPECT_NE(refusal(in_body).find("management record GET_VALUES"), std::string::npos);
}

TEST(InputGuardTest, WhatNginxNeverSendsIsRefused) {
  EXPECT_NE(refusal(std::string("\x02\x01\x00\x01\x00\x08\x00\x00", 8) + std::string(8, '\0')).find("version 2"),
            std::string::npos);
  EXPECT_NE(refusal(fastcgiRecord(kBegin, 1, std::string("\0\1\0\0\0\0\0", 7))).find("of 7 bytes, not 8"),
            std::string::npos);
  EXPECT_NE(refusal(fastcgiRecord(kBegin, 0, std::string("\0\1\0\0\0\0\0\0", 8))).find("request id 0"),
            std::string::npos);
  EXPECT_NE(refusal(fastcgiRecord(kBegin, 1, std::string("\0\3\0\0\0\0\0\0", 8))).find("role 3"), std::string::npos);
  EXPECT_NE(refusal(kBeginResponder + fastcgiRecord(kParams, 2, "x")).find("request 2 inside request 1"),
            std::string::npos);
  EXPECT_NE(refusal(kBeginResponder + fastcgiRecord(kStdin, 1, "x")).find("STDIN record where PARAMS"),
            std::string::npos);
  EXPECT_NE(refusal(kBeginResponder + kBeginResponder).find("BEGIN_REQUEST record where PARAMS"), std::string::npos);
}

TEST(InputGuardTest, ARecordShorterThanDeclaredWaitsForTheRest) {
  InputGuard guard(kLimits);
  const std::string stream = kBeginResponder + fastcgiRecord(kParams, 1, fastcgiPair("A", "B")).substr(0, 10);
  EXPECT_EQ(guard.feed(stream), InputGuard::Progress::kNeedMore);
  EXPECT_TRUE(guard.started());
  EXPECT_EQ(guard.bytesReceived(), stream.size());
}

TEST(InputGuardTest, BodyOverTheLimitEndsTheRequestAndTheConnection) {
  InputGuard guard({4096, 10});
  const std::string stream = fastcgiRequest({{"A", "B"}}, std::string(11, 'b'), /*keep_connection=*/true);
  EXPECT_EQ(guard.feed(stream), InputGuard::Progress::kComplete);
  EXPECT_TRUE(guard.bodyOverLimit());
  EXPECT_FALSE(guard.keepConnection());
}

TEST(InputGuardTest, KeptConnectionCarriesTheNextRequest) {
  InputGuard guard(kLimits);
  const std::string first = fastcgiRequest({{"N", "1"}}, "one", true);
  const std::string second = fastcgiRequest({{"N", "2"}}, "two", true);
  EXPECT_EQ(guard.feed(first + second.substr(0, 5)), InputGuard::Progress::kComplete);
  EXPECT_TRUE(guard.keepConnection());
  EXPECT_EQ(guard.takeBody(), "one");
  EXPECT_EQ(guard.startNextRequest(), InputGuard::Progress::kNeedMore);
  EXPECT_TRUE(guard.started());
  EXPECT_EQ(guard.feed(second.substr(5)), InputGuard::Progress::kComplete);
  EXPECT_EQ(guard.takeBody(), "two");
}

}  // namespace
}  // namespace twinlane::fcgi
