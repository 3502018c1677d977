// SPDX-License-Identifier: Apache-2.0
// The open-file limit of the master and (inherited) its workers. Every connection a fast worker
// keeps for nginx takes a descriptor, and systemd starts services with a soft limit of 1024
// under a far higher hard one: the master raises the soft limit to the hard one, as nginx's
// worker_rlimit_nofile would, before it forks.
#pragma once

#include <Poco/Logger.h>

namespace twinlane::pool {

// Raises RLIMIT_NOFILE's soft limit to its hard limit and logs the change; logs a warning and
// leaves the limit as it was when the kernel refuses.
void raiseOpenFileLimit(Poco::Logger& log);

}  // namespace twinlane::pool
