// SPDX-License-Identifier: Apache-2.0
// The two things twinlane takes from systemd when it runs under it, through libsystemd:
// listening sockets passed by socket units (LISTEN_FDS), so the sockets outlive a restart of
// the service and nothing queued in them is lost; and readiness notifications (Type=notify).
// Outside systemd both are no-ops.
#pragma once

#include <string>
#include <vector>

#include "fcgi/listener.h"
#include "fcgi/unique_fd.h"

namespace twinlane::pool {

// Takes the sockets systemd passed (once; later calls return none). Each is set non-blocking.
struct InheritedSocket {
  fcgi::ListenAddress address;
  UniqueFd fd;
};
std::vector<InheritedSocket> takeInheritedSockets();

// sd_notify with the given state ("READY=1", "RELOADING=1", "STOPPING=1", "STATUS=...").
void notifySystemd(const std::string& state);

}  // namespace twinlane::pool
