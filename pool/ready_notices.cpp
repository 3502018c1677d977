// SPDX-License-Identifier: Apache-2.0
// Workers' ready notices to the master: see ready_notices.h.
#include "pool/ready_notices.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace twinlane::pool {

ReadyNotices::ReadyNotices() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd for the workers' ready notices");
}

void ReadyNotices::drain() const {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto n = ::read(fd_.get(), &count, sizeof count);  // EAGAIN: none came
}

void noticeReady(int fd) {
  if (fd < 0) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(fd, &one, sizeof one);  // EAGAIN only at 2^64-2 unread
}

}  // namespace twinlane::pool
