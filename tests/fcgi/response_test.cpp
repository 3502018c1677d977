// SPDX-License-Identifier: Apache-2.0
// Response: the API's JSON error shape and ordered JSON objects.
#include "fcgi/response.h"

#include <gtest/gtest.h>

#include "fcgi/http_error.h"

namespace twinlane::fcgi {
namespace {

TEST(ResponseTest, ErrorHasTheApiShapeAndHeaders) {
  Response response;
  response.setError(HttpError(503, "overloaded", "queue \"full\"", {{"Retry-After", "1"}}));
  EXPECT_EQ(response.status(), 503);
  EXPECT_EQ(response.body(), R"({"error":{"code":"overloaded","message":"queue \"full\""}})");
  ASSERT_EQ(response.headers().size(), 1u);
  EXPECT_EQ(response.headers()[0].first, "Retry-After");
}

TEST(ResponseTest, OrderedObjectKeepsInsertionOrder) {
  auto object = orderedObject();
  object->set("zeta", 1);
  object->set("alpha", 2);
  Response response;
  response.setJson(*object);
  EXPECT_EQ(response.body(), R"({"zeta":1,"alpha":2})");
}

TEST(ResponseTest, ReasonPhrases) {
  EXPECT_EQ(reasonPhrase(413), "Payload Too Large");
  EXPECT_EQ(reasonPhrase(299), "Unknown");
}

}  // namespace
}  // namespace twinlane::fcgi
