// SPDX-License-Identifier: Apache-2.0
// The DIMACS .gr and .co grammars on top of DimacsLineReader; every check names file and line.
#include "dimacs.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "dimacs_line_reader.h"

namespace twinlane::app {
namespace {

// Enough for the longest valid line (`p aux sp co n`) plus one to detect trailing fields.
constexpr std::size_t kMaxFields = 6;
using Fields = std::array<std::string_view, kMaxFields>;

bool isBlank(char c) { return c == ' ' || c == '\t'; }

// Splits on blanks; returns the number of fields, or kMaxFields when there are at least that
// many (callers only accept fewer).
std::size_t splitFields(std::string_view line, Fields& fields) {
  std::size_t count = 0;
  std::size_t i = 0;
  while (i < line.size() && count < kMaxFields) {
    while (i < line.size() && isBlank(line[i])) ++i;
    if (i == line.size()) break;
    const std::size_t start = i;
    while (i < line.size() && !isBlank(line[i])) ++i;
    fields[count++] = line.substr(start, i - start);
  }
  return count;
}

// A line whose first field is "c" is a comment, wherever it appears.
bool isComment(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && isBlank(line[i])) ++i;
  return i < line.size() && line[i] == 'c' && (i + 1 == line.size() || isBlank(line[i + 1]));
}

bool isEmpty(std::string_view line) {
  for (char c : line) {
    if (!isBlank(c)) return false;
  }
  return true;
}

// Built by append, not operator+, which trips a GCC 12 -Wrestrict false positive.
// A field for an error message, cut short: a file that is not DIMACS at all (a binary, or one
// line of megabytes) must not put megabytes into the log.
std::string quoted(std::string_view text) {
  constexpr std::size_t kShown = 40;
  std::string result;
  result.append(1, '\'').append(text.substr(0, kShown)).append(text.size() > kShown ? "...'" : "'");
  return result;
}

std::uint64_t parseUnsigned(const DimacsLineReader& reader, std::string_view field,
                            std::uint64_t max, const char* what) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  if (error == std::errc::result_out_of_range || (error == std::errc() && value > max &&
                                                  end == field.data() + field.size())) {
    reader.fail(std::string(what) + " " + quoted(field) + " is out of range (maximum " +
                std::to_string(max) + ")");
  }
  if (error != std::errc() || end != field.data() + field.size()) {
    reader.fail(std::string(what) + " " + quoted(field) + " is not a non-negative integer");
  }
  return value;
}

std::int32_t parseMicrodegrees(const DimacsLineReader& reader, std::string_view field,
                               std::int64_t limit, const char* what) {
  std::int64_t value = 0;
  const char* first = field.data();
  const char* last = field.data() + field.size();
  // from_chars rejects a leading '+', which some writers emit.
  if (first != last && *first == '+') ++first;
  const auto [end, error] = std::from_chars(first, last, value);
  if (error == std::errc() && end == last && (value < -limit || value > limit)) {
    reader.fail(std::string(what) + " " + quoted(field) + " is outside -" +
                std::to_string(limit) + ".." + std::to_string(limit) + " microdegrees");
  }
  if (error != std::errc() || end != last) {
    reader.fail(std::string(what) + " " + quoted(field) + " is not an integer (microdegrees)");
  }
  return static_cast<std::int32_t>(value);
}

// Parses a DIMACS node id (1..node_count) and returns the 0-based id.
NodeId parseNodeId(const DimacsLineReader& reader, std::string_view field, NodeId node_count,
                   const char* what) {
  const std::uint64_t id = parseUnsigned(reader, field, UINT64_MAX, what);
  if (id == 0 || id > node_count) {
    reader.fail(std::string(what) + " " + std::to_string(id) + " is outside 1.." +
                std::to_string(node_count));
  }
  return static_cast<NodeId>(id - 1);
}

struct GrContent {
  NodeId node_count = 0;
  std::vector<Arc> arcs;
};

