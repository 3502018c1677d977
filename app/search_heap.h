// SPDX-License-Identifier: Apache-2.0
// The priority queue of the searches: a 4-ary min-heap of (distance, node) with decrease-key.
//
// A 4-ary heap is shallower than a binary one and its four children share a cache line, which
// pays off on road graphs where most operations are decrease-key and pop. The heap owns its
// entries; each node's position in the heap is kept by the caller and found through
// `PositionOf` (node -> std::uint32_t&), so that it shares a cache line with the node's label.
// clear() is O(1) because a position is only read for a node that the caller knows is in the
// heap (reached in this query and not yet settled).
// Worker-local scratch: never shared between threads or processes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "graph.h"

namespace twinlane::app {

template <typename PositionOf>
class QuaternaryHeap {
 public:
  struct Entry {
    Distance key;
    NodeId node;
  };

  explicit QuaternaryHeap(PositionOf position_of) : position_of_(position_of) {}

  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  Distance topKey() const { return entries_.front().key; }
  NodeId topNode() const { return entries_.front().node; }
  void clear() { entries_.clear(); }

  // Precondition: `node` is not in the heap.
  void push(NodeId node, Distance key) {
    entries_.push_back({key, node});
    siftUp(entries_.size() - 1, {key, node});
  }

  // Precondition: `node` is in the heap with a key >= `key`.
  void decreaseKey(NodeId node, Distance key) { siftUp(position_of_(node), {key, node}); }

  // Precondition: !empty().
  Entry pop() {
    const Entry top = entries_.front();
    const Entry last = entries_.back();
    entries_.pop_back();
    if (!entries_.empty()) siftDown(0, last);
    return top;
  }

 private:
  static constexpr std::size_t kArity = 4;

  void place(std::size_t index, Entry entry) {
    entries_[index] = entry;
    position_of_(entry.node) = static_cast<std::uint32_t>(index);
  }

  void siftUp(std::size_t index, Entry entry) {
    while (index > 0) {
      const std::size_t parent = (index - 1) / kArity;
      if (entries_[parent].key <= entry.key) break;
      place(index, entries_[parent]);
      index = parent;
    }
    place(index, entry);
  }

  void siftDown(std::size_t index, Entry entry) {
    const std::size_t size = entries_.size();
    for (;;) {
      const std::size_t first_child = index * kArity + 1;
      if (first_child >= size) break;
      const std::size_t last_child = first_child + kArity < size ? first_child + kArity : size;
      std::size_t best = first_child;
      for (std::size_t child = first_child + 1; child < last_child; ++child) {
        if (entries_[child].key < entries_[best].key) best = child;
      }
      if (entries_[best].key >= entry.key) break;
      place(index, entries_[best]);
      index = best;
    }
    place(index, entry);
  }

  std::vector<Entry> entries_;
  PositionOf position_of_;
};

}  // namespace twinlane::app
