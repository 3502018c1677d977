// SPDX-License-Identifier: Apache-2.0
// The map page as users get it, through nginx: GET /api/v1/segments on a small graph whose
// segments are known by hand (exact answers, the cap, bad boxes), the page and its files served
// by nginx from web.root (and the JSON 404 everywhere else), and a real headless Chromium that
// loads the page on the generated default graph, routes from the page's URL, and must show the
// route the API gives (skipped when Debian's chromium is not installed).
#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>
#include <unistd.h>
#include <Poco/JSON/Stringifier.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>

#include "integration_stack.h"

namespace twinlane::test {
namespace {

const std::filesystem::path kWebRoot = std::filesystem::path(TWINLANE_SOURCE_DIR) / "web";

// Six nodes 0.001 degree apart, two rows:   4 -> 5 -- 6
//                                           |    |    |
//                                           1 -- 2 -> 3
// "--" and "|" are two-way, "->" one-way.
constexpr const char* kSmallGraph =
    "p sp 6 12\n"
    "a 1 2 70\na 2 1 70\na 2 3 70\na 1 4 110\na 4 1 110\na 2 5 110\na 5 2 110\n"
    "a 3 6 110\na 6 3 110\na 4 5 70\na 5 6 70\na 6 5 70\n";
constexpr const char* kSmallCoordinates =
    "p aux sp co 6\n"
    "v 1 8400000 49400000\nv 2 8401000 49400000\nv 3 8402000 49400000\n"
    "v 4 8400000 49401000\nv 5 8401000 49401000\nv 6 8402000 49401000\n";
constexpr int kSegmentsMax = 5;  // the small graph has 7 segments

// Compact JSON text of an array or object.
std::string jsonText(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(value, out);
  return out.str();
}

// The segments of an answer, each as "lon1,lat1,lon2,lat2", in a set: their order is the
// index's, which the API does not promise.
std::set<std::string> segmentSet(const Poco::JSON::Object::Ptr& answer) {
  std::set<std::string> segments;
  const auto list = answer->getArray("segments");
  for (std::size_t i = 0; i < list->size(); ++i) {
    std::string text = jsonText(list->getArray(static_cast<unsigned>(i)));
    segments.insert(text.substr(1, text.size() - 2));
  }
  return segments;
}

class MapSegments : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = std::make_unique<TempDir>("twinlane-map-graph");
    auto options = integrationOptions();
    options.fast_processes = 1;
    options.fast_threads = 2;
    options.slow_processes = 1;
    options.graph = data_->write("small.gr", kSmallGraph);
    options.coordinates = data_->write("small.co", kSmallCoordinates);
    options.extra_yaml = "limits: { segments_max: " + std::to_string(kSegmentsMax) + " }\nweb: { root: " +
                         kWebRoot.string() + " }\n";
    try {
      stack_ = std::make_unique<TwinlaneStack>(options);
    } catch (const std::exception& error) {
      startup_error_ = error.what();
    }
  }
  static void TearDownTestSuite() {
    stack_.reset();
    data_.reset();
  }
  void SetUp() override {
    if (!stack_) GTEST_FAIL() << "the suite's twinlane stack did not start: " << startup_error_;
  }
  static HttpResult get(const std::string& path) { return stack_->get(path); }

  static std::unique_ptr<TempDir> data_;
  static std::unique_ptr<TwinlaneStack> stack_;
  static std::string startup_error_;
};

std::unique_ptr<TempDir> MapSegments::data_;
std::unique_ptr<TwinlaneStack> MapSegments::stack_;
std::string MapSegments::startup_error_;

TEST_F(MapSegments, ABoxAroundTwoNodesGivesEverySegmentTouchingThemOnce) {
  const auto result = get("/api/v1/segments?bbox=8.3995,49.3995,8.4015,49.4005");
  ASSERT_TRUE(isJsonOk(result));
  const auto answer = result.json();
  EXPECT_EQ(answer->getValue<int>("count"), 4);
  EXPECT_FALSE(answer->getValue<bool>("truncated"));
  EXPECT_EQ(jsonText(answer->getArray("bbox")), "[8.3995,49.3995,8.4015,49.4005]");
  // 1-2 (two-way: one segment), 1-4, 2->3 (one-way, out of the box), 2-5; none between 4, 5, 6.
  EXPECT_EQ(segmentSet(answer), (std::set<std::string>{"8.4,49.4,8.401,49.4", "8.4,49.4,8.4,49.401",
                                                      "8.401,49.4,8.402,49.4", "8.401,49.4,8.401,49.401"}));
}

