// SPDX-License-Identifier: Apache-2.0
// Snapshot reading: the header and table checks, the checksums, the structural checks, the views.
#include "snapshot_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "dimacs.h"  // GraphFormatError
#include "xxh3.h"

namespace twinlane::app {
namespace {

// A fuzzing build (tests/fuzz/ defines FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION, as OSS-Fuzz
// does) computes the checksums but accepts any, so that mutated files reach the structural
// checks, which must hold on their own: a writer with a bug makes files whose checksums match.
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
constexpr bool kCheckChecksums = false;
#else
constexpr bool kCheckChecksums = true;
#endif

namespace s = snapshot::section;

struct KnownSection {
  std::string_view name;
  std::uint32_t element_size;
  // kHierarchyArcs: as many as the hierarchy's own `first` says (checkHierarchyBounds checks them).
  enum Count { kNodes, kNodesPlusOne, kArcs, kMeta, kHierarchyArcs } count;
};

constexpr KnownSection kKnownSections[] = {
    {s::kMeta, 1, KnownSection::kMeta},
    {s::kFirstOut, 4, KnownSection::kNodesPlusOne}, {s::kHead, 4, KnownSection::kArcs},
    {s::kWeight, 4, KnownSection::kArcs},           {s::kLength, 4, KnownSection::kArcs},
    {s::kDuration, 4, KnownSection::kArcs},         {s::kFirstIn, 4, KnownSection::kNodesPlusOne},
    {s::kTail, 4, KnownSection::kArcs},             {s::kInWeight, 4, KnownSection::kArcs},
    {s::kInLength, 4, KnownSection::kArcs},         {s::kInDuration, 4, KnownSection::kArcs},
    {s::kLonE6, 4, KnownSection::kNodes},           {s::kLatE6, 4, KnownSection::kNodes},
    {s::kOsmId, 8, KnownSection::kNodes},           {s::kNearestOrder, 4, KnownSection::kNodes},
    {s::kNearestAxis, 1, KnownSection::kNodes},
    {s::kChRank, 4, KnownSection::kNodes},          {s::kChOrder, 4, KnownSection::kNodes},
    {s::kChUpFirst, 4, KnownSection::kNodesPlusOne}, {s::kChDownFirst, 4, KnownSection::kNodesPlusOne},
    {s::kChUpEnd, 4, KnownSection::kHierarchyArcs},  {s::kChDownEnd, 4, KnownSection::kHierarchyArcs},
    {s::kChUpWeight, 4, KnownSection::kHierarchyArcs}, {s::kChDownWeight, 4, KnownSection::kHierarchyArcs},
    {s::kChUpUnpack, 8, KnownSection::kHierarchyArcs}, {s::kChDownUnpack, 8, KnownSection::kHierarchyArcs},
    {s::kChUpOther, 4, KnownSection::kHierarchyArcs},  {s::kChDownOther, 4, KnownSection::kHierarchyArcs},
};

// The hierarchy's sections that come all together or not at all (the `other` pair is optional).
constexpr std::string_view kHierarchySections[] = {s::kChRank,   s::kChOrder,     s::kChUpFirst,   s::kChUpEnd,
                                                   s::kChUpWeight, s::kChUpUnpack, s::kChDownFirst, s::kChDownEnd,
                                                   s::kChDownWeight, s::kChDownUnpack};

const KnownSection* findKnown(std::string_view name) {
  for (const KnownSection& known : kKnownSections) {
    if (known.name == name) return &known;
  }
  return nullptr;
}

// Reads the file's parts and throws, naming the file, at the first problem.
class SnapshotParser {
 public:
  SnapshotParser(std::span<const std::byte> bytes, const std::string& path) : bytes_(bytes), path_(path) {}

  void parseHeaderAndTable();
  void checkSections();
  void checkStructure() const;
  SnapshotContents view(std::shared_ptr<const MappedFile> file) const;
  ContractionHierarchy viewHierarchy(const Graph& graph, const std::shared_ptr<const MappedFile>& file) const;

