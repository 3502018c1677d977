// SPDX-License-Identifier: Apache-2.0
// Router: 404 for unclaimed paths, 405 with Allow for the wrong method, prefix remainders.
#include "fcgi/router.h"

#include <gtest/gtest.h>

#include "fcgi/http_error.h"

namespace twinlane::fcgi {
namespace {

Router exampleRouter() {
  return Router({{"route", "/api/v1/route", false, {"GET"}},
                 {"matrix", "/api/v1/matrix", false, {"POST"}},
                 {"node", "/api/v1/nodes/", true, {"GET", "HEAD"}}});
}

TEST(RouterTest, ExactAndPrefixRoutes) {
  const Router router = exampleRouter();
  EXPECT_EQ(router.match("GET", "/api/v1/route").route->name, "route");
  const RouteMatch node = router.match("GET", "/api/v1/nodes/42");
  EXPECT_EQ(node.route->name, "node");
  EXPECT_EQ(node.rest, "42");
}

TEST(RouterTest, UnclaimedPathIsNotFound) {
  const Router router = exampleRouter();
  for (const char* path : {"/api/v1/routes", "/api/v1/route/", "/api/v1/nodes/", "/", ""}) {
    try {
      router.match("GET", path);
      FAIL() << path;
    } catch (const HttpError& error) {
      EXPECT_EQ(error.status(), 404) << path;
      EXPECT_EQ(error.code(), "not_found");
    }
  }
}

TEST(RouterTest, WrongMethodIs405WithAllow) {
  const Router router = exampleRouter();
  try {
    router.match("DELETE", "/api/v1/nodes/1");
    FAIL();
  } catch (const HttpError& error) {
    EXPECT_EQ(error.status(), 405);
    EXPECT_EQ(error.code(), "method_not_allowed");
    ASSERT_EQ(error.headers().size(), 1u);
    EXPECT_EQ(error.headers()[0].first, "Allow");
    EXPECT_EQ(error.headers()[0].second, "GET, HEAD");
  }
}

}  // namespace
}  // namespace twinlane::fcgi