GrContent readGr(const std::string& path) {
  DimacsLineReader reader(path);
  GrContent content;
  std::uint64_t declared_arcs = 0;
  std::size_t problem_line = 0;
  Fields fields;
  std::string_view line;
  while (reader.next(line)) {
    if (isComment(line) || isEmpty(line)) continue;
    const std::size_t count = splitFields(line, fields);
    if (fields[0] == "a") {
      if (problem_line == 0) reader.fail("arc before the problem line 'p sp <nodes> <arcs>'");
      if (count != 4) {
        reader.fail("arc line has " + std::string(count >= kMaxFields ? "too many" : std::to_string(count)) +
                    " fields, expected 'a <tail> <head> <weight>'");
      }
      if (content.arcs.size() == declared_arcs) {
        reader.fail("more arcs than the " + std::to_string(declared_arcs) +
                    " declared on line " + std::to_string(problem_line));
      }
      const NodeId tail = parseNodeId(reader, fields[1], content.node_count, "tail node id");
      const NodeId head = parseNodeId(reader, fields[2], content.node_count, "head node id");
      const auto weight = static_cast<Weight>(
          parseUnsigned(reader, fields[3], std::numeric_limits<Weight>::max(), "weight"));
      content.arcs.push_back({tail, head, weight});
    } else if (fields[0] == "p") {
      if (problem_line != 0) {
        reader.fail("duplicate problem line (the first is line " + std::to_string(problem_line) +
                    ")");
      }
      if (count != 4 || fields[1] != "sp") {
        reader.fail("problem line must be 'p sp <nodes> <arcs>'");
      }
      const std::uint64_t nodes = parseUnsigned(reader, fields[2], kInvalidNode - 1, "node count");
      if (nodes == 0) reader.fail("node count must be at least 1");
      declared_arcs = parseUnsigned(reader, fields[3], std::numeric_limits<ArcId>::max() - 1,
                                    "arc count");
      content.node_count = static_cast<NodeId>(nodes);
      // Bounded so a corrupt header cannot demand gigabytes before the first arc is read.
      content.arcs.reserve(std::min<std::uint64_t>(declared_arcs, std::uint64_t{1} << 24));
      problem_line = reader.lineNumber();
    } else {
      reader.fail("unknown line type " + quoted(fields[0]) + " (expected 'c', 'p' or 'a')");
    }
  }
  if (reader.lineNumber() == 0) throw GraphFormatError(path + ": empty file");
  if (problem_line == 0) reader.fail("end of file without a problem line 'p sp <nodes> <arcs>'");
  if (content.arcs.size() != declared_arcs) {
    reader.fail("end of file after " + std::to_string(content.arcs.size()) + " arcs, but line " +
                std::to_string(problem_line) + " declares " + std::to_string(declared_arcs));
  }
  return content;
}

std::vector<Coordinate> readCo(const std::string& path, NodeId graph_nodes,
                               const std::string& gr_path) {
  DimacsLineReader reader(path);
  std::vector<Coordinate> coordinates;
  std::vector<std::uint32_t> defined_on_line;  // 0 = no 'v' line yet
  std::size_t problem_line = 0;
  Fields fields;
  std::string_view line;
  while (reader.next(line)) {
    if (isComment(line) || isEmpty(line)) continue;
    const std::size_t count = splitFields(line, fields);
    if (fields[0] == "v") {
      if (problem_line == 0) reader.fail("coordinate before the problem line 'p aux sp co <nodes>'");
      if (count != 4) {
        reader.fail("coordinate line has " + std::string(count >= kMaxFields ? "too many" : std::to_string(count)) +
                    " fields, expected 'v <id> <lon> <lat>'");
      }
      const NodeId node = parseNodeId(reader, fields[1], graph_nodes, "node id");
      const std::int32_t lon = parseMicrodegrees(reader, fields[2], 180'000'000, "longitude");
      const std::int32_t lat = parseMicrodegrees(reader, fields[3], 90'000'000, "latitude");
      if (defined_on_line[node] != 0) {
        reader.fail("duplicate coordinate for node " + std::to_string(node + 1) +
                    " (first on line " + std::to_string(defined_on_line[node]) + ")");
      }
      defined_on_line[node] = static_cast<std::uint32_t>(reader.lineNumber());
      coordinates[node] = {lon, lat};
    } else if (fields[0] == "p") {
      if (problem_line != 0) {
        reader.fail("duplicate problem line (the first is line " + std::to_string(problem_line) +
                    ")");
      }
      if (count != 5 || fields[1] != "aux" || fields[2] != "sp" || fields[3] != "co") {
        reader.fail("problem line must be 'p aux sp co <nodes>'");
      }
      const std::uint64_t nodes = parseUnsigned(reader, fields[4], kInvalidNode - 1, "node count");
      if (nodes != graph_nodes) {
        reader.fail("declares " + std::to_string(nodes) + " nodes, but graph '" + gr_path +
                    "' has " + std::to_string(graph_nodes));
      }
      coordinates.assign(graph_nodes, Coordinate{0, 0});
      defined_on_line.assign(graph_nodes, 0);
      problem_line = reader.lineNumber();
    } else {
      reader.fail("unknown line type " + quoted(fields[0]) + " (expected 'c', 'p' or 'v')");
    }
  }
  if (reader.lineNumber() == 0) throw GraphFormatError(path + ": empty file");
  if (problem_line == 0) reader.fail("end of file without a problem line 'p aux sp co <nodes>'");
  for (NodeId node = 0; node < graph_nodes; ++node) {
    if (defined_on_line[node] == 0) {
      reader.fail("end of file, but node " + std::to_string(node + 1) + " has no coordinate");
    }
  }
  return coordinates;
}

}  // namespace

Graph readDimacs(const std::string& gr_path, const std::string& co_path) {
  GrContent content = readGr(gr_path);
  std::vector<Coordinate> coordinates;
  if (!co_path.empty()) coordinates = readCo(co_path, content.node_count, gr_path);
  return Graph::fromArcs(content.node_count, std::move(content.arcs), std::move(coordinates),
                         gr_path);
}

}  // namespace twinlane::app
