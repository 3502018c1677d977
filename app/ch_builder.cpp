// SPDX-License-Identifier: Apache-2.0
// Node contraction: see ch_builder.h.
#include "ch_builder.h"

#include <algorithm>
#include <limits>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace twinlane::app {
namespace {

// Settled nodes after which a witness search gives up (and the shortcut is added).
constexpr std::uint32_t kWitnessSettledLimit = 500;
// While building, a shortcut's `via` is this bit and its middle node; an arc of the graph's, the
// arc's id (buildContractionHierarchy refuses graphs with that many arcs).
constexpr std::uint32_t kShortcut = 0x8000'0000u;

// An arc of the graph being contracted, kept at both its ends.
struct Edge {
  NodeId other;        // the other end
  Weight weight;
  std::uint32_t via;   // a graph arc id, or kShortcut | middle node id (not yet a rank)
  std::uint32_t other_metric;
  std::uint32_t hops;  // graph arcs it stands for
};

// An arc of the finished hierarchy, by node ids, before ranks are known.
struct FrozenArc {
  NodeId lower;   // where it is stored
  NodeId higher;  // its other end
  Weight weight;
  std::uint32_t via;
  std::uint32_t other_metric;
};

struct Shortcut {
  NodeId from;
  NodeId to;
  Edge edge;  // `other` unused
};

// Dijkstra that avoids one node, with a distance bound and a settled-node bound; distances of
// nodes it did not settle are upper bounds (lengths of real paths), which is all a witness needs.
class WitnessSearch {
 public:
  explicit WitnessSearch(NodeId node_count) : distance_(node_count), stamp_(node_count, 0) {}

  void run(const std::vector<std::vector<Edge>>& out, NodeId source, NodeId avoid, Distance limit) {
    if (++current_ == 0) {
      std::fill(stamp_.begin(), stamp_.end(), 0);
      current_ = 1;
    }
    heap_.clear();
    reach(source, 0);
    std::uint32_t settled = 0;
    while (!heap_.empty() && settled < kWitnessSettledLimit) {
      std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
      const auto [distance, node] = heap_.back();
      heap_.pop_back();
      if (distance != distance_[node]) continue;  // a stale entry
      if (distance > limit) break;
      ++settled;
      for (const Edge& edge : out[node]) {
        if (edge.other == avoid) continue;
        const Distance next = distance + edge.weight;
        if (next <= limit && next < distanceTo(edge.other)) reach(edge.other, next);
      }
    }
  }

  Distance distanceTo(NodeId node) const { return stamp_[node] == current_ ? distance_[node] : kUnreachable; }

 private:
  void reach(NodeId node, Distance distance) {
    stamp_[node] = current_;
    distance_[node] = distance;
    heap_.emplace_back(distance, node);
    std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  }

  std::vector<Distance> distance_;
  std::vector<std::uint32_t> stamp_;
  std::uint32_t current_ = 0;
  std::vector<std::pair<Distance, NodeId>> heap_;
};

class Contractor {
 public:
  explicit Contractor(const Graph& graph)
      : graph_(graph),
        n_(graph.nodeCount()),
        other_metric_(otherMetricOf(graph)),
        out_(n_),
        in_(n_),
        level_(n_, 0),
        priority_(n_, 0),
        contracted_(n_, false),
        witness_(n_) {}

  ContractionHierarchy run(const ChBuildProgress& progress) {
    addGraphArcs();
    using Entry = std::pair<std::int64_t, NodeId>;
    std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
    for (NodeId node = 0; node < n_; ++node) {
      priority_[node] = priorityOf(node);
      queue.emplace(priority_[node], node);
    }
    std::vector<NodeId> order;
    order.reserve(n_);
    while (!queue.empty()) {
      const auto [priority, node] = queue.top();
      queue.pop();
      if (contracted_[node] || priority != priority_[node]) continue;
      // Lazy update: the priority may have grown since it was queued.
      priority_[node] = priorityOf(node);
      if (!queue.empty() && priority_[node] > queue.top().first) {
        queue.emplace(priority_[node], node);
        continue;
      }
      contract(node);
      order.push_back(node);
      for (const NodeId neighbour : neighbours_) {
        level_[neighbour] = std::max(level_[neighbour], level_[node] + 1);
        priority_[neighbour] = priorityOf(neighbour);
        queue.emplace(priority_[neighbour], neighbour);
      }
      if (progress && order.size() % 16384 == 0) progress(static_cast<NodeId>(order.size()), n_);
    }
    if (progress) progress(n_, n_);
    return finish(order);
  }

 private:
  std::uint32_t otherMetricOfArc(ArcId arc) const {
    switch (other_metric_) {
      case Metric::kLengthMeters: return graph_.lengthMeters(arc);
      case Metric::kDurationDeciseconds: return graph_.durationDeciseconds(arc);
      case Metric::kUnitless: break;
    }
    return 0;
  }

