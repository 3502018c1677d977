// SPDX-License-Identifier: Apache-2.0
// The checks of a snapshot that a load leaves out because they cost a rebuild of the graph:
// `twinlane-graph verify`. A load already guarantees that searches cannot go out of bounds;
// these find a file whose parts disagree (a buggy or hostile writer that recomputed the
// checksums), which would give wrong answers.
#pragma once

#include <string>
#include <vector>

#include "snapshot_reader.h"

namespace twinlane::app {

// Empty when sound; otherwise one sentence per problem: the reverse arrays are not the forward
// arcs reversed, the stored checksum or A* scale is not what the arrays give, the nearest-node
// index misses a node, the contraction hierarchy is not one of this graph (validateHierarchy).
std::vector<std::string> verifySnapshot(const SnapshotContents& contents);

}  // namespace twinlane::app
