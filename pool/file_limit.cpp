// SPDX-License-Identifier: Apache-2.0
// Raising the open-file limit: see file_limit.h.
#include "pool/file_limit.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace twinlane::pool {
namespace {

std::string limitText(rlim_t limit) { return limit == RLIM_INFINITY ? "unlimited" : std::to_string(limit); }

}  // namespace

void raiseOpenFileLimit(Poco::Logger& log) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == limit.rlim_max) return;
  const rlim_t before = limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    log.warning("cannot raise the open-file limit from %s to %s: %s; kept connections and queued ones share %s descriptors",
                limitText(before), limitText(limit.rlim_max), std::string(std::strerror(errno)), limitText(before));
    return;
  }
  log.information("open-file limit raised from %s to %s (the hard limit)", limitText(before), limitText(limit.rlim_max));
}

}  // namespace twinlane::pool
