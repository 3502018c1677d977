// SPDX-License-Identifier: Apache-2.0
// The API's answers, route by route, on a small graph whose answers are known by hand:
// the JSON each route returns and the error each bad input gets.
#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "fcgi/http_error.h"
#include "handlers/graph_service.h"

namespace twinlane::app {
namespace {

// 1 -> 2 (5), 2 -> 3 (7), 1 -> 3 (20), 3 -> 1 (1); node 4 is isolated. Coordinates near Mannheim.
Graph smallGraph() {
  return Graph::fromArcs(4, {{0, 1, 5}, {1, 2, 7}, {0, 2, 20}, {2, 0, 1}},
                         {{8'460'000, 49'480'000}, {8'470'000, 49'480'000}, {8'480'000, 49'490'000}, {8'000'000, 49'000'000}},
                         "test:small");
}

// Compact JSON text of an array or object.
std::string jsonText(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out);
  return out.str();
}

struct Answer {
  int status;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  Poco::JSON::Object::Ptr json() const {
    return Poco::JSON::Parser().parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string errorCode() const { return json()->getObject("error")->getValue<std::string>("code"); }
};

class HandlersTest : public ::testing::Test {
 protected:
  explicit HandlersTest(Graph graph = smallGraph())
      : service_(GraphService::fromGraph(std::move(graph), 6)), router_(graphRoutes()), thread_(service_->newThread()) {}

  Answer call(const std::string& method, const std::string& path, const std::string& query = "",
              const std::string& body = "", const std::string& content_type = "application/json") {
    fcgi::Request request({{"REQUEST_METHOD", method}, {"DOCUMENT_URI", path}, {"QUERY_STRING", query},
                           {"CONTENT_TYPE", content_type}, {"CONTENT_LENGTH", std::to_string(body.size())}},
                          body, 1024);
    fcgi::Response response;
    try {
      thread_->handle(router_.match(method, path), request, response);
    } catch (const fcgi::HttpError& error) {
      response = fcgi::Response();
      response.setError(error);
    }
    return {response.status(), response.body(), response.headers()};
  }

