// SPDX-License-Identifier: Apache-2.0
// The lanes' listening sockets, as mechanics: bind one (as the master, possibly still root),
// adopt one that systemd passed (socket units), or reuse the one already open for the same
// address, so a reload keeps its socket and nothing queued in it is lost. Which lane listens
// where, and when a generation gets its sockets, is the master's business (master.cpp).
// Master only.
#pragma once

#include <sys/types.h>

#include <memory>
#include <vector>

#include <Poco/Logger.h>

#include "fcgi/listener.h"
#include "fcgi/unique_fd.h"
#include "pool/config.h"
#include "pool/systemd.h"

namespace twinlane::pool {

// A listening socket; shared by the generations that listen on the same address. The last
// owner closes it and removes its file.
struct Listener {
  fcgi::ListenAddress address;
  UniqueFd fd;
  ino_t inode = 0;
  pid_t owner = 0;  // the process that removes the socket file; 0 for a socket systemd owns
  ~Listener();

  // listen() on a listening socket only changes its backlog (the queue's capacity); this holds
  // for sockets systemd passed too, so queue.capacity stays the one setting for it. Logs a
  // failure: the socket still serves with its old backlog.
  void setBacklog(unsigned capacity, Poco::Logger& log) const;
};

class Listeners {
 public:
  // Takes the sockets systemd passed, if any. Call once, before any lane asks for its socket.
  Listeners();

  // The socket for `lane`'s address: the one open already, else systemd's, else a new one
  // bound with the lane's backlog, owner and mode. Throws with the address on failure.
  std::shared_ptr<Listener> listenerFor(const LaneConfig& lane, Poco::Logger& log);
  // Closes the sockets systemd passed that no lane took, with a warning for each.
  void closeUnclaimed(Poco::Logger& log);
  // Every socket still open, for a new worker to close those it does not serve.
  std::vector<int> openFds() const;

 private:
  std::vector<InheritedSocket> inherited_;   // passed by systemd, not yet used by a lane
  std::vector<std::weak_ptr<Listener>> open_;  // alive while a generation holds them
};

}  // namespace twinlane::pool
