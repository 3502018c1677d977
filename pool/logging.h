// SPDX-License-Identifier: Apache-2.0
// Logging set-up: Poco::Logger to stderr (journald takes it under systemd), one line per
// message written with a single write(2), so lines from the master and every worker stay whole
// when they share one stderr.
#pragma once

#include <string>

namespace twinlane::pool {

// Configures the root logger. `level` is a Poco level name ("information", "debug", ...).
void setUpLogging(const std::string& level);

}  // namespace twinlane::pool
