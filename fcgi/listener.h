// SPDX-License-Identifier: Apache-2.0
// Listening sockets for the lanes: a unix socket path (with owner, group and mode, so nginx's
// user may connect and nobody else) or host:port. The backlog is the slow lane's queue, so it
// is set explicitly. Sockets are non-blocking: workers poll before accepting, so a stop
// request wakes them instead of leaving them parked in accept().
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fcgi/unique_fd.h"

namespace twinlane::fcgi {

struct ListenAddress {
  enum class Kind { kUnix, kTcp };
  Kind kind = Kind::kUnix;
  std::string path;  // kUnix
  std::string host;  // kTcp
  std::uint16_t port = 0;

  // "/run/twinlane/slow.sock", "unix:/path", "127.0.0.1:9001". Throws std::invalid_argument.
  static ListenAddress parse(std::string_view text);
  std::string toString() const;
  // The form nginx's `server` directive inside an upstream takes.
  std::string nginxForm() const;
};

struct SocketAccess {
  std::string owner;  // user name; empty keeps the current one
  std::string group;
  std::optional<mode_t> mode;  // unix sockets only
};

// Binds and listens. A stale unix socket file (nobody accepting) is replaced; a live one or a
// path that is not a socket is an error. Throws std::runtime_error naming the address.
UniqueFd openListener(const ListenAddress& address, int backlog, const SocketAccess& access);

// Removes a unix socket file we created. Returns 0, or the errno of a failure other than a
// missing file (e.g. EACCES after privileges were dropped in a directory owned by root).
int removeSocketFile(const ListenAddress& address);

}  // namespace twinlane::fcgi
