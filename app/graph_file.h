// SPDX-License-Identifier: Apache-2.0
// Loading the graph a config names, whatever its format, told apart by its first bytes: a
// snapshot (snapshot_format.h) is validated and served from a sealed in-memory copy; a DIMACS
// text file (plain or gzip) is parsed; an OpenStreetMap file or anything else is refused with a
// message that says what to do. (The generated default graph is default_graph.h's.)
#pragma once

#include <optional>
#include <string>

#include "contraction_hierarchy.h"
#include "graph.h"
#include "nearest.h"
#include "snapshot_format.h"
#include "snapshot_reader.h"

namespace twinlane::app {

enum class GraphFileFormat { kSnapshot, kDimacs, kOsmPbf, kOsmXml, kUnknown };

struct GraphFileHead {
  GraphFileFormat format;
  std::string first_bytes;  // up to 8, in hex, for messages
};

// Reads the first bytes of `path`. Throws GraphFormatError when it cannot be opened.
GraphFileHead sniffGraphFile(const std::string& path);

// Why a file that starts like `head` cannot be served, "" when it can: for an OpenStreetMap file
// the import command to run, for anything else what it starts with.
std::string whyNotServable(const std::string& path, const GraphFileHead& head);

struct LoadedGraph {
  Graph graph;
  std::optional<NearestIndex> nearest;  // for graphs with coordinates
  std::optional<ContractionHierarchy> hierarchy;  // a snapshot's, or the default graph's
  std::string format;                   // "snapshot" or "dimacs"
  snapshot::Profile profile;
};

// `coordinates_path` is for DIMACS only (a snapshot holds its coordinates). Throws
// GraphFormatError (or std::runtime_error for I/O failures), naming the file and the problem.
LoadedGraph loadGraphFile(const std::string& path, const std::string& coordinates_path);

// What a validated snapshot serves.
LoadedGraph loadedFromSnapshot(SnapshotContents contents);

}  // namespace twinlane::app
