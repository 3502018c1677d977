// SPDX-License-Identifier: Apache-2.0
// GET /api/v1/segments?bbox=minlon,minlat,maxlon,maxlat: the road segments to draw in a box,
// for the map page. A segment is a pair of adjacent nodes at least one of which lies in the
// box, however many arcs join them: a two-way road is one segment, not two. The nodes come
// from the nearest-node index's box query, so the work grows with what the box holds, not with
// the graph. At most limits.segments_max segments are answered; past that the answer says
// "truncated" and holds the segments of the nodes the index visits first, which are spread over
// the whole box (and the same on every request), never an error: a zoomed-out map still draws.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fcgi/http_error.h"
#include "fcgi/query.h"
#include "fcgi/quote.h"
#include "handlers/handlers.h"

namespace twinlane::app {
namespace {

constexpr std::string_view kBboxForm =
    "minlon,minlat,maxlon,maxlat in degrees (longitudes -180..180, latitudes -90..90, min <= max)";

// Degrees to millionths, rounding the bounds outwards by no more than the input's own
// rounding: "8.47" must include a node at 8.470000 although 8.47 * 1e6 is not exactly 8470000.
std::int32_t lowerE6(double degrees) { return static_cast<std::int32_t>(std::ceil(degrees * 1e6 - 1e-7)); }
std::int32_t upperE6(double degrees) { return static_cast<std::int32_t>(std::floor(degrees * 1e6 + 1e-7)); }

GeoBox parseBbox(std::string_view text) {
  const auto fail = [&](const std::string& why) {
    return fcgi::HttpError::invalidParameter("bbox", fcgi::quoteInput(text) + " " + why + "; expected " +
                                                         std::string(kBboxForm));
  };
  if (std::count(text.begin(), text.end(), ',') != 3) throw fail("is not four comma-separated numbers");
  double values[4];
  std::size_t start = 0;
  for (int i = 0; i < 4; ++i) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const double limit = i % 2 == 0 ? 180 : 90;
    const auto value = fcgi::parseFixedNumber(text.substr(start, comma - start), -limit, limit);
    if (!value) throw fail("has a part that is not a number in range");
    values[i] = *value;
    start = comma + 1;
  }
  if (values[0] > values[2]) throw fail("has minlon above maxlon");
  if (values[1] > values[3]) throw fail("has minlat above maxlat");
  return {lowerE6(values[0]), lowerE6(values[1]), upperE6(values[2]), upperE6(values[3])};
}

// Millionths of a degree as a JSON number, without trailing zeros: 8470000 -> 8.47.
void appendDegrees(std::string& out, std::int32_t e6) {
  std::int64_t value = e6;
  if (value < 0) {
    out += '-';
    value = -value;
  }
  out += std::to_string(value / 1'000'000);
  std::int64_t fraction = value % 1'000'000;
  if (fraction == 0) return;
  char digits[7] = {'0', '0', '0', '0', '0', '0', '\0'};
  for (int i = 5; i >= 0; --i, fraction /= 10) digits[i] = static_cast<char>('0' + fraction % 10);
  int length = 6;
  while (digits[length - 1] == '0') --length;
  out += '.';
  out.append(digits, static_cast<std::size_t>(length));
}

}  // namespace

void handleSegments(const HandlerContext& context) {
  const auto query = fcgi::QueryParameters::parse(context.request.queryString());
  query.acceptOnly({"bbox"});
  const GeoBox box = parseBbox(query.require("bbox", kBboxForm));
  const Graph& graph = context.data.graph;
  if (!context.data.nearest) {
    throw fcgi::HttpError(404, "not_found", "this graph has no coordinates, so it has no segments to draw");
  }

  const std::uint64_t cap = context.data.segments_max;
  std::uint64_t count = 0;
  bool truncated = false;
  std::string segments;
  std::vector<NodeId> neighbours;
  context.data.nearest->forEachInBox(box, [&](NodeId node) {
    neighbours.clear();
    for (ArcId arc = graph.firstOut(node); arc < graph.endOut(node); ++arc) neighbours.push_back(graph.head(arc));
    for (ArcId arc = graph.firstIn(node); arc < graph.endIn(node); ++arc) neighbours.push_back(graph.tail(arc));
    std::sort(neighbours.begin(), neighbours.end());
    neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
    const Coordinate from = graph.coordinate(node);
    for (const NodeId other : neighbours) {
      const Coordinate to = graph.coordinate(other);
      // A segment between two nodes in the box is drawn from its lower node only.
      if (other == node || (other < node && box.contains(to))) continue;
      if (count == cap) {
        truncated = true;
        return false;
      }
      segments += count == 0 ? "[" : ",[";
      for (const std::int32_t e6 : {from.lon_e6, from.lat_e6, to.lon_e6, to.lat_e6}) {
        appendDegrees(segments, e6);
        segments += ',';
      }
      segments.back() = ']';
      ++count;
    }
    return true;
  });

  std::string body = "{\"bbox\":[";
  for (const std::int32_t e6 : {box.min_lon_e6, box.min_lat_e6, box.max_lon_e6, box.max_lat_e6}) {
    appendDegrees(body, e6);
    body += ',';
  }
  body.back() = ']';
  body += ",\"count\":";
  body += std::to_string(count);
  body += ",\"truncated\":";
  body += truncated ? "true" : "false";
  body += ",\"segments\":[";
  body += segments;
  body += "]}";
  context.response.setBody("application/json", std::move(body));
}

}  // namespace twinlane::app
