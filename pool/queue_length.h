// SPDX-License-Identifier: Apache-2.0
// The length of a lane's queue, read from the kernel: how many connections wait in the listening
// socket's backlog, not yet accepted by any worker. Asked through sock_diag (netlink) by the
// socket's inode, so any process can read it without holding the socket (php-fpm cannot show
// this for unix sockets).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

#include "fcgi/listener.h"

namespace twinlane::pool {

// nullopt when the kernel does not answer (no sock_diag, or the socket is gone).
std::optional<std::uint32_t> queueLength(const fcgi::ListenAddress& address, ino_t inode);

// The inode of a socket fd, the key for queueLength.
ino_t socketInode(int fd);

}  // namespace twinlane::pool