  // The graph's arcs, the lightest of each parallel group, without self loops.
  void addGraphArcs() {
    for (NodeId tail = 0; tail < n_; ++tail) {
      for (ArcId arc = graph_.firstOut(tail); arc < graph_.endOut(tail); ++arc) {
        const NodeId head = graph_.head(arc);
        if (head == tail) continue;
        addOrImprove(tail, head, Edge{head, graph_.weight(arc), arc, otherMetricOfArc(arc), 1});
      }
    }
  }

  // Adds the arc from -> to, or lowers the weight of the one there is.
  void addOrImprove(NodeId from, NodeId to, Edge edge) {
    edge.other = to;
    for (Edge& existing : out_[from]) {
      if (existing.other != to) continue;
      if (edge.weight >= existing.weight) return;
      existing = edge;
      for (Edge& back : in_[to]) {
        if (back.other == from) back = Edge{from, edge.weight, edge.via, edge.other_metric, edge.hops};
      }
      return;
    }
    out_[from].push_back(edge);
    in_[to].push_back(Edge{from, edge.weight, edge.via, edge.other_metric, edge.hops});
  }

  // The shortcuts contracting `node` needs now.
  void findShortcuts(NodeId node, std::vector<Shortcut>& shortcuts) {
    shortcuts.clear();
    const std::vector<Edge>& outgoing = out_[node];
    if (outgoing.empty()) return;
    for (const Edge& incoming : in_[node]) {
      Weight farthest = 0;
      for (const Edge& edge : outgoing) {
        if (edge.other != incoming.other) farthest = std::max(farthest, edge.weight);
      }
      const Distance limit = Distance{incoming.weight} + farthest;
      witness_.run(out_, incoming.other, node, limit);
      for (const Edge& edge : outgoing) {
        if (edge.other == incoming.other) continue;
        const Distance through = Distance{incoming.weight} + edge.weight;
        if (witness_.distanceTo(edge.other) <= through) continue;
        if (through > std::numeric_limits<Weight>::max()) {
          throw std::overflow_error("contraction hierarchy: a shortcut would weigh " + std::to_string(through) +
                                    ", more than an arc weight can hold");
        }
        shortcuts.push_back({incoming.other, edge.other,
                             Edge{edge.other, static_cast<Weight>(through), kShortcut | node,
                                  incoming.other_metric + edge.other_metric, incoming.hops + edge.hops}});
      }
    }
  }

  std::int64_t priorityOf(NodeId node) {
    findShortcuts(node, shortcuts_);
    const std::int64_t removed = static_cast<std::int64_t>(out_[node].size() + in_[node].size());
    std::int64_t removed_hops = 0;
    for (const Edge& edge : out_[node]) removed_hops += edge.hops;
    for (const Edge& edge : in_[node]) removed_hops += edge.hops;
    std::int64_t added_hops = 0;
    for (const Shortcut& shortcut : shortcuts_) added_hops += shortcut.edge.hops;
    const auto added = static_cast<std::int64_t>(shortcuts_.size());
    return 1 + 1000 * std::int64_t{level_[node]} + 1000 * added / std::max<std::int64_t>(removed, 1) +
           1000 * added_hops / std::max<std::int64_t>(removed_hops, 1);
  }

  void contract(NodeId node) {
    findShortcuts(node, shortcuts_);
    neighbours_.clear();
    for (const Edge& edge : out_[node]) {
      frozen_up_.push_back({node, edge.other, edge.weight, edge.via, edge.other_metric});
      neighbours_.push_back(edge.other);
      eraseEdge(in_[edge.other], node);
    }
    for (const Edge& edge : in_[node]) {
      frozen_down_.push_back({node, edge.other, edge.weight, edge.via, edge.other_metric});
      neighbours_.push_back(edge.other);
      eraseEdge(out_[edge.other], node);
    }
    std::vector<Edge>().swap(out_[node]);
    std::vector<Edge>().swap(in_[node]);
    contracted_[node] = true;
    for (const Shortcut& shortcut : shortcuts_) addOrImprove(shortcut.from, shortcut.to, shortcut.edge);
    std::sort(neighbours_.begin(), neighbours_.end());
    neighbours_.erase(std::unique(neighbours_.begin(), neighbours_.end()), neighbours_.end());
  }

  static void eraseEdge(std::vector<Edge>& edges, NodeId other) {
    for (std::size_t i = 0; i < edges.size(); ++i) {
      if (edges[i].other == other) {
        edges[i] = edges.back();
        edges.pop_back();
        return;
      }
    }
  }

