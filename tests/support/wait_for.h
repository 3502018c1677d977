// SPDX-License-Identifier: Apache-2.0
// The one way tests wait: poll a predicate until it holds or a deadline passes.
// Owns nothing; it only sleeps in poll() between checks, never in sleep()/usleep().
#pragma once

#include <chrono>
#include <functional>

namespace twinlane::test {

inline constexpr std::chrono::milliseconds kDefaultPollStep{10};

// Evaluates `predicate` at once and then every `step` until it returns true (→ true) or
// `deadline` has passed since the call (→ false). Exceptions from the predicate propagate.
bool waitFor(const std::function<bool()>& predicate, std::chrono::milliseconds deadline,
             std::chrono::milliseconds step = kDefaultPollStep);

}  // namespace twinlane::test