 private:
  [[noreturn]] void fail(const std::string& problem) const {
    throw GraphFormatError(path_ + ": " + problem);
  }
  bool has(std::string_view name) const { return views_.count(std::string(name)) != 0; }
  template <typename T>
  std::span<const T> array(std::string_view name) const {
    const auto found = views_.find(std::string(name));
    if (found == views_.end()) return {};
    return {reinterpret_cast<const T*>(found->second.data()), found->second.size() / sizeof(T)};
  }
  std::uint64_t expectedCount(KnownSection::Count count) const;
  void checkCsr(std::string_view first_name, std::string_view target_name) const;
  void checkPair(std::string_view a, std::string_view b) const;

  std::span<const std::byte> bytes_;
  const std::string& path_;
  snapshot::Header header_{};
  snapshot::Meta meta_{};
  std::vector<SnapshotSectionInfo> infos_;
  std::map<std::string, std::span<const std::byte>> views_;  // the known sections
};

void SnapshotParser::parseHeaderAndTable() {
  if (bytes_.size() < sizeof(snapshot::Header)) {
    fail("not a snapshot: " + std::to_string(bytes_.size()) + " bytes is shorter than its header");
  }
  std::memcpy(&header_, bytes_.data(), sizeof(header_));
  if (std::memcmp(header_.magic, snapshot::kMagic.data(), snapshot::kMagic.size()) != 0) {
    fail("not a twinlane snapshot (wrong magic)");
  }
  if (header_.byte_order != snapshot::kByteOrderMark) {
    fail("snapshot byte order does not match this machine (snapshots are little-endian)");
  }
  if (header_.version_major != snapshot::kVersionMajor) {
    fail("snapshot format version " + std::to_string(header_.version_major) + "." +
         std::to_string(header_.version_minor) + " is not readable by this build, which reads " +
         std::to_string(snapshot::kVersionMajor) + ".x; convert the data again with this version");
  }
  if (header_.header_size < sizeof(snapshot::Header) || header_.entry_size < sizeof(snapshot::SectionEntry) ||
      header_.header_size > 4096 || header_.entry_size > 4096) {
    fail("snapshot header is damaged (header size " + std::to_string(header_.header_size) +
         ", entry size " + std::to_string(header_.entry_size) + ")");
  }
  if (header_.section_count > snapshot::kMaxSections) {
    fail("snapshot header is damaged (" + std::to_string(header_.section_count) + " sections)");
  }
  if (header_.file_size != bytes_.size()) {
    fail("snapshot is truncated or has bytes appended: its header says " +
         std::to_string(header_.file_size) + " bytes, the file has " + std::to_string(bytes_.size()));
  }
  const std::uint64_t table_end =
      std::uint64_t{header_.header_size} + std::uint64_t{header_.section_count} * header_.entry_size;
  if (table_end > bytes_.size()) fail("snapshot section table runs past the end of the file");
  Xxh3Stream checksum;
  checksum.update(bytes_.first(offsetof(snapshot::Header, header_xxh3)));
  checksum.update(bytes_.subspan(header_.header_size, table_end - header_.header_size));
  if (kCheckChecksums && checksum.digest() != header_.header_xxh3) {
    fail("snapshot header checksum mismatch (the file is damaged)");
  }
  if (header_.node_count >= kInvalidNode) fail("snapshot has too many nodes: " + std::to_string(header_.node_count));
  if (header_.arc_count >= std::numeric_limits<ArcId>::max()) {
    fail("snapshot has too many arcs: " + std::to_string(header_.arc_count));
  }

  std::vector<std::pair<std::uint64_t, std::uint64_t>> extents;  // offset, end
  for (std::uint32_t i = 0; i < header_.section_count; ++i) {
    snapshot::SectionEntry entry{};
    std::memcpy(&entry, bytes_.data() + header_.header_size + std::uint64_t{i} * header_.entry_size, sizeof(entry));
    const std::string name(entry.name, strnlen(entry.name, sizeof(entry.name)));
    const std::string where = "snapshot section #" + std::to_string(i) + " '" + name + "'";
    const bool name_ok = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_';
    });
    if (!name_ok) fail("snapshot section #" + std::to_string(i) + " has an invalid name");
    if (entry.offset % snapshot::kSectionAlignment != 0) fail(where + " is not aligned (offset " + std::to_string(entry.offset) + ")");
    if (entry.offset < table_end || entry.offset > bytes_.size() || entry.length > bytes_.size() - entry.offset) {
      fail(where + " lies outside the file (offset " + std::to_string(entry.offset) + ", length " +
           std::to_string(entry.length) + ", file " + std::to_string(bytes_.size()) + " bytes)");
    }
    if (entry.element_size == 0 || entry.length % entry.element_size != 0) {
      fail(where + " length " + std::to_string(entry.length) + " is not a whole number of " +
           std::to_string(entry.element_size) + "-byte elements");
    }
    const KnownSection* known = findKnown(name);
    const bool required = (entry.flags & snapshot::kSectionRequired) != 0;
    if (known == nullptr && required) {
      fail(where + " is required but unknown to this build; use a newer twinlane");
    }
    if (known != nullptr && entry.element_size != known->element_size) {
      fail(where + " has " + std::to_string(entry.element_size) + "-byte elements, expected " +
           std::to_string(known->element_size));
    }
    const auto section_bytes = bytes_.subspan(entry.offset, entry.length);
    if (known != nullptr) {
      if (!views_.emplace(name, section_bytes).second) fail("snapshot has two sections named '" + name + "'");
      if (kCheckChecksums && xxh3(section_bytes) != entry.xxh3) fail(where + " checksum mismatch (the file is damaged)");
    }
    extents.emplace_back(entry.offset, entry.offset + entry.length);
    infos_.push_back({name, entry.offset, entry.length, entry.element_size, required, known != nullptr});
  }
  std::sort(extents.begin(), extents.end());
  for (std::size_t i = 1; i < extents.size(); ++i) {
    if (extents[i].first < extents[i - 1].second) fail("snapshot sections overlap at offset " + std::to_string(extents[i].first));
  }
}

