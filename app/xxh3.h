// SPDX-License-Identifier: Apache-2.0
// XXH3-64, the snapshot's checksum, from Debian's libxxhash-dev compiled in (XXH_INLINE_ALL), so
// the server needs no extra library at run time. XXH3's output is frozen since xxHash 0.8.0.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace twinlane::app {

inline std::uint64_t xxh3(std::span<const std::byte> bytes) {
  return XXH3_64bits(bytes.data(), bytes.size());
}

// For a checksum over pieces that are not contiguous (a header and its section table).
class Xxh3Stream {
 public:
  Xxh3Stream() { XXH3_64bits_reset(&state_); }
  void update(std::span<const std::byte> bytes) { XXH3_64bits_update(&state_, bytes.data(), bytes.size()); }
  std::uint64_t digest() const { return XXH3_64bits_digest(&state_); }

 private:
  XXH3_state_t state_;
};

}  // namespace twinlane::app
