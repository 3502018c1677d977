// SPDX-License-Identifier: Apache-2.0
// Reading a snapshot (snapshot_format.h): validating a mapped file and viewing it as a Graph.
//
// Validation is complete before anything is viewed, because the searches index the arrays
// without checks: the header and table (sizes, version, bounds, overlaps), every checksum, and
// the structure the searches rely on (offsets monotone and ending at the arc count, node ids in
// range, coordinates in range, the index's arrays in range, the contraction hierarchy's
// structure: validateHierarchy). It is linear in the file and reads
// each byte about twice. A problem is a GraphFormatError `path: problem` naming the section.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "contraction_hierarchy.h"
#include "graph.h"
#include "mapped_file.h"
#include "nearest.h"
#include "snapshot_format.h"

namespace twinlane::app {

struct SnapshotSectionInfo {
  std::string name;
  std::uint64_t offset;
  std::uint64_t length;
  std::uint32_t element_size;
  bool required;
  bool known;  // false: a section of a newer writer, skipped
};

struct SnapshotContents {
  Graph graph;
  std::optional<NearestIndex> nearest;  // present when the snapshot has one
  std::optional<ContractionHierarchy> hierarchy;  // likewise
  snapshot::Profile profile;
  std::uint16_t version_major;
  std::uint16_t version_minor;
  std::uint64_t created_unix;
  std::string made_from;
  std::vector<SnapshotSectionInfo> sections;
};

// True when `bytes` begins with the snapshot magic.
bool hasSnapshotMagic(std::span<const std::byte> bytes);

// Validates the whole of `file` and views it; the result keeps `file` alive. `path` names the
// file in errors and becomes the graph's source(). Throws GraphFormatError.
SnapshotContents viewSnapshot(std::shared_ptr<const MappedFile> file, const std::string& path);

}  // namespace twinlane::app