std::uint64_t SnapshotParser::expectedCount(KnownSection::Count count) const {
  switch (count) {
    case KnownSection::kNodes: return header_.node_count;
    case KnownSection::kNodesPlusOne: return header_.node_count + 1;
    case KnownSection::kArcs: return header_.arc_count;
    case KnownSection::kMeta:
    case KnownSection::kHierarchyArcs: return 0;
  }
  return 0;
}

void SnapshotParser::checkPair(std::string_view a, std::string_view b) const {
  if (has(a) != has(b)) {
    fail("snapshot has section '" + std::string(has(a) ? a : b) + "' without '" + std::string(has(a) ? b : a) + "'");
  }
}

void SnapshotParser::checkSections() {
  for (const auto& [name, section] : views_) {
    const KnownSection& known = *findKnown(name);
    if (known.count == KnownSection::kMeta || known.count == KnownSection::kHierarchyArcs) continue;
    const std::uint64_t count = section.size() / known.element_size;
    if (count != expectedCount(known.count)) {
      fail("snapshot section '" + name + "' has " + std::to_string(count) + " elements, expected " +
           std::to_string(expectedCount(known.count)) + " for " + std::to_string(header_.node_count) +
           " nodes and " + std::to_string(header_.arc_count) + " arcs");
    }
  }
  for (std::string_view name : {s::kMeta, s::kFirstOut, s::kHead, s::kFirstIn, s::kTail}) {
    if (!has(name)) fail("snapshot has no '" + std::string(name) + "' section");
  }
  const auto meta = views_.at(std::string(s::kMeta));
  if (meta.size() < sizeof(meta_)) fail("snapshot section 'meta' is too short");
  std::memcpy(&meta_, meta.data(), sizeof(meta_));

  checkPair(s::kWeight, s::kInWeight);
  checkPair(s::kLength, s::kInLength);
  checkPair(s::kDuration, s::kInDuration);
  checkPair(s::kLonE6, s::kLatE6);
  checkPair(s::kNearestOrder, s::kNearestAxis);
  for (std::string_view name : kHierarchySections) checkPair(s::kChRank, name);
  checkPair(s::kChUpOther, s::kChDownOther);
  if (has(s::kChUpOther) && !has(s::kChRank)) fail("snapshot has section 'ch.up.other' without 'ch.rank'");
  const std::string_view weighing[] = {s::kWeight, s::kLength, s::kDuration};
  if (meta_.metric > 2) fail("snapshot names an unknown metric " + std::to_string(meta_.metric));
  if (!has(weighing[meta_.metric])) {
    fail("snapshot is weighed by " + std::string(metricName(static_cast<Metric>(meta_.metric))) +
         " but has no '" + std::string(weighing[meta_.metric]) + "' section");
  }
  if (has(s::kNearestOrder) && !has(s::kLonE6)) fail("snapshot has a nearest-node index but no coordinates");
  if (!std::isfinite(meta_.lower_bound_scale) || meta_.lower_bound_scale < 0 || meta_.lower_bound_scale > 300) {
    fail("snapshot's lower-bound scale is out of range");
  }
  if (!has(s::kLonE6) && meta_.lower_bound_scale != 0) fail("snapshot has a lower-bound scale but no coordinates");
  for (char c : meta_.graph_sha1) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) fail("snapshot's graph checksum is not hex");
  }
}

