// SPDX-License-Identifier: Apache-2.0
// Dropping root: the master binds its sockets as root, then becomes the configured user and
// group before it reads any data or forks a worker. Only the mechanics live here; when it
// happens is visible in Master::start().
#pragma once

#include <Poco/Logger.h>

#include "pool/config.h"

namespace twinlane::pool {

// Becomes config.user / config.group (supplementary groups, then the group, then the user).
// Does nothing when neither is set; warns and stays when not started as root (unless already
// the configured user, as under systemd's User=). Throws ConfigError for a user or group that
// does not exist, std::runtime_error naming the call and the user when a call fails.
void dropPrivileges(const Config& config, Poco::Logger& log);

}  // namespace twinlane::pool