  std::unique_ptr<GraphService> service_;
  fcgi::Router router_;
  std::unique_ptr<fcgi::ServiceThread> thread_;
};

TEST_F(HandlersTest, Health) {
  const Answer answer = call("GET", "/api/v1/health");
  EXPECT_EQ(answer.status, 200);
  EXPECT_EQ(answer.body, R"({"status":"ok"})");
}

TEST_F(HandlersTest, GraphSummary) {
  const auto json = call("GET", "/api/v1/graph").json();
  EXPECT_EQ(json->getValue<int>("nodes"), 4);
  EXPECT_EQ(json->getValue<int>("arcs"), 4);
  EXPECT_TRUE(json->getValue<bool>("coordinates"));
  EXPECT_EQ(json->getValue<std::string>("source"), "test:small");
  EXPECT_EQ(json->getValue<std::string>("checksum").size(), 40u);
  EXPECT_EQ(json->getValue<std::string>("loaded_at").size(), 20u);  // 2026-11-22T02:04:17Z
  EXPECT_EQ(jsonText(json->getArray("bbox")), "[8,49,8.48,49.49]");
}

// Nodes 1 (8.46,49.48), 2 (8.47,49.48), 3 (8.48,49.49), 4 (8,49): 1-2, 2-3, and 1-3 both ways.
TEST_F(HandlersTest, SegmentsInABoxAreAdjacentPairsWithAnEndInsideEachDrawnOnce) {
  EXPECT_EQ(call("GET", "/api/v1/segments", "bbox=8.455,49.475,8.465,49.485").body,
            R"({"bbox":[8.455,49.475,8.465,49.485],"count":2,"truncated":false,)"
            R"("segments":[[8.46,49.48,8.47,49.48],[8.46,49.48,8.48,49.49]]})")
      << "node 1 alone: its arcs out and in, the two arcs to node 3 as one segment";
  EXPECT_EQ(call("GET", "/api/v1/segments", "bbox=8.46,49.48,8.47,49.48").json()->getValue<int>("count"), 3)
      << "nodes 1 and 2 on the box's edges: 1-2 once, 1-3 and 2-3";
  EXPECT_EQ(call("GET", "/api/v1/segments", "bbox=-180,-90,180,90").json()->getValue<int>("count"), 3);
  EXPECT_EQ(call("GET", "/api/v1/segments", "bbox=7.99,48.99,8.01,49.01").body,
            R"({"bbox":[7.99,48.99,8.01,49.01],"count":0,"truncated":false,"segments":[]})")
      << "node 4 has no arcs";
  EXPECT_EQ(call("GET", "/api/v1/segments", "bbox=0,0,1,1").json()->getValue<int>("count"), 0);
  EXPECT_EQ(call("GET", "/api/v1/segments", "bbox=-0.5,-1,0,0").json()->getArray("bbox")->size(), 4u);
}

TEST_F(HandlersTest, SegmentsBboxErrorsName400Bbox) {
  for (const std::string bad : {"", "1,2,3", "1,2,3,4,5", "8.5,49,8.4,50", "8,49.5,9,49.4", "8,49,181,50", "8,-91,9,50",
                                "NaN,49,9,50", "8,49,9,inf", "8,49,9,5e1", "8,49,,50", "8 ,49,9,50"}) {
    SCOPED_TRACE(bad);
    const Answer answer = call("GET", "/api/v1/segments", "bbox=" + bad);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.errorCode(), "invalid_parameter");
    EXPECT_NE(answer.body.find("'bbox'"), std::string::npos) << answer.body;
  }
  EXPECT_EQ(call("GET", "/api/v1/segments").errorCode(), "missing_parameter");
  EXPECT_EQ(call("GET", "/api/v1/segments", "bbox=8,49,9,50&zoom=3").errorCode(), "invalid_parameter");
}

TEST_F(HandlersTest, NodeWithArcsAndCoordinates) {
  EXPECT_EQ(call("GET", "/api/v1/nodes/1").body,
            R"({"id":1,"lon":8.46,"lat":49.48,"arcs":[{"to":2,"weight":5},{"to":3,"weight":20}]})");
  EXPECT_EQ(call("GET", "/api/v1/nodes/4").body, R"({"id":4,"lon":8,"lat":49,"arcs":[]})");
}

TEST_F(HandlersTest, NodeIdErrors) {
  EXPECT_EQ(call("GET", "/api/v1/nodes/0").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/nodes/0").errorCode(), "unknown_node");
  EXPECT_EQ(call("GET", "/api/v1/nodes/5").errorCode(), "unknown_node");
  EXPECT_EQ(call("GET", "/api/v1/nodes/1x").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("GET", "/api/v1/nodes/-1").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("GET", "/api/v1/nodes/1/arcs").errorCode(), "not_found");
  EXPECT_EQ(call("GET", "/api/v1/nodes/1", "verbose=1").errorCode(), "invalid_parameter");
}

TEST_F(HandlersTest, Nearest) {
  const auto json = call("GET", "/api/v1/nearest", "lon=8.471&lat=49.4801").json();
  EXPECT_EQ(json->getValue<int>("id"), 2);
  EXPECT_DOUBLE_EQ(json->getValue<double>("lon"), 8.47);
  EXPECT_NEAR(json->getValue<double>("distance_m"), 73.1, 0.1);  // 72.2 m east, 11.1 m north
  EXPECT_EQ(call("GET", "/api/v1/nearest", "lon=8.4").errorCode(), "missing_parameter");
  EXPECT_EQ(call("GET", "/api/v1/nearest", "lon=200&lat=1").errorCode(), "invalid_parameter");
}

TEST_F(HandlersTest, RouteReachableAndNot) {
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1&to=3").body,
            R"({"from":1,"to":3,"reachable":true,"distance":12,"nodes":[1,2,3]})");
  EXPECT_EQ(call("GET", "/api/v1/route", "from=2&to=2").body,
            R"({"from":2,"to":2,"reachable":true,"distance":0,"nodes":[2]})");
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1&to=4").body,
            R"({"from":1,"to":4,"reachable":false,"distance":null,"nodes":[]})");
}

