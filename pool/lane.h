// SPDX-License-Identifier: Apache-2.0
// Lane: the two kinds of worker a pool runs. The fast lane answers cheap requests many at a
// time; the slow lane runs expensive ones one per process. Every per-lane table is an array
// indexed by this enum (laneIndex), never a string looked up by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace twinlane::pool {

enum class Lane : std::uint8_t { kFast = 0, kSlow = 1 };
inline constexpr std::size_t kLaneCount = 2;
inline constexpr Lane kLanes[] = {Lane::kFast, Lane::kSlow};

constexpr std::size_t laneIndex(Lane lane) { return static_cast<std::size_t>(lane); }
constexpr std::string_view laneName(Lane lane) { return lane == Lane::kFast ? "fast" : "slow"; }

}  // namespace twinlane::pool
