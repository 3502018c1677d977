// SPDX-License-Identifier: Apache-2.0
// Writing a graph (and its nearest-node index) as a snapshot (snapshot_format.h).
//
// A file on disk is replaced atomically: the snapshot is written to a temporary file in the same
// directory, flushed, and renamed over the target, so a server that maps the old file, or loads
// the new one during a reload, never sees a half-written snapshot. On any error the temporary
// file is removed and the target is left as it was.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "contraction_hierarchy.h"
#include "graph.h"
#include "nearest.h"
#include "snapshot_format.h"

namespace twinlane::app {

// Told the bytes written so far and the total, after each piece.
using WriteProgress = std::function<void(std::uint64_t written, std::uint64_t total)>;

struct SnapshotOrigin {
  snapshot::Profile profile = snapshot::Profile::kDimacs;
  std::string made_from;  // the input's name, for `twinlane-graph info`
};

// `nearest` may be null (a graph without coordinates has none), and `hierarchy` (a snapshot
// without one gets one built when a server loads it). Throws std::runtime_error naming `path`
// and the failing step.
void writeSnapshotFile(const Graph& graph, const NearestIndex* nearest, const ContractionHierarchy* hierarchy,
                       const SnapshotOrigin& origin, const std::string& path, const WriteProgress& progress = {});

// Writes the snapshot into `fd` from offset 0 (a memfd for the generated default graph).
// `name` appears in errors.
void writeSnapshot(const Graph& graph, const NearestIndex* nearest, const ContractionHierarchy* hierarchy,
                   const SnapshotOrigin& origin, int fd, const std::string& name, const WriteProgress& progress = {});

}  // namespace twinlane::app
