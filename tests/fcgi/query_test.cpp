// SPDX-License-Identifier: Apache-2.0
// Query decoding: what a client's query string turns into, and every way it is refused.
#include "fcgi/query.h"

#include <gtest/gtest.h>

#include "fcgi/http_error.h"

namespace twinlane::fcgi {
namespace {

// Runs `action` and returns the HttpError it throws, failing the test if it throws none.
template <typename Action>
HttpError errorOf(Action action) {
  try {
    action();
  } catch (const HttpError& error) {
    return error;
  }
  ADD_FAILURE() << "expected an HttpError";
  return HttpError(0, "none", "none");
}

TEST(QueryParametersTest, DecodesPercentEncodingAndPlus) {
  const auto query = QueryParameters::parse("name=a%20b%2Bc+d&caf%C3%A9=%E2%82%AC");
  EXPECT_EQ(query.find("name"), "a b+c d");
  EXPECT_EQ(query.find("café"), "€");
}

TEST(QueryParametersTest, SkipsEmptyPiecesAndKeepsValuelessNames) {
  const auto query = QueryParameters::parse("&a=1&&b&");
  EXPECT_EQ(query.size(), 2u);
  EXPECT_EQ(query.find("a"), "1");
  EXPECT_EQ(query.find("b"), "");
  EXPECT_FALSE(query.find("c").has_value());
}

TEST(QueryParametersTest, RefusesMalformedEscapes) {
  for (const char* text : {"a=%zz", "a=%4", "a=%", "%g1=2"}) {
    const HttpError error = errorOf([&] { QueryParameters::parse(text); });
    EXPECT_EQ(error.status(), 400) << text;
    EXPECT_EQ(error.code(), "invalid_parameter") << text;
    EXPECT_NE(std::string(error.what()).find("percent-encoding"), std::string::npos) << error.what();
  }
  const HttpError named = errorOf([] { QueryParameters::parse("from=%zz&to=1"); });
  EXPECT_NE(std::string(named.what()).find("parameter 'from'"), std::string::npos) << named.what();
}

TEST(QueryParametersTest, RefusesRepeatedAndNamelessParameters) {
  const HttpError repeated = errorOf([] { QueryParameters::parse("from=1&to=2&from=3"); });
  EXPECT_EQ(repeated.code(), "invalid_parameter");
  EXPECT_NE(std::string(repeated.what()).find("'from' is repeated"), std::string::npos);
  // The repeat is found after decoding: %66 is 'f'.
  EXPECT_EQ(errorOf([] { QueryParameters::parse("from=1&%66rom=3"); }).code(), "invalid_parameter");
  EXPECT_EQ(errorOf([] { QueryParameters::parse("=5"); }).code(), "invalid_parameter");
}

TEST(QueryParametersTest, AcceptOnlyNamesTheStranger) {
  const auto query = QueryParameters::parse("from=1&tp=2");
  const HttpError error = errorOf([&] { query.acceptOnly({"from", "to"}); });
  EXPECT_EQ(error.code(), "invalid_parameter");
  EXPECT_NE(std::string(error.what()).find("unknown parameter 'tp'; accepted: from, to"), std::string::npos);
}

TEST(QueryParametersTest, IntegersAreStrictDecimal) {
  const auto good = QueryParameters::parse("a=0&b=007&c=18446744073709551615");
  EXPECT_EQ(good.requireInteger("a", 0, 10), 0u);
  EXPECT_EQ(good.requireInteger("b", 0, 10), 7u);
  EXPECT_EQ(good.requireInteger("c", 0, UINT64_MAX), UINT64_MAX);

  for (const char* bad : {"12abc", "-1", "+1", "1e3", "1.0", " 1", "1 ", "0x10", "18446744073709551616", "11"}) {
    const auto query = QueryParameters::parse(std::string("id=") + bad);
    const HttpError error = errorOf([&] { query.requireInteger("id", 0, 10); });
    EXPECT_EQ(error.status(), 400) << bad;
    EXPECT_EQ(error.code(), "invalid_parameter") << bad;
    EXPECT_NE(std::string(error.what()).find("from 0 to 10"), std::string::npos) << error.what();
  }
}

TEST(QueryParametersTest, MissingAndEmptyAreDistinguished) {
  const auto query = QueryParameters::parse("id=");
  EXPECT_EQ(errorOf([&] { query.requireInteger("id", 0, 10); }).code(), "invalid_parameter");
  const HttpError missing = errorOf([&] { query.requireInteger("other", 0, 10); });
  EXPECT_EQ(missing.code(), "missing_parameter");
  EXPECT_NE(std::string(missing.what()).find("'other'"), std::string::npos);
}

TEST(QueryParametersTest, NumbersAreFiniteAndInRange) {
  const auto good = QueryParameters::parse("lon=-73.98&lat=40.75&z=0");
  EXPECT_DOUBLE_EQ(good.requireNumber("lon", -180, 180), -73.98);
  EXPECT_DOUBLE_EQ(good.requireNumber("lat", -90, 90), 40.75);
  for (const char* bad : {"nan", "inf", "-inf", "181", "1e2", "0x1p3", "1,5", "abc", "", "--1"}) {
    const auto query = QueryParameters::parse(std::string("lon=") + bad);
    EXPECT_EQ(errorOf([&] { query.requireNumber("lon", -180, 180); }).code(), "invalid_parameter") << bad;
  }
}

}  // namespace
}  // namespace twinlane::fcgi
