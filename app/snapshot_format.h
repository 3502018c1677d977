// SPDX-License-Identifier: Apache-2.0
// The graph snapshot file format, version 1: what is on disk, byte for byte.
//
// A snapshot is a little-endian file that a process maps and searches in place:
//   header (64 bytes) | section table (section_count entries of 48 bytes) | sections
// Each section is one array, starting at a multiple of kSectionAlignment so that it can be
// viewed as a typed span straight from the mapping. The header and every section carry an XXH3
// 64-bit checksum (fast enough to check a gigabyte at start-up in a fraction of a second).
// A reader skips sections it does not know unless they are flagged required, so a newer writer
// can add sections (the contraction hierarchy) without breaking older readers of major version 1.
// This file holds only layouts and names; snapshot_writer.h and snapshot_reader.h do the work.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace twinlane::app::snapshot {

// Not text (0x89), and damaged by line-ending or 7-bit conversions, as PNG's signature is.
inline constexpr std::array<unsigned char, 8> kMagic = {0x89, 'T', 'W', 'G', '\r', '\n', 0x1a, '\n'};
inline constexpr std::uint16_t kVersionMajor = 1;
// Minor 1 added the contraction hierarchy's sections (optional: 1.0 readers skip them).
inline constexpr std::uint16_t kVersionMinor = 1;
inline constexpr std::uint32_t kByteOrderMark = 0x01020304;
inline constexpr std::size_t kSectionAlignment = 64;
// The writer aligns sections to pages, so that one section's pages can be advised on their own.
inline constexpr std::size_t kWriterAlignment = 4096;
inline constexpr std::uint32_t kMaxSections = 1024;
inline constexpr std::size_t kNameSize = 16;

struct Header {
  unsigned char magic[8];
  std::uint16_t version_major;
  std::uint16_t version_minor;
  std::uint32_t byte_order;      // kByteOrderMark as the writer stored it
  std::uint32_t header_size;     // 64; a reader accepts larger headers from newer minors
  std::uint32_t entry_size;      // 48; likewise
  std::uint32_t section_count;
  std::uint32_t flags;           // reserved, 0
  std::uint64_t file_size;       // the whole file, so that truncation is named as such
  std::uint64_t node_count;
  std::uint64_t arc_count;
  std::uint64_t header_xxh3;     // over bytes [0, 56) of the header and then the section table
};
static_assert(sizeof(Header) == 64);
static_assert(offsetof(Header, header_xxh3) == 56);

inline constexpr std::uint32_t kSectionRequired = 1;  // a reader that does not know it refuses

struct SectionEntry {
  char name[kNameSize];          // [a-z0-9._], NUL-padded
  std::uint64_t offset;          // from the start of the file, a multiple of kSectionAlignment
  std::uint64_t length;          // bytes, a multiple of element_size
  std::uint32_t element_size;
  std::uint32_t flags;
  std::uint64_t xxh3;            // of the section's bytes
};
static_assert(sizeof(SectionEntry) == 48);

// The `meta` section: what the arrays mean, and what a load would otherwise recompute.
struct Meta {
  std::uint32_t metric;          // Metric: 0 unitless (DIMACS), 1 length_m, 2 duration_ds
  std::uint32_t profile;         // Profile below
  double lower_bound_scale;      // Graph::lowerBoundScale() of the weighing metric
  char graph_sha1[40];           // Graph::checksum(), hex, so a converted file keeps its checksum
  std::uint64_t created_unix;
  char made_from[64];            // the input's file name, NUL-padded, cut to fit
  unsigned char reserved[16];
};
static_assert(sizeof(Meta) == 144);

enum class Profile : std::uint32_t { kDimacs = 0, kCar = 1, kDistance = 2, kGenerated = 3 };
std::string_view profileName(Profile profile);  // "dimacs", "car", "distance", "generated"

// Section names. Arrays are indexed as Graph's (graph.h): n = nodes, m = arcs.
namespace section {
inline constexpr std::string_view kMeta = "meta";
inline constexpr std::string_view kFirstOut = "fwd.first";         // u32, n + 1
inline constexpr std::string_view kHead = "fwd.head";              // u32, m
inline constexpr std::string_view kWeight = "fwd.weight";          // u32, m (unitless graphs)
inline constexpr std::string_view kLength = "fwd.len_m";           // u32, m
inline constexpr std::string_view kDuration = "fwd.dur_ds";        // u32, m
inline constexpr std::string_view kFirstIn = "bwd.first";          // u32, n + 1
inline constexpr std::string_view kTail = "bwd.tail";              // u32, m
inline constexpr std::string_view kInWeight = "bwd.weight";        // u32, m
inline constexpr std::string_view kInLength = "bwd.len_m";         // u32, m
inline constexpr std::string_view kInDuration = "bwd.dur_ds";      // u32, m
inline constexpr std::string_view kLonE6 = "node.lon_e6";          // i32, n
inline constexpr std::string_view kLatE6 = "node.lat_e6";          // i32, n
inline constexpr std::string_view kOsmId = "node.osm_id";          // i64, n
inline constexpr std::string_view kNearestOrder = "nearest.order"; // u32, n
inline constexpr std::string_view kNearestAxis = "nearest.axis";   // u8, n
// The contraction hierarchy (contraction_hierarchy.h), all optional and all or none; `c` is the
// hierarchy's arc count in one direction, the last entry of its `first`.
inline constexpr std::string_view kChRank = "ch.rank";             // u32, n
inline constexpr std::string_view kChOrder = "ch.order";           // u32, n
inline constexpr std::string_view kChUpFirst = "ch.up.first";      // u32, n + 1
inline constexpr std::string_view kChUpEnd = "ch.up.end";          // u32, c: the higher end
inline constexpr std::string_view kChUpWeight = "ch.up.weight";    // u32, c
inline constexpr std::string_view kChUpUnpack = "ch.up.unpack";    // 2 x u32, c (ChUnpack)
inline constexpr std::string_view kChUpOther = "ch.up.other";      // u32, c; graphs with two metrics
inline constexpr std::string_view kChDownFirst = "ch.down.first";
inline constexpr std::string_view kChDownEnd = "ch.down.end";
inline constexpr std::string_view kChDownWeight = "ch.down.weight";
inline constexpr std::string_view kChDownUnpack = "ch.down.unpack";
inline constexpr std::string_view kChDownOther = "ch.down.other";
}  // namespace section

}  // namespace twinlane::app::snapshot