  ContractionHierarchy finish(const std::vector<NodeId>& order) {
    auto storage = std::make_shared<ChStorage>();
    storage->order = order;
    storage->rank.assign(n_, 0);
    for (NodeId rank = 0; rank < n_; ++rank) storage->rank[order[rank]] = rank;
    const bool other = other_metric_ != Metric::kUnitless;
    std::vector<std::uint32_t> up_via;
    std::vector<std::uint32_t> down_via;
    const auto toCsr = [&](std::vector<FrozenArc>& frozen, std::vector<ArcId>& first, std::vector<NodeId>& end,
                           std::vector<Weight>& weight, std::vector<std::uint32_t>& via,
                           std::vector<std::uint32_t>& other_metric) {
      for (FrozenArc& arc : frozen) {
        arc.lower = storage->rank[arc.lower];
        arc.higher = storage->rank[arc.higher];
        if ((arc.via & kShortcut) != 0) arc.via = kShortcut | storage->rank[arc.via & ~kShortcut];
      }
      std::sort(frozen.begin(), frozen.end(), [](const FrozenArc& a, const FrozenArc& b) {
        return a.lower != b.lower ? a.lower < b.lower : a.higher < b.higher;
      });
      first.assign(std::size_t{n_} + 1, 0);
      for (const FrozenArc& arc : frozen) ++first[arc.lower + 1];
      for (NodeId rank = 0; rank < n_; ++rank) first[rank + 1] += first[rank];
      for (const FrozenArc& arc : frozen) {
        end.push_back(arc.higher);
        weight.push_back(arc.weight);
        via.push_back(arc.via);
        if (other) other_metric.push_back(arc.other_metric);
      }
      std::vector<FrozenArc>().swap(frozen);
    };
    toCsr(frozen_up_, storage->up_first, storage->up_other_end, storage->up_weight, up_via, storage->up_other_metric);
    toCsr(frozen_down_, storage->down_first, storage->down_other_end, storage->down_weight, down_via,
          storage->down_other_metric);
    storage->up_unpack = unpackPairs(*storage, up_via, true);
    storage->down_unpack = unpackPairs(*storage, down_via, false);
    return ContractionHierarchy::fromStorage(std::move(storage), other_metric_);
  }

  // The index of the arc stored at `at` (CSR `first`, `end`) whose other end is `other_end`.
  static std::uint32_t findArc(const std::vector<ArcId>& first, const std::vector<NodeId>& end, NodeId at,
                               NodeId other_end) {
    for (ArcId arc = first[at]; arc < first[at + 1]; ++arc) {
      if (end[arc] == other_end) return arc;
    }
    throw std::logic_error("contraction hierarchy: a shortcut's child arc is missing");
  }

  // Turns each arc's `via` into its unpacking pair: a shortcut u -> w through m has the down
  // arc u -> m and the up arc m -> w, both stored at m, exactly one of each (arcs at a node were
  // merged per neighbour before it was contracted).
  static std::vector<ChUnpack> unpackPairs(const ChStorage& ch, const std::vector<std::uint32_t>& via, bool up) {
    const std::vector<ArcId>& first = up ? ch.up_first : ch.down_first;
    const std::vector<NodeId>& end = up ? ch.up_other_end : ch.down_other_end;
    std::vector<ChUnpack> pairs(via.size());
    for (NodeId rank = 0; rank + 1 < first.size(); ++rank) {
      for (ArcId arc = first[rank]; arc < first[rank + 1]; ++arc) {
        if ((via[arc] & kShortcut) == 0) {
          pairs[arc] = {via[arc], kGraphArc};
          continue;
        }
        const NodeId middle = via[arc] & ~kShortcut;
        const NodeId from = up ? rank : end[arc];
        const NodeId to = up ? end[arc] : rank;
        pairs[arc] = {findArc(ch.down_first, ch.down_other_end, middle, from),
                      findArc(ch.up_first, ch.up_other_end, middle, to)};
      }
    }
    return pairs;
  }

  const Graph& graph_;
  NodeId n_;
  Metric other_metric_;
  std::vector<std::vector<Edge>> out_;
  std::vector<std::vector<Edge>> in_;
  std::vector<std::uint32_t> level_;
  std::vector<std::int64_t> priority_;
  std::vector<bool> contracted_;
  WitnessSearch witness_;
  std::vector<Shortcut> shortcuts_;
  std::vector<NodeId> neighbours_;
  std::vector<FrozenArc> frozen_up_;
  std::vector<FrozenArc> frozen_down_;
};

}  // namespace

ContractionHierarchy buildContractionHierarchy(const Graph& graph, const ChBuildProgress& progress) {
  if (graph.arcCount() >= kShortcut) {
    throw std::overflow_error("contraction hierarchy: " + std::to_string(graph.arcCount()) +
                              " arcs are more than a hierarchy can name");
  }
  return Contractor(graph).run(progress);
}

}  // namespace twinlane::app
