// SPDX-License-Identifier: Apache-2.0
// Asking the scheduler for a time slice: see cpu_slice.h.
#include "pool/cpu_slice.h"

#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>

namespace twinlane::pool {
namespace {

// struct sched_attr of sched_setattr(2): glibc has no wrapper, and the kernel's header
// (linux/sched/types.h) clashes with <sched.h> over struct sched_param.
struct SchedAttributes {
  std::uint32_t size;
  std::uint32_t sched_policy;
  std::uint64_t sched_flags;
  std::int32_t sched_nice;
  std::uint32_t sched_priority;
  std::uint64_t sched_runtime;  // for a fair policy: the requested slice, in ns (Linux 6.12+)
  std::uint64_t sched_deadline;
  std::uint64_t sched_period;
};

}  // namespace

std::string setThreadCpuSlice(std::chrono::microseconds slice) {
  const int policy = ::sched_getscheduler(0);
  if (policy < 0) return std::string("sched_getscheduler: ") + std::strerror(errno);
  errno = 0;
  const int nice = ::getpriority(PRIO_PROCESS, 0);  // this thread's, on Linux
  if (errno != 0) return std::string("getpriority: ") + std::strerror(errno);
  SchedAttributes attributes{};
  attributes.size = sizeof attributes;
  attributes.sched_policy = static_cast<std::uint32_t>(policy & ~SCHED_RESET_ON_FORK);
  attributes.sched_nice = nice;
  attributes.sched_runtime = static_cast<std::uint64_t>(std::chrono::nanoseconds(slice).count());
  if (::syscall(SYS_sched_setattr, 0, &attributes, 0U) != 0) return std::string("sched_setattr: ") + std::strerror(errno);
  return {};
}

std::chrono::microseconds threadCpuSlice() {
  std::ifstream sched("/proc/thread-self/sched");
  std::string line;
  while (std::getline(sched, line)) {
    if (line.rfind("se.slice", 0) != 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string::npos) break;
    try {
      return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::nanoseconds(std::stoll(line.substr(colon + 1))));
    } catch (const std::exception&) {
      break;
    }
  }
  return std::chrono::microseconds(0);
}

}  // namespace twinlane::pool
