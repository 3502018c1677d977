// SPDX-License-Identifier: Apache-2.0
// Format sniffing and the load paths of each format.
#include "graph_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "dimacs.h"
#include "fcgi/unique_fd.h"
#include "mapped_file.h"
#include "snapshot_reader.h"

namespace twinlane::app {
namespace {

std::string hexPrefix(const unsigned char* bytes, std::size_t size) {
  std::string text;
  for (std::size_t i = 0; i < std::min<std::size_t>(size, 8); ++i) {
    char part[4];
    std::snprintf(part, sizeof(part), "%s%02x", i == 0 ? "" : " ", bytes[i]);
    text += part;
  }
  return text;
}

bool looksLikeText(const unsigned char* bytes, std::size_t size) {
  return std::all_of(bytes, bytes + size, [](unsigned char c) { return c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c < 0x7f); });
}

}  // namespace

LoadedGraph loadedFromSnapshot(SnapshotContents contents) {
  return {std::move(contents.graph), std::move(contents.nearest), std::move(contents.hierarchy), "snapshot",
          contents.profile};
}

GraphFileHead sniffGraphFile(const std::string& path) {
  UniqueFd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!file) throw GraphFormatError(path + ": cannot open: " + std::strerror(errno));
  unsigned char head[64] = {};
  ssize_t got;
  do {
    got = ::read(file.get(), head, sizeof(head));
  } while (got < 0 && errno == EINTR);
  if (got < 0) throw GraphFormatError(path + ": cannot read: " + std::strerror(errno));
  const auto size = static_cast<std::size_t>(got);
  const auto formatOf = [&] {
    if (hasSnapshotMagic(std::as_bytes(std::span(head, size)))) return GraphFileFormat::kSnapshot;
    const std::string_view text(reinterpret_cast<const char*>(head), size);
    // A PBF starts with the length of its first blob header, which names the blob "OSMHeader".
    if (size >= 13 && text.find("OSMHeader") != std::string_view::npos) return GraphFileFormat::kOsmPbf;
    if (text.starts_with("<?xml") || text.starts_with("<osm")) return GraphFileFormat::kOsmXml;
    if (size >= 2 && head[0] == 0x1f && head[1] == 0x8b) return GraphFileFormat::kDimacs;  // gzip
    // DIMACS lines start with c, p, a or v; comments may hold any bytes.
    if (size == 0 || looksLikeText(head, size) || std::strchr("cpav", head[0]) != nullptr) {
      return GraphFileFormat::kDimacs;
    }
    return GraphFileFormat::kUnknown;
  };
  return {formatOf(), hexPrefix(head, size)};
}

std::string whyNotServable(const std::string& path, const GraphFileHead& head) {
  switch (head.format) {
    case GraphFileFormat::kSnapshot:
    case GraphFileFormat::kDimacs:
      return "";
    case GraphFileFormat::kOsmPbf:
    case GraphFileFormat::kOsmXml:
      return "an OpenStreetMap file, which is not served directly; make a snapshot of it with "
             "`twinlane-graph import --profile car " + path + " OUTPUT.twg`";
    case GraphFileFormat::kUnknown:
      break;
  }
  return "neither a twinlane snapshot nor a DIMACS text file (it starts " + head.first_bytes + ")";
}

LoadedGraph loadGraphFile(const std::string& path, const std::string& coordinates_path) {
  const GraphFileHead head = sniffGraphFile(path);
  if (const std::string why = whyNotServable(path, head); !why.empty()) throw GraphFormatError(path + ": " + why);
  if (head.format == GraphFileFormat::kSnapshot) {
    if (!coordinates_path.empty()) {
      throw GraphFormatError(path + ": a snapshot holds its own coordinates; remove data.coordinates (" +
                             coordinates_path + ")");
    }
    return loadedFromSnapshot(viewSnapshot(MappedFile::sealedCopy(path), path));
  }
  Graph graph = readDimacs(path, coordinates_path);
  std::optional<NearestIndex> nearest;
  if (graph.hasCoordinates()) nearest.emplace(graph);
  return {std::move(graph), std::move(nearest), std::nullopt, "dimacs", snapshot::Profile::kDimacs};
}

}  // namespace twinlane::app