void SnapshotParser::checkCsr(std::string_view first_name, std::string_view target_name) const {
  const auto first = array<ArcId>(first_name);
  const auto target = array<NodeId>(target_name);
  if (first.front() != 0 || first.back() != header_.arc_count) {
    fail("snapshot section '" + std::string(first_name) + "' does not run from 0 to the arc count");
  }
  for (std::size_t node = 1; node < first.size(); ++node) {
    if (first[node] < first[node - 1]) {
      fail("snapshot section '" + std::string(first_name) + "' decreases at node " + std::to_string(node));
    }
  }
  const auto bad = std::find_if(target.begin(), target.end(), [&](NodeId id) { return id >= header_.node_count; });
  if (bad != target.end()) {
    fail("snapshot section '" + std::string(target_name) + "' names node " + std::to_string(*bad) +
         " at arc " + std::to_string(bad - target.begin()) + ", beyond the " +
         std::to_string(header_.node_count) + " nodes");
  }
}

void SnapshotParser::checkStructure() const {
  checkCsr(s::kFirstOut, s::kHead);
  checkCsr(s::kFirstIn, s::kTail);
  const auto outside = [](std::span<const std::int32_t> values, std::int32_t limit) {
    return std::any_of(values.begin(), values.end(), [limit](std::int32_t v) { return v < -limit || v > limit; });
  };
  if (outside(array<std::int32_t>(s::kLonE6), 180'000'000) || outside(array<std::int32_t>(s::kLatE6), 90'000'000)) {
    fail("snapshot has a coordinate outside [-180, 180] x [-90, 90]");
  }
  const auto order = array<NodeId>(s::kNearestOrder);
  if (std::any_of(order.begin(), order.end(), [&](NodeId id) { return id >= header_.node_count; })) {
    fail("snapshot section 'nearest.order' names a node beyond the node count");
  }
  const auto axis = array<std::uint8_t>(s::kNearestAxis);
  if (std::any_of(axis.begin(), axis.end(), [](std::uint8_t a) { return a > 2; })) {
    fail("snapshot section 'nearest.axis' has an axis other than 0, 1, 2");
  }
}

