// SPDX-License-Identifier: Apache-2.0
// TouchedLabels: per-query labels for the nodes a search touches, and only for those.
//
// A contraction-hierarchy query touches a few hundred nodes of a graph of millions, so labels
// live in a dense vector that grows to the largest search seen, and a node finds its label
// through a sparse index of one 32-bit slot per node (Briggs and Torczon's sparse set): the slot
// counts only when the label it points at names the node back. clear() is O(1) and nothing is
// ever wiped. The index is an anonymous mapping that is never written as a whole, so its pages
// cost memory only once a query has touched a node on them: a worker's private memory follows
// what its queries touched, about 4 bytes per node at worst, not the tens of bytes per node of
// labels indexed by node.
// Worker-local scratch: one per thread, never shared.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <vector>

#include "graph.h"

namespace twinlane::app {

// Label is a struct with a `NodeId node` member; its other members start value-initialised.
template <typename Label>
class TouchedLabels {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  explicit TouchedLabels(NodeId node_count) : bytes_(std::size_t{node_count} * sizeof(std::uint32_t)) {
    if (bytes_ == 0) return;
    void* address = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (address == MAP_FAILED) throw std::bad_alloc();
    slots_ = static_cast<std::uint32_t*>(address);
  }
  TouchedLabels(const TouchedLabels&) = delete;
  TouchedLabels& operator=(const TouchedLabels&) = delete;
  ~TouchedLabels() {
    if (slots_ != nullptr) ::munmap(slots_, bytes_);
  }

  void clear() { labels_.clear(); }
  std::uint32_t size() const { return static_cast<std::uint32_t>(labels_.size()); }

  // The slot of `node`'s label, or kNone when this query has not touched it.
  std::uint32_t find(NodeId node) const {
    const std::uint32_t slot = slots_[node];
    return slot < labels_.size() && labels_[slot].node == node ? slot : kNone;
  }
  // Precondition: find(node) == kNone. May move every label (references do not survive it).
  std::uint32_t add(NodeId node) {
    const auto slot = static_cast<std::uint32_t>(labels_.size());
    labels_.emplace_back();
    labels_.back().node = node;
    slots_[node] = slot;
    return slot;
  }

  Label& operator[](std::uint32_t slot) { return labels_[slot]; }
  const Label& operator[](std::uint32_t slot) const { return labels_[slot]; }

 private:
  std::size_t bytes_;
  std::uint32_t* slots_ = nullptr;
  std::vector<Label> labels_;
};

}  // namespace twinlane::app
