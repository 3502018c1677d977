// SPDX-License-Identifier: Apache-2.0
// Snapshot writing: the section list of a graph, the layout, the checksums, the atomic replace.
#include "snapshot_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <tuple>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "fcgi/unique_fd.h"
#include "xxh3.h"

namespace twinlane::app {
namespace {

struct PendingSection {
  std::string_view name;
  std::span<const std::byte> bytes;
  std::uint32_t element_size;
  bool required;
};

template <typename T>
PendingSection sectionOf(std::string_view name, std::span<const T> values, bool required) {
  return {name, std::as_bytes(values), sizeof(T), required};
}

snapshot::Meta metaOf(const Graph& graph, const SnapshotOrigin& origin) {
  snapshot::Meta meta{};
  meta.metric = static_cast<std::uint32_t>(graph.metric());
  meta.profile = static_cast<std::uint32_t>(origin.profile);
  meta.lower_bound_scale = graph.lowerBoundScale();
  std::memcpy(meta.graph_sha1, graph.checksum().data(),
              std::min(graph.checksum().size(), sizeof(meta.graph_sha1)));
  meta.created_unix = static_cast<std::uint64_t>(std::time(nullptr));
  const std::string name = std::filesystem::path(origin.made_from).filename().string();
  std::memcpy(meta.made_from, name.data(), std::min(name.size(), sizeof(meta.made_from) - 1));
  return meta;
}

// Every array the graph has, in file order. Weights are stored once: a road graph's weight()
// is one of its metrics, which the reader finds again through meta.metric.
void addHierarchy(const ContractionHierarchy& hierarchy, std::vector<PendingSection>& sections) {
  namespace s = snapshot::section;
  const ChArrays& ch = hierarchy.arrays();
  const bool other = hierarchy.otherMetric() != Metric::kUnitless;
  sections.push_back(sectionOf(s::kChRank, ch.rank, false));
  sections.push_back(sectionOf(s::kChOrder, ch.order, false));
  for (const auto& [arcs, first, end, weight, unpack, other_metric] :
       {std::tuple{&ch.up, s::kChUpFirst, s::kChUpEnd, s::kChUpWeight, s::kChUpUnpack, s::kChUpOther},
        std::tuple{&ch.down, s::kChDownFirst, s::kChDownEnd, s::kChDownWeight, s::kChDownUnpack, s::kChDownOther}}) {
    sections.push_back(sectionOf(first, arcs->first, false));
    sections.push_back(sectionOf(end, arcs->other_end, false));
    sections.push_back(sectionOf(weight, arcs->weight, false));
    sections.push_back(sectionOf(unpack, arcs->unpack, false));
    if (other) sections.push_back(sectionOf(other_metric, arcs->other_metric, false));
  }
}

std::vector<PendingSection> sectionsOf(const Graph& graph, const NearestIndex* nearest,
                                       const ContractionHierarchy* hierarchy, const snapshot::Meta& meta) {
  namespace s = snapshot::section;
  const GraphArrays& a = graph.arrays();
  const bool unitless = graph.metric() == Metric::kUnitless;
  const bool by_length = graph.metric() == Metric::kLengthMeters;
  const bool by_duration = graph.metric() == Metric::kDurationDeciseconds;
  std::vector<PendingSection> sections = {
      {s::kMeta, std::as_bytes(std::span(&meta, 1)), 1, true},
      sectionOf(s::kFirstOut, a.first_out, true),
      sectionOf(s::kHead, a.head, true),
      sectionOf(s::kFirstIn, a.first_in, true),
      sectionOf(s::kTail, a.tail, true),
  };
  if (unitless) {
    sections.push_back(sectionOf(s::kWeight, a.weight, true));
    sections.push_back(sectionOf(s::kInWeight, a.in_weight, true));
  }
  if (graph.hasLengths()) {
    sections.push_back(sectionOf(s::kLength, a.length_m, by_length));
    sections.push_back(sectionOf(s::kInLength, a.in_length_m, by_length));
  }
  if (graph.hasDurations()) {
    sections.push_back(sectionOf(s::kDuration, a.duration_ds, by_duration));
    sections.push_back(sectionOf(s::kInDuration, a.in_duration_ds, by_duration));
  }
  if (graph.hasCoordinates()) {
    sections.push_back(sectionOf(s::kLonE6, a.lon_e6, false));
    sections.push_back(sectionOf(s::kLatE6, a.lat_e6, false));
  }
  if (graph.hasOsmIds()) sections.push_back(sectionOf(s::kOsmId, a.osm_id, false));
  if (nearest != nullptr && nearest->size() == graph.nodeCount() && graph.nodeCount() > 0) {
    sections.push_back(sectionOf(s::kNearestOrder, nearest->order(), false));
    sections.push_back(sectionOf(s::kNearestAxis, nearest->axis(), false));
  }
  if (hierarchy != nullptr && hierarchy->nodeCount() == graph.nodeCount()) addHierarchy(*hierarchy, sections);
  return sections;
}

std::uint64_t alignUp(std::uint64_t value, std::uint64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

[[noreturn]] void fail(const std::string& name, const std::string& step) {
  throw std::runtime_error(name + ": " + step + ": " + std::strerror(errno));
}

void writeAt(int fd, std::span<const std::byte> bytes, std::uint64_t offset, const std::string& name) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(offset));
    if (wrote < 0) {
      if (errno == EINTR) continue;
      fail(name, "cannot write");
    }
    bytes = bytes.subspan(static_cast<std::size_t>(wrote));
    offset += static_cast<std::uint64_t>(wrote);
  }
}

}  // namespace

