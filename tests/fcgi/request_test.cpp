// SPDX-License-Identifier: Apache-2.0
// Request: path selection and the bounded body.
#include "fcgi/request.h"

#include <gtest/gtest.h>

#include "fcgi/http_error.h"

namespace twinlane::fcgi {
namespace {

TEST(RequestTest, PathComesFromDocumentUriElseRequestUri) {
  Request with_document({{"REQUEST_METHOD", "GET"}, {"DOCUMENT_URI", "/api/v1/route"}, {"REQUEST_URI", "/x?y"}}, "", 10);
  EXPECT_EQ(with_document.method(), "GET");
  EXPECT_EQ(with_document.path(), "/api/v1/route");
  EXPECT_EQ(with_document.uri(), "/x?y");

  Request without({{"REQUEST_URI", "/api/v1/graph?a=1"}, {"QUERY_STRING", "a=1"}}, "", 10);
  EXPECT_EQ(without.path(), "/api/v1/graph");
  EXPECT_EQ(without.queryString(), "a=1");
  EXPECT_EQ(without.param("ABSENT"), "");
}

TEST(RequestTest, BodyWithinTheLimitIsReadWhole) {
  Request request({{"CONTENT_LENGTH", "5"}}, "hello", 5);
  EXPECT_EQ(request.readBody(), "hello");
}

TEST(RequestTest, DeclaredLengthOverTheLimitIsRefusedBeforeReading) {
  Request request({{"CONTENT_LENGTH", "6"}}, "hello!", 5);
  try {
    request.readBody();
    FAIL() << "expected 413";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.status(), 413);
    EXPECT_EQ(error.code(), "payload_too_large");
    EXPECT_NE(std::string(error.what()).find("limit of 5 bytes"), std::string::npos);
  }
}

TEST(RequestTest, UndeclaredBodyOverTheLimitIsRefused) {
  Request request({}, std::string(100000, 'x'), 1000);
  try {
    request.readBody();
    FAIL() << "expected 413";
  } catch (const HttpError& error) {
    EXPECT_EQ(error.code(), "payload_too_large");
  }
}

TEST(RequestTest, ShortOrMalformedLengthIsABadRequest) {
  Request short_body({{"CONTENT_LENGTH", "10"}}, "abc", 100);
  EXPECT_THROW(short_body.readBody(), HttpError);
  Request bad_length({{"CONTENT_LENGTH", "ten"}}, "abc", 100);
  EXPECT_THROW(bad_length.readBody(), HttpError);
}

TEST(RequestTest, CheckpointRunsTheServersCallback) {
  int calls = 0;
  Request request({}, "", 0, [&](const Request&) { ++calls; });
  request.checkpoint();
  request.checkpoint();
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace twinlane::fcgi
