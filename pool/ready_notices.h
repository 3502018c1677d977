// SPDX-License-Identifier: Apache-2.0
// ReadyNotices: how a worker tells the master it has started to serve. An eventfd the master
// makes before the first fork and waits on beside its signals; each worker inherits it and
// writes to it once. Without it the master would see a new worker only on its next periodic
// turn (up to 250 ms): READY=1, a reload's switch-over and the recycling lock's next turn would
// all wait for that turn.
#pragma once

#include "fcgi/unique_fd.h"

namespace twinlane::pool {

class ReadyNotices {
 public:
  ReadyNotices();  // throws std::system_error
  int fd() const { return fd_.get(); }
  // Master side: forgets the notices that came, so the next wait sleeps again.
  void drain() const;

 private:
  UniqueFd fd_;
};

// Worker side: tells the master at `fd` (from ReadyNotices::fd) that this worker now serves.
// Never blocks; a master that has not read earlier notices yet loses nothing by missing this.
void noticeReady(int fd);

}  // namespace twinlane::pool
