// SPDX-License-Identifier: Apache-2.0
// Reading /proc/PID/smaps_rollup: see process_memory.h.
#include "pool/process_memory.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <string_view>

#include "fcgi/unique_fd.h"

namespace twinlane::pool {
namespace {

// "Private_Dirty:      1234 kB" -> 1234 * 1024 for the line that starts with `key`.
std::uint64_t fieldBytes(std::string_view text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string_view::npos) return 0;
  std::string_view rest = text.substr(at + key.size());
  rest.remove_prefix(std::min(rest.find_first_not_of(' '), rest.size()));
  std::uint64_t kib = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), kib);
  return kib * 1024;
}

}  // namespace

std::optional<ProcessMemory> readProcessMemory(pid_t pid) {
  const std::string path = "/proc/" + (pid == 0 ? std::string("self") : std::to_string(pid)) + "/smaps_rollup";
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  char buffer[4096];
  std::size_t size = 0;
  ssize_t n;
  while (size < sizeof buffer && (n = ::read(fd.get(), buffer + size, sizeof buffer - size)) > 0) {
    size += static_cast<std::size_t>(n);
  }
  const std::string_view text(buffer, size);
  if (text.find("Rss:") == std::string_view::npos) return std::nullopt;
  ProcessMemory memory;
  memory.rss = fieldBytes(text, "\nRss:");
  memory.pss = fieldBytes(text, "\nPss:");
  memory.private_bytes = fieldBytes(text, "\nPrivate_Clean:") + fieldBytes(text, "\nPrivate_Dirty:");
  return memory;
}

}  // namespace twinlane::pool
