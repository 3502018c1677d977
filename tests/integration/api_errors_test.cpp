// SPDX-License-Identifier: Apache-2.0
// Every error of the API v1 (design.md, "Errors") as a user reaches it through nginx: the
// status, a JSON body {"error":{"code","message"}} and a message naming the parameter.
// overloaded, queue_timeout, timeout and internal are specified elsewhere.
#include <gtest/gtest.h>

#include "api_stack.h"
#include "integration_stack.h"

namespace twinlane::test {
namespace {

class ApiErrors : public ApiStack {
 protected:
  std::string route(const std::string& query) { return "/api/v1/route?" + query; }
};

TEST_F(ApiErrors, MissingRouteParameterIsMissingParameter) {
  EXPECT_TRUE(isApiError(get(route("to=1")), 400, "missing_parameter", "from"));
  EXPECT_TRUE(isApiError(get(route("from=1")), 400, "missing_parameter", "to"));
  EXPECT_TRUE(isApiError(get("/api/v1/route"), 400, "missing_parameter"));
}

TEST_F(ApiErrors, MissingNearestParameterIsMissingParameter) {
  EXPECT_TRUE(isApiError(get("/api/v1/nearest?lon=8.5"), 400, "missing_parameter", "lat"));
  EXPECT_TRUE(isApiError(get("/api/v1/nearest?lat=49.4"), 400, "missing_parameter", "lon"));
}

TEST_F(ApiErrors, NodeIdsAreStrictDecimalIntegers) {
  for (const std::string bad : {"12abc", "-1", "1e3", "", "+1", "0x10", "1.0", "99999999999999999999"}) {
    SCOPED_TRACE("from=" + bad);
    EXPECT_TRUE(isApiError(get(route("from=" + bad + "&to=1")), 400, "invalid_parameter", "from"));
  }
}

TEST_F(ApiErrors, MalformedPercentEncodingIsInvalidAndNamesTheParameter) {
  for (const std::string bad : {"%zz", "%4", "1%"}) {
    SCOPED_TRACE("from=" + bad);
    EXPECT_TRUE(isApiError(get(route("from=" + bad + "&to=1")), 400, "invalid_parameter", "from"));
  }
}

TEST_F(ApiErrors, RepeatedParameterIsInvalid) {
  EXPECT_TRUE(isApiError(get(route("from=1&from=2&to=3")), 400, "invalid_parameter", "from"));
  EXPECT_TRUE(isApiError(get(route("from=1&to=2&to=3")), 400, "invalid_parameter", "to"));
}

TEST_F(ApiErrors, PercentEncodedIdsAreDecodedFirst) {
  EXPECT_TRUE(isJsonOk(get(route("from=%31&to=%32"))));
  EXPECT_TRUE(isApiError(get(route("from=%31%61&to=2")), 400, "invalid_parameter", "from"));
}

TEST_F(ApiErrors, MalformedNodePathIdIsInvalid) {
  for (const std::string bad : {"12abc", "-1", "1e3"}) {
    SCOPED_TRACE("/api/v1/nodes/" + bad);
    EXPECT_TRUE(isApiError(get("/api/v1/nodes/" + bad), 400, "invalid_parameter"));
  }
}

TEST_F(ApiErrors, MalformedCoordinatesAreInvalid) {
  EXPECT_TRUE(isApiError(get("/api/v1/nearest?lon=abc&lat=49.4"), 400, "invalid_parameter", "lon"));
  EXPECT_TRUE(isApiError(get("/api/v1/nearest?lon=8.5&lat=91"), 400, "invalid_parameter", "lat"));
  EXPECT_TRUE(isApiError(get("/api/v1/nearest?lon=181&lat=49.4"), 400, "invalid_parameter", "lon"));
}

TEST_F(ApiErrors, NodeOutsideTheGraphIsUnknownNode) {
  const std::string beyond = std::to_string(nodes() + 1);
  EXPECT_TRUE(isApiError(get("/api/v1/nodes/" + beyond), 404, "unknown_node", beyond));
  EXPECT_TRUE(isApiError(get(route("from=1&to=" + beyond)), 404, "unknown_node", beyond));
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", "{\"sources\":[1],\"targets\":[" + beyond + "]}"), 404,
                         "unknown_node", beyond));
}

