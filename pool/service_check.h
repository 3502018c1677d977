// SPDX-License-Identifier: Apache-2.0
// checkServiceAsItsUser: the service's check() (files readable, ...) as the user the master
// will load the data as. The master checks after dropping privileges (see Master::start), so
// `--check-config` run as root with `user:`/`group:` set must not check as root, or it would
// pass a file only root can read that the start then refuses.
#pragma once

#include "pool/config.h"

namespace twinlane::pool {

// Runs config.service->check() here, or, as root with a user or group configured, in a child
// process that drops to them first. Throws ConfigError with the service's message (or the
// privilege drop's: a user that does not exist).
void checkServiceAsItsUser(const Config& config);

}  // namespace twinlane::pool
