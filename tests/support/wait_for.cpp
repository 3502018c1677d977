// SPDX-License-Identifier: Apache-2.0
// waitFor: deadline-bounded polling on poll(2), the replacement for every sleep in the tests.
#include "wait_for.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

namespace twinlane::test {

bool waitFor(const std::function<bool()>& predicate, std::chrono::milliseconds deadline,
             std::chrono::milliseconds step) {
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + deadline;
  for (;;) {
    if (predicate()) return true;
    const auto now = Clock::now();
    if (now >= end) return false;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now);
    const auto wait = std::max(std::chrono::milliseconds{1}, std::min(step, left));
    // EINTR only shortens one step; the loop re-checks the clock.
    (void)::poll(nullptr, 0, static_cast<int>(wait.count()));
  }
}

}  // namespace twinlane::test