TEST_F(MapSegments, AOneWayArcIntoTheBoxCountsToo) {
  // Node 5 alone: 2-5 and 4->5 (an arc into it only), 5-6.
  const auto answer = get("/api/v1/segments?bbox=8.4005,49.4005,8.4015,49.4015").json();
  EXPECT_EQ(segmentSet(answer),
            (std::set<std::string>{"8.401,49.401,8.401,49.4", "8.401,49.401,8.4,49.401", "8.401,49.401,8.402,49.401"}));
}

TEST_F(MapSegments, OverTheCapTheAnswerIsTruncatedNotAnError) {
  const auto first = get("/api/v1/segments?bbox=8,49,9,50");
  ASSERT_TRUE(isJsonOk(first));
  const auto answer = first.json();
  EXPECT_TRUE(answer->getValue<bool>("truncated"));
  EXPECT_EQ(answer->getValue<int>("count"), kSegmentsMax);
  EXPECT_EQ(answer->getArray("segments")->size(), static_cast<std::size_t>(kSegmentsMax));
  EXPECT_EQ(get("/api/v1/segments?bbox=8,49,9,50").body, first.body) << "the same subset every time";
}

TEST_F(MapSegments, ABadBoxIs400NamingBbox) {
  for (const std::string bad : {"8,49,9", "8,49,9,50,1", "9,49,8,50", "8,50,9,49", "8,49,181,50", "NaN,49,9,50",
                                "8,49,9,1e2", "8,49,9,50x", "a,b,c,d"}) {
    SCOPED_TRACE(bad);
    EXPECT_TRUE(isApiError(get("/api/v1/segments?bbox=" + bad), 400, "invalid_parameter", "bbox"));
  }
  EXPECT_TRUE(isApiError(get("/api/v1/segments"), 400, "missing_parameter", "bbox"));
}

TEST_F(MapSegments, TheGraphSaysWhereItLies) {
  const auto graph = get("/api/v1/graph").json();
  EXPECT_EQ(jsonText(graph->getArray("bbox")), "[8.4,49.4,8.402,49.401]");
}

TEST_F(MapSegments, AnswersSayHowLongTheyQueuedAndComputed) {
  const auto route = get("/api/v1/route?from=1&to=6");
  EXPECT_EQ(route.status, 200);
  for (const std::string header : {"X-Twinlane-Queue-Ms", "X-Twinlane-Compute-Ms"}) {
    SCOPED_TRACE(header);
    const std::string value = route.header(header);
    ASSERT_FALSE(value.empty()) << route.describe();
    EXPECT_EQ(value.find_first_not_of("0123456789"), std::string::npos) << value;
  }
}

TEST_F(MapSegments, NginxServesThePageAtTheRootAndItsFilesUnderWeb) {
  const auto page = get("/");
  EXPECT_EQ(page.status, 200) << page.describe();
  EXPECT_EQ(page.content_type.rfind("text/html", 0), 0u) << page.content_type;
  EXPECT_NE(page.body.find("<canvas"), std::string::npos);
  EXPECT_NE(page.body.find("src=\"/web/map.js\""), std::string::npos);
  const auto script = get("/web/map.js");
  EXPECT_EQ(script.status, 200) << script.describe();
  EXPECT_TRUE(script.content_type.rfind("text/javascript", 0) == 0 ||
              script.content_type.rfind("application/javascript", 0) == 0)
      << script.content_type;
  std::ifstream source(kWebRoot / "map.js", std::ios::binary);
  std::ostringstream expected;
  expected << source.rdbuf();
  EXPECT_EQ(script.body, expected.str());
  const auto style = get("/web/map.css");
  EXPECT_EQ(style.status, 200);
  EXPECT_EQ(style.content_type.rfind("text/css", 0), 0u) << style.content_type;
}

TEST_F(MapSegments, EveryOtherPathIsStillTheJson404) {
  for (const std::string path : {"/web/missing.js", "/map", "/index.htm", "/web", "/api/v1/nowhere"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(isApiError(get(path), 404, "not_found"));
  }
  EXPECT_TRUE(isApiError(stack_->post("/", "{}"), 405, kAnyCode));
}

// ---- a real browser ----

std::filesystem::path findChromium() {
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(candidate, X_OK) == 0) return candidate;
  }
  return {};
}

class MapInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = findChromium();
    if (chromium_.empty()) GTEST_SKIP() << "Debian's chromium is not installed (scripts/install-deps.sh installs it)";
    auto options = integrationOptions();
    options.fast_processes = 1;
    options.fast_threads = 4;
    options.slow_processes = 1;
    options.extra_yaml = "web: { root: " + kWebRoot.string() + " }\n";
    stack_ = std::make_unique<TwinlaneStack>(options);
  }

  // Runs headless Chromium on `url` with `arguments`, bounded by timeout(1), which signals
  // its own process group: Chromium and every helper process it started, nothing else.
  CompletedProcess chromium(const std::string& url, const std::vector<std::string>& arguments) {
    std::vector<std::string> argv = {"/usr/bin/timeout", "--kill-after=5s", "90s", chromium_.string(),
                                     "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                     "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                                     "--disable-background-networking", "--disable-component-update",
                                     "--disable-sync", "--user-data-dir=" + stack_->dir().file("chromium").string(),
                                     // Virtual time runs fast while the page waits on timers, and
                                     // stands still while its requests are in flight.
                                     "--virtual-time-budget=20000"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    argv.push_back(url);
    return runToCompletion(argv, stack_->dir().path(), "chromium", std::chrono::seconds{120});
  }

  std::filesystem::path chromium_;
  std::unique_ptr<TwinlaneStack> stack_;
};

std::string attribute(const std::string& dom, const std::string& name) {
  const std::string marker = name + "=\"";
  const auto at = dom.find(marker);
  if (at == std::string::npos) return {};
  const auto end = dom.find('"', at + marker.size());
  return dom.substr(at + marker.size(), end - at - marker.size());
}

TEST_F(MapInBrowser, ThePageRoutesBetweenTheCoordinatesInItsAddressAndDrawsIt) {
  const auto bbox = stack_->get("/api/v1/graph").json()->getArray("bbox");
  ASSERT_TRUE(bbox);
  const auto along = [&](double share, unsigned low, unsigned high) {
    const double value = bbox->getElement<double>(low) + share * (bbox->getElement<double>(high) - bbox->getElement<double>(low));
    std::ostringstream text;
    text.precision(6);
    text << std::fixed << value;
    return text.str();
  };
  const std::string from = along(0.3, 0, 2) + "," + along(0.35, 1, 3);
  const std::string to = along(0.7, 0, 2) + "," + along(0.6, 1, 3);
  const auto route = stack_->get("/api/v1/route?from=" + from + "&to=" + to + "&geometry=geojson");
  ASSERT_TRUE(isJsonOk(route));
  ASSERT_TRUE(route.json()->getValue<bool>("reachable"));
  const std::string distance = std::to_string(route.json()->getValue<long>("distance"));
  const std::string url = "http://127.0.0.1:" + std::to_string(stack_->port()) + "/?from=" + from + "&to=" + to;

  const auto dump = chromium(url, {"--dump-dom"});
  ASSERT_TRUE(dump.status.success()) << dump.status.describe() << "\n" << dump.err;
  const std::string body = dump.out.substr(0, dump.out.find('>', dump.out.find("<body")) + 1);
  EXPECT_EQ(attribute(body, "data-route-drawn"), "true") << "the page did not draw a route:\n" << dump.out << dump.err;
  EXPECT_EQ(attribute(body, "data-distance"), distance) << "the page shows another route than the API gives";
  EXPECT_NE(dump.out.find("<title>twinlane map: route drawn</title>"), std::string::npos);
  EXPECT_NE(dump.out.find("compute "), std::string::npos) << "the timings are shown";
  const auto error_at = dump.out.find("id=\"error\"");
  ASSERT_NE(error_at, std::string::npos);
  EXPECT_NE(dump.out.substr(error_at, dump.out.find('>', error_at) - error_at).find("hidden"), std::string::npos)
      << "the page shows an error:\n" << dump.out;

  const std::filesystem::path png = stack_->dir().file("map.png");
  const auto shot = chromium(url, {"--screenshot=" + png.string(), "--window-size=1200,800", "--hide-scrollbars"});
  ASSERT_TRUE(shot.status.success()) << shot.status.describe() << "\n" << shot.err;
  std::ifstream file(png, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 10'000u) << "a screenshot of a drawn map is not this small";
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  // TWINLANE_MAP_SCREENSHOT=FILE keeps the picture (docs/map.png is made this way).
  if (const char* keep = std::getenv("TWINLANE_MAP_SCREENSHOT"); keep != nullptr && *keep != '\0') {
    std::filesystem::copy_file(png, keep, std::filesystem::copy_options::overwrite_existing);
  }
}

}  // namespace
}  // namespace twinlane::test