SnapshotContents SnapshotParser::view(std::shared_ptr<const MappedFile> file) const {
  const Metric metric = static_cast<Metric>(meta_.metric);
  GraphArrays arrays{
      .first_out = array<ArcId>(s::kFirstOut), .head = array<NodeId>(s::kHead), .weight = {},
      .first_in = array<ArcId>(s::kFirstIn), .tail = array<NodeId>(s::kTail), .in_weight = {},
      .lon_e6 = array<std::int32_t>(s::kLonE6), .lat_e6 = array<std::int32_t>(s::kLatE6),
      .length_m = array<std::uint32_t>(s::kLength), .in_length_m = array<std::uint32_t>(s::kInLength),
      .duration_ds = array<std::uint32_t>(s::kDuration), .in_duration_ds = array<std::uint32_t>(s::kInDuration),
      .osm_id = array<std::int64_t>(s::kOsmId)};
  switch (metric) {
    case Metric::kUnitless:
      arrays.weight = array<Weight>(s::kWeight);
      arrays.in_weight = array<Weight>(s::kInWeight);
      break;
    case Metric::kLengthMeters:
      arrays.weight = arrays.length_m;
      arrays.in_weight = arrays.in_length_m;
      break;
    case Metric::kDurationDeciseconds:
      arrays.weight = arrays.duration_ds;
      arrays.in_weight = arrays.in_duration_ds;
      break;
  }
  GraphFacts facts{.metric = metric,
                   .lower_bound_scale = meta_.lower_bound_scale,
                   .checksum = std::string(meta_.graph_sha1, sizeof(meta_.graph_sha1)),
                   .source = path_};
  SnapshotContents contents{
      .graph = Graph::fromArrays(arrays, file, std::move(facts)),
      .nearest = std::nullopt,
      .hierarchy = std::nullopt,
      .profile = static_cast<snapshot::Profile>(meta_.profile),
      .version_major = header_.version_major,
      .version_minor = header_.version_minor,
      .created_unix = meta_.created_unix,
      .made_from = std::string(meta_.made_from, strnlen(meta_.made_from, sizeof(meta_.made_from))),
      .sections = infos_};
  if (has(s::kNearestOrder)) {
    contents.nearest = NearestIndex::fromTree(contents.graph, array<NodeId>(s::kNearestOrder),
                                              array<std::uint8_t>(s::kNearestAxis), file);
  }
  if (has(s::kChRank)) contents.hierarchy = viewHierarchy(contents.graph, file);
  return contents;
}

ContractionHierarchy SnapshotParser::viewHierarchy(const Graph& graph, const std::shared_ptr<const MappedFile>& file) const {
  const ChArrays arrays{
      .rank = array<NodeId>(s::kChRank),
      .order = array<NodeId>(s::kChOrder),
      .up = {array<ArcId>(s::kChUpFirst), array<NodeId>(s::kChUpEnd), array<Weight>(s::kChUpWeight),
             array<ChUnpack>(s::kChUpUnpack), array<std::uint32_t>(s::kChUpOther)},
      .down = {array<ArcId>(s::kChDownFirst), array<NodeId>(s::kChDownEnd), array<Weight>(s::kChDownWeight),
               array<ChUnpack>(s::kChDownUnpack), array<std::uint32_t>(s::kChDownOther)},
  };
  ContractionHierarchy hierarchy(arrays, file, has(s::kChUpOther) ? otherMetricOf(graph) : Metric::kUnitless);
  try {
    checkHierarchyBounds(hierarchy, graph);
  } catch (const std::invalid_argument& error) {
    fail(std::string("snapshot's ") + error.what());
  }
  return hierarchy;
}

}  // namespace

bool hasSnapshotMagic(std::span<const std::byte> bytes) {
  return bytes.size() >= snapshot::kMagic.size() &&
         std::memcmp(bytes.data(), snapshot::kMagic.data(), snapshot::kMagic.size()) == 0;
}

SnapshotContents viewSnapshot(std::shared_ptr<const MappedFile> file, const std::string& path) {
  SnapshotParser parser(file->bytes(), path);
  parser.parseHeaderAndTable();
  parser.checkSections();
  parser.checkStructure();
  return parser.view(std::move(file));
}

}  // namespace twinlane::app