std::string_view snapshot::profileName(Profile profile) {
  switch (profile) {
    case Profile::kDimacs: return "dimacs";
    case Profile::kCar: return "car";
    case Profile::kDistance: return "distance";
    case Profile::kGenerated: return "generated";
  }
  return "unknown";
}

void writeSnapshot(const Graph& graph, const NearestIndex* nearest, const ContractionHierarchy* hierarchy,
                   const SnapshotOrigin& origin, int fd, const std::string& name, const WriteProgress& progress) {
  const snapshot::Meta meta = metaOf(graph, origin);
  const std::vector<PendingSection> sections = sectionsOf(graph, nearest, hierarchy, meta);

  std::vector<snapshot::SectionEntry> table(sections.size());
  std::uint64_t end = sizeof(snapshot::Header) + table.size() * sizeof(snapshot::SectionEntry);
  for (std::size_t i = 0; i < sections.size(); ++i) {
    snapshot::SectionEntry& entry = table[i];
    std::memcpy(entry.name, sections[i].name.data(), sections[i].name.size());
    entry.offset = alignUp(end, snapshot::kWriterAlignment);
    entry.length = sections[i].bytes.size();
    entry.element_size = sections[i].element_size;
    entry.flags = sections[i].required ? snapshot::kSectionRequired : 0;
    end = entry.offset + entry.length;
  }
  // Sized first, so that the gaps between sections read as zeros.
  if (::ftruncate(fd, static_cast<off_t>(end)) != 0) fail(name, "cannot size the file");

  std::uint64_t written = 0;
  for (std::size_t i = 0; i < sections.size(); ++i) {
    // Pieces of 64 MiB, so that progress moves and the checksum runs on warm cache lines.
    constexpr std::size_t kPiece = std::size_t{64} << 20;
    Xxh3Stream checksum;
    for (std::size_t at = 0; at < sections[i].bytes.size(); at += kPiece) {
      const auto piece = sections[i].bytes.subspan(at, std::min(kPiece, sections[i].bytes.size() - at));
      checksum.update(piece);
      writeAt(fd, piece, table[i].offset + at, name);
      written += piece.size();
      if (progress) progress(written, end);
    }
    table[i].xxh3 = checksum.digest();
  }

  snapshot::Header header{};
  std::memcpy(header.magic, snapshot::kMagic.data(), sizeof(header.magic));
  header.version_major = snapshot::kVersionMajor;
  header.version_minor = snapshot::kVersionMinor;
  header.byte_order = snapshot::kByteOrderMark;
  header.header_size = sizeof(snapshot::Header);
  header.entry_size = sizeof(snapshot::SectionEntry);
  header.section_count = static_cast<std::uint32_t>(table.size());
  header.file_size = end;
  header.node_count = graph.nodeCount();
  header.arc_count = graph.arcCount();
  Xxh3Stream header_checksum;
  header_checksum.update(std::as_bytes(std::span(&header, 1)).first(offsetof(snapshot::Header, header_xxh3)));
  header_checksum.update(std::as_bytes(std::span(table)));
  header.header_xxh3 = header_checksum.digest();
  // The header goes last, so a file cut short while being written never looks complete.
  writeAt(fd, std::as_bytes(std::span(table)), sizeof(header), name);
  writeAt(fd, std::as_bytes(std::span(&header, 1)), 0, name);
}

void writeSnapshotFile(const Graph& graph, const NearestIndex* nearest, const ContractionHierarchy* hierarchy,
                       const SnapshotOrigin& origin, const std::string& path, const WriteProgress& progress) {
  const std::filesystem::path target(path);
  const std::filesystem::path directory = target.has_parent_path() ? target.parent_path() : ".";
  // Appended piece by piece: GCC 12 at -O3 warns (-Wrestrict) on `"." + std::string`.
  std::string hidden_name(".");
  hidden_name.append(target.filename().string()).append(".tmp-XXXXXX");
  std::string temporary = (directory / hidden_name).string();
  UniqueFd fd(::mkstemp(temporary.data()));
  if (!fd) fail(path, "cannot create a temporary file in " + directory.string());
  try {
    // mkstemp makes the file 0600; a snapshot gets the mode any new file would (0666 - umask).
    const mode_t umask_bits = ::umask(0);
    ::umask(umask_bits);
    if (::fchmod(fd.get(), 0666 & ~umask_bits) != 0) fail(temporary, "cannot set permissions");
    writeSnapshot(graph, nearest, hierarchy, origin, fd.get(), temporary, progress);
    if (::fsync(fd.get()) != 0) fail(temporary, "cannot flush");
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail(path, "cannot rename " + temporary + " to it");
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  // The rename itself is durable once the directory is flushed; a failure here loses nothing.
  UniqueFd directory_fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory_fd) ::fsync(directory_fd.get());
}

}  // namespace twinlane::app
