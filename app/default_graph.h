// SPDX-License-Identifier: Apache-2.0
// The generated default graph, served as a snapshot like any other graph.
//
// Generating it takes a fraction of a second; contracting it takes seconds, and a restart or a
// reload under load must not keep requests waiting that long (they queue in the lane sockets
// and time out). So, given a cache directory (systemd's CacheDirectory=, passed as
// $CACHE_DIRECTORY), the snapshot is kept there under the generated graph's checksum and mapped
// on the next load, once the graph, generated again, has been found to be the same one: a
// generator that changed makes a new file, whatever the version says. A cached file that cannot
// be read, is damaged, or lacks the hierarchy asked for is written anew; a directory that cannot
// be written to is logged, and the graph served from memory.
#pragma once

#include <string>

#include "generator.h"
#include "graph_file.h"

namespace twinlane::app {

struct DefaultGraphOptions {
  GeneratorOptions generator;   // the default graph's recipe; tests ask for smaller ones
  bool with_hierarchy = true;   // contract it (data.hierarchy: auto)
  std::string cache_directory;  // empty: nothing is cached, every load contracts anew
};

// The generated graph, from the cache when it holds this very graph. Throws what generating,
// contracting or writing into memory throws; never for a cache problem (those are logged to
// twinlane.graph).
LoadedGraph loadDefaultGraph(const DefaultGraphOptions& options = {});

// The file the cache holds for a graph with `checksum` (the first 16 hex digits name it).
std::string defaultGraphCacheFile(const std::string& cache_directory, const std::string& checksum,
                                  bool with_hierarchy);

}  // namespace twinlane::app