TEST_F(HandlersTest, RouteParameterErrors) {
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1").errorCode(), "missing_parameter");
  for (const char* query : {"from=12abc&to=1", "from=-1&to=1", "from=1e3&to=1", "from=&to=1", "from=1&to=2&to=3",
                            "from=%ZZ&to=1", "from=1&to=2&via=3"}) {
    const Answer answer = call("GET", "/api/v1/route", query);
    EXPECT_EQ(answer.status, 400) << query;
    EXPECT_EQ(answer.errorCode(), "invalid_parameter") << query;
  }
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1&to=99").errorCode(), "unknown_node");
}

TEST_F(HandlersTest, Matrix) {
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[1,3],"targets":[3,4,1]})").body,
            R"({"sources":[1,3],"targets":[3,4,1],"distances":[[12,null,0],[0,null,1]]})");
}

TEST_F(HandlersTest, MatrixErrors) {
  const std::string ok = R"({"sources":[1],"targets":[2]})";
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", ok, "text/plain").status, 415);
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", ok, "text/plain").errorCode(), "unsupported_media_type");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", ok, "application/json; charset=utf-8").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", "{\"sources\":[1],").errorCode(), "invalid_json");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", "[1,2]").errorCode(), "invalid_json");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", "").errorCode(), "invalid_json");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[1]})").errorCode(), "missing_parameter");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[],"targets":[1]})").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[1.5],"targets":[1]})").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[true],"targets":[1]})").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":["1"],"targets":[1]})").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[-1],"targets":[1]})").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[1],"targets":[9]})").errorCode(), "unknown_node");
  EXPECT_EQ(call("POST", "/api/v1/matrix", "", R"({"sources":[1],"targets":[1],"x":1})").errorCode(), "invalid_parameter");
  // 3 x 3 = 9 cells against a limit of 6.
  const Answer too_big = call("POST", "/api/v1/matrix", "", R"({"sources":[1,2,3],"targets":[1,2,3]})");
  EXPECT_EQ(too_big.errorCode(), "invalid_parameter");
  EXPECT_NE(too_big.body.find("matrix_max_cells"), std::string::npos);
}

TEST_F(HandlersTest, WrongMethodNamesTheAllowedOne) {
  try {
    router_.match("GET", "/api/v1/matrix");
    FAIL();
  } catch (const fcgi::HttpError& error) {
    EXPECT_EQ(error.status(), 405);
    EXPECT_EQ(error.headers().at(0).second, "POST");
  }
}

TEST_F(HandlersTest, RouteEndsMayBeCoordinatesSnappedToTheNearestNode) {
  // 8.471,49.4801 is 73 m from node 2; 8.46,49.48 is node 1 itself.
  const auto json = call("GET", "/api/v1/route", "from=8.46,49.48&to=8.471,49.4801").json();
  EXPECT_EQ(json->getValue<int>("from"), 1);
  EXPECT_EQ(json->getValue<int>("to"), 2);
  EXPECT_EQ(json->getValue<int>("distance"), 5);
  const auto snapped = json->getObject("snapped");
  ASSERT_TRUE(snapped) << call("GET", "/api/v1/route", "from=8.46,49.48&to=8.471,49.4801").body;
  EXPECT_EQ(snapped->getObject("from")->getValue<double>("snap_distance_m"), 0);
  EXPECT_EQ(snapped->getObject("to")->getValue<int>("id"), 2);
  EXPECT_DOUBLE_EQ(snapped->getObject("to")->getValue<double>("lon"), 8.47);
  EXPECT_NEAR(snapped->getObject("to")->getValue<double>("snap_distance_m"), 73.1, 0.1);
  // Node ids alone answer as before, without "snapped".
  EXPECT_FALSE(call("GET", "/api/v1/route", "from=1&to=2").json()->has("snapped"));
  const auto mixed = call("GET", "/api/v1/route", "from=1&to=8.471,49.4801").json()->getObject("snapped");
  EXPECT_FALSE(mixed->has("from"));
  EXPECT_TRUE(mixed->has("to"));
}

