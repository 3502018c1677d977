// SPDX-License-Identifier: Apache-2.0
// Reading DIMACS shortest-path files (9th DIMACS Implementation Challenge) into a Graph.
//
// This file owns the .gr format (`c` comments, one `p sp n m` line, `a u v w` arcs) and the .co
// format (`p aux sp co n`, `v id lon lat` in microdegrees), plain or gzip-compressed. Parsing is
// strict: anything malformed is a GraphFormatError whose message is `path:line: problem`, so an
// operator can open the file at the right line. Runs in the master, before forking.
// Writing lives in dimacs_writer.h.
#pragma once

#include <stdexcept>
#include <string>

#include "graph.h"

namespace twinlane::app {

// A data file that cannot be read or does not follow the format. what() is
// `path:line: problem` (or `path: problem` when no line is involved, e.g. cannot open).
class GraphFormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads `gr_path` and, unless `co_path` is empty, the coordinates from `co_path`. DIMACS ids
// 1..n become 0..n-1. Parallel arcs, self loops and zero weights are legal. Lines may end in
// "\r\n"; blank lines are ignored. The graph's source() is `gr_path`.
// Throws GraphFormatError.
Graph readDimacs(const std::string& gr_path, const std::string& co_path = {});

}  // namespace twinlane::app