TEST_F(ApiErrors, MalformedMatrixBodyIsInvalidJson) {
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", "{\"sources\":[1,2],"), 400, "invalid_json"));
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", "not json"), 400, "invalid_json"));
}

TEST_F(ApiErrors, MatrixFieldsAreCheckedByName) {
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", "{\"sources\":[1]}"), 400, "missing_parameter", "targets"));
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", "{\"sources\":[\"x\"],\"targets\":[1]}"), 400,
                         "invalid_parameter", "sources"));
}

TEST_F(ApiErrors, MatrixOverTheCellLimitIsInvalid) {
  const auto request = spreadMatrix(nodes(), 11, 10);
  ASSERT_GT(request.cells(), static_cast<std::size_t>(kMatrixMaxCells));
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", request.body()), 400, "invalid_parameter"));
}

TEST_F(ApiErrors, UnknownPathIsNotFound) {
  for (const std::string path : {"/api/v1/unknown", "/api/v1/nodes/1/arcs", "/api/v1/healthz", "/api/v1/route/1"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(isApiError(get(path), 404, "not_found"));
  }
}

TEST_F(ApiErrors, WrongMethodIsMethodNotAllowedWithAllow) {
  const auto post_health = request("POST", "/api/v1/health", "{}", "application/json");
  EXPECT_TRUE(isApiError(post_health, 405, "method_not_allowed"));
  EXPECT_NE(post_health.header("Allow").find("GET"), std::string::npos) << post_health.describe();

  const auto get_matrix = get("/api/v1/matrix");
  EXPECT_TRUE(isApiError(get_matrix, 405, "method_not_allowed"));
  EXPECT_NE(get_matrix.header("Allow").find("POST"), std::string::npos) << get_matrix.describe();

  const auto delete_node = request("DELETE", "/api/v1/nodes/1");
  EXPECT_TRUE(isApiError(delete_node, 405, "method_not_allowed"));
  EXPECT_NE(delete_node.header("Allow").find("GET"), std::string::npos) << delete_node.describe();

  const auto post_route = request("POST", route("from=1&to=2"), "{}", "application/json");
  EXPECT_TRUE(isApiError(post_route, 405, "method_not_allowed"));
  EXPECT_NE(post_route.header("Allow").find("GET"), std::string::npos) << post_route.describe();
}

TEST_F(ApiErrors, BodyOverMaxBodyIsPayloadTooLarge) {
  const std::string body = "{\"sources\":[1],\"targets\":[2]}" + std::string(2 * kMaxBodyBytes, ' ');
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", body), 413, "payload_too_large"));
}

TEST_F(ApiErrors, BodyJustUnderMaxBodyIsAccepted) {
  const std::string json = "{\"sources\":[1],\"targets\":[2]}";
  EXPECT_TRUE(isJsonOk(post("/api/v1/matrix", json + std::string(kMaxBodyBytes - json.size(), ' '))));
}

TEST_F(ApiErrors, MatrixAsTextIsUnsupportedMediaType) {
  EXPECT_TRUE(isApiError(post("/api/v1/matrix", "{\"sources\":[1],\"targets\":[2]}", "text/plain"), 415,
                         "unsupported_media_type"));
}

// A lane answers only its own routes: with matrix assigned to no lane, nginx sends
// /api/v1/matrix to the fast lane (as every other /api/v1/* path), which does not serve it.
TEST(ApiLaneRoutes, RouteAssignedToNoLaneIsNotFound) {
  auto options = integrationOptions();
  options.slow_processes = 1;
  options.slow_routes = {"route"};
  TwinlaneStack stack(options);
  EXPECT_TRUE(isApiError(stack.post("/api/v1/matrix", "{\"sources\":[1],\"targets\":[2]}"), 404, "not_found"));
  EXPECT_TRUE(isJsonOk(stack.get("/api/v1/route?from=1&to=2")));
}

}  // namespace
}  // namespace twinlane::test
