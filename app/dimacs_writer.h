// SPDX-License-Identifier: Apache-2.0
// Writing a Graph as DIMACS .gr and .co files, the inverse of readDimacs (dimacs.h).
// Used by `twinlane-graph generate` to export; it owns nothing but the files it writes.
#pragma once

#include <string>

#include "graph.h"

namespace twinlane::app {

// Writes `gr_path` (`p sp n m` and one `a` line per arc, ids 1..n) and, unless `co_path` is
// empty, `co_path` (`p aux sp co n`, one `v` line per node). A path ending in ".gz" is written
// gzip-compressed. Throws std::invalid_argument when coordinates are asked for but the graph
// has none, and std::runtime_error "path: problem: errno text" when a file cannot be written.
void writeDimacs(const Graph& graph, const std::string& gr_path, const std::string& co_path);

}  // namespace twinlane::app
