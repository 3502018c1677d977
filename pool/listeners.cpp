// SPDX-License-Identifier: Apache-2.0
// The lanes' listening sockets: see listeners.h.
#include "pool/listeners.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "pool/queue_length.h"

namespace twinlane::pool {

Listener::~Listener() {
  if (owner != ::getpid()) return;
  fd.reset();
  if (const int error = fcgi::removeSocketFile(address); error != 0) {
    Poco::Logger::get("twinlane.master")
        .warning("cannot remove the socket file %s: %s (is its directory writable by the user the master runs as?)",
                 address.toString(), std::string(std::strerror(error)));
  }
}

void Listener::setBacklog(unsigned capacity, Poco::Logger& log) const {
  if (::listen(fd.get(), static_cast<int>(capacity)) != 0) {
    log.warning("cannot set the backlog of %s: %s", address.toString(), std::string(std::strerror(errno)));
  }
}

Listeners::Listeners() : inherited_(takeInheritedSockets()) {}

std::shared_ptr<Listener> Listeners::listenerFor(const LaneConfig& lane, Poco::Logger& log) {
  const std::string address = lane.listen.toString();
  std::erase_if(open_, [](const std::weak_ptr<Listener>& listener) { return listener.expired(); });
  for (const auto& weak : open_) {
    if (auto listener = weak.lock(); listener && listener->address.toString() == address) return listener;
  }
  auto listener = std::make_shared<Listener>();
  listener->address = lane.listen;
  const auto inherited = std::find_if(inherited_.begin(), inherited_.end(),
                                      [&](const InheritedSocket& s) { return s.address.toString() == address; });
  if (inherited != inherited_.end()) {
    // systemd's socket unit owns it (and its backlog, owner and mode): adopt, never remove.
    listener->fd = std::move(inherited->fd);
    inherited_.erase(inherited);
    log.notice("%s: using the socket passed by systemd", address);
  } else {
    listener->fd = fcgi::openListener(lane.listen, static_cast<int>(lane.queue_capacity), lane.socket);
    listener->owner = ::getpid();
  }
  listener->inode = socketInode(listener->fd.get());
  open_.push_back(listener);
  return listener;
}

void Listeners::closeUnclaimed(Poco::Logger& log) {
  for (const InheritedSocket& unused : inherited_) {
    log.warning("systemd passed a socket for %s, which no lane listens on; closing it", unused.address.toString());
  }
  inherited_.clear();
}

std::vector<int> Listeners::openFds() const {
  std::vector<int> fds;
  for (const auto& weak : open_) {
    if (const auto listener = weak.lock()) fds.push_back(listener->fd.get());
  }
  return fds;
}

}  // namespace twinlane::pool