TEST_F(HandlersTest, BadCoordinatesAre400NamingTheParameter) {
  for (const std::string bad : {"8.4,91", "181,49", "nan,49", "8.4,inf", "8.4,49.4,3", "8.4,", ",49", "8.4;49.4",
                                "8.4, 49.4", "1e1,49"}) {
    SCOPED_TRACE(bad);
    const Answer answer = call("GET", "/api/v1/route", "from=1&to=" + bad);
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(answer.errorCode(), "invalid_parameter");
    EXPECT_NE(answer.json()->getObject("error")->getValue<std::string>("message").find("to"), std::string::npos);
  }
}

TEST_F(HandlersTest, MatrixEntriesMayBeLonLatPairs) {
  const auto json = call("POST", "/api/v1/matrix", "", R"({"sources":[[8.46,49.48],2],"targets":[[8.471,49.4801]]})").json();
  EXPECT_EQ(json->getArray("sources")->getElement<int>(0), 1);
  EXPECT_EQ(json->getArray("targets")->getElement<int>(0), 2);
  const auto snapped = json->getObject("snapped");
  ASSERT_TRUE(snapped);
  EXPECT_EQ(snapped->getArray("sources")->getObject(0)->getValue<int>("id"), 1);
  EXPECT_TRUE(snapped->getArray("sources")->isNull(1)) << "a node id was given, nothing was snapped";
  EXPECT_EQ(snapped->getArray("targets")->getObject(0)->getValue<int>("id"), 2);
  for (const std::string bad : {"[8.46]", "[8.46,49.48,1]", "[\"8.46\",49.48]", "[8.46,95]", "[true,49]"}) {
    SCOPED_TRACE(bad);
    const Answer answer = call("POST", "/api/v1/matrix", "", R"({"sources":[)" + bad + R"(],"targets":[1]})");
    EXPECT_EQ(answer.errorCode(), "invalid_parameter");
    EXPECT_NE(answer.json()->getObject("error")->getValue<std::string>("message").find("sources[0]"), std::string::npos)
        << answer.body;
  }
}

TEST_F(HandlersTest, RouteGeometryOnRequest) {
  const auto geojson = call("GET", "/api/v1/route", "from=1&to=3&geometry=geojson").json();
  const auto line = geojson->getObject("geometry");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->getValue<std::string>("type"), "LineString");
  EXPECT_EQ(line->getArray("coordinates")->size(), geojson->getArray("nodes")->size());
  EXPECT_DOUBLE_EQ(line->getArray("coordinates")->getArray(0)->getElement<double>(0), 8.46);
  const auto polyline = call("GET", "/api/v1/route", "from=1&to=3&geometry=polyline").json();
  EXPECT_FALSE(polyline->getValue<std::string>("polyline").empty());
  EXPECT_FALSE(polyline->has("geometry"));
  EXPECT_FALSE(call("GET", "/api/v1/route", "from=1&to=3").json()->has("geometry"));
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1&to=3&geometry=wkt").errorCode(), "invalid_parameter");
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1&to=3&geometry=").errorCode(), "invalid_parameter");
}

class HandlersWithoutCoordinates : public HandlersTest {
 protected:
  HandlersWithoutCoordinates() : HandlersTest(Graph::fromArcs(2, {{0, 1, 3}}, {}, "test:bare")) {}
};

TEST_F(HandlersWithoutCoordinates, ACoordinateIs400SayingTheGraphHasNone) {
  const Answer answer = call("GET", "/api/v1/route", "from=8.46,49.48&to=2");
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(answer.errorCode(), "invalid_parameter");
  EXPECT_NE(answer.body.find("'from': this graph has no coordinates"), std::string::npos) << answer.body;
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1&to=2").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/route", "from=1&to=2&geometry=polyline").errorCode(), "invalid_parameter");
}

// Roads weighed in metres with travel times that disagree with the lengths: 1 -> 2 twice (100 m
// in 5 s, and 150 m in 2 s), 2 -> 3 (200 m, 10 s), 1 -> 3 (400 m, 3 s), 3 -> 4 (50 m, 1 s),
// 4 -> 1 (1000 m, 50 s).
Graph roadGraph() {
  return Graph::fromRoads(4, {{0, 1, 100, 50}, {0, 1, 150, 20}, {1, 2, 200, 100}, {0, 2, 400, 30}, {2, 3, 50, 10}, {3, 0, 1000, 500}},
                          {}, {}, Metric::kLengthMeters, "test:roads");
}

class HandlersOnRoads : public HandlersTest {
 protected:
  HandlersOnRoads() : HandlersTest(roadGraph()) {}
};

TEST_F(HandlersOnRoads, RoutesAndMatricesRunOnTheContractionHierarchy) {
  const auto search = call("GET", "/api/v1/graph").json()->getObject("search");
  EXPECT_EQ(search->getValue<std::string>("algorithm"), "contraction hierarchy");
  EXPECT_EQ(search->getValue<std::string>("hierarchy_from"), "built at load");
}

TEST_F(HandlersOnRoads, ARouteMeasuresTheArcsItTook) {
  // The shortest 1 -> 3 goes 1 -> 2 -> 3 (300 m) over the 100 m arc, so it takes 5 + 10 s.
  const auto json = call("GET", "/api/v1/route", "from=1&to=3").json();
  EXPECT_EQ(json->getValue<int>("distance"), 300);
  EXPECT_EQ(json->getValue<int>("distance_m"), 300);
  EXPECT_DOUBLE_EQ(json->getValue<double>("duration_s"), 15.0);
}

TEST_F(HandlersOnRoads, AMatrixReportsTheMetricItIsAskedFor) {
  const auto rows = [](const Poco::JSON::Object::Ptr& json, const std::string& key) {
    std::vector<std::vector<double>> values;
    const auto array = json->getArray(key);
    for (std::size_t row = 0; row < array->size(); ++row) {
      values.emplace_back();
      const auto cells = array->getArray(static_cast<unsigned>(row));
      for (std::size_t column = 0; column < cells->size(); ++column) {
        values.back().push_back(cells->getElement<double>(static_cast<unsigned>(column)));
      }
    }
    return values;
  };
  const std::string cells = R"("sources":[1,2],"targets":[3,4,1])";
  const auto plain = call("POST", "/api/v1/matrix", "", "{" + cells + "}").json();
  const std::vector<std::vector<double>> metres = {{300, 350, 0}, {200, 250, 1250}};
  EXPECT_EQ(rows(plain, "distances"), metres);
  EXPECT_FALSE(plain->has("durations_s"));

  const auto timed = call("POST", "/api/v1/matrix", "", "{" + cells + R"(,"metric":"duration"})").json();
  EXPECT_EQ(rows(timed, "distances"), metres);
  EXPECT_EQ(rows(timed, "durations_s"), (std::vector<std::vector<double>>{{15, 16, 0}, {10, 11, 61}}));
  const auto measured = call("POST", "/api/v1/matrix", "", "{" + cells + R"(,"metric":"distance"})").json();
  EXPECT_EQ(rows(measured, "distances_m"), metres);

  for (const std::string bad : {R"("speed")", "1", "null", R"(["duration"])"}) {
    const Answer answer = call("POST", "/api/v1/matrix", "", "{" + cells + R"(,"metric":)" + bad + "}");
    EXPECT_EQ(answer.errorCode(), "invalid_parameter") << bad;
    EXPECT_NE(answer.body.find("'metric'"), std::string::npos) << answer.body;
  }
}

TEST_F(HandlersTest, AMatrixMetricTheGraphLacksIs400) {
  const Answer answer = call("POST", "/api/v1/matrix", "", R"({"sources":[1],"targets":[3],"metric":"duration"})");
  EXPECT_EQ(answer.errorCode(), "invalid_parameter");
  EXPECT_NE(answer.body.find("this graph has no durations"), std::string::npos) << answer.body;
}

TEST_F(HandlersWithoutCoordinates, SegmentsAre404SayingTheGraphHasNoCoordinates) {
  const Answer answer = call("GET", "/api/v1/segments", "bbox=8,49,9,50");
  EXPECT_EQ(answer.status, 404);
  EXPECT_EQ(answer.errorCode(), "not_found");
  EXPECT_NE(answer.body.find("no coordinates"), std::string::npos) << answer.body;
  EXPECT_FALSE(call("GET", "/api/v1/graph").json()->has("bbox"));
}

}  // namespace
}  // namespace twinlane::app
